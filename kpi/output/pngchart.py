"""A KPI's chart as a PNG picture, for documents that cannot hold SVG (a Word report).

The same geometry as the terminal and SVG charts (kpi/chart.py): figures at their period's
middle, each year labelled over its span, round value ticks, ranks drawn with better up. Drawn
with Pillow at twice the printed size so that it stays sharp on paper.
"""

import io
import itertools
from datetime import date
from typing import Any

from kpi import display
from kpi.assess import Assessment
from kpi.output.chart import scale_for, series, value_ticks, year_labels, year_ticks

WIDTH, HEIGHT = 1200, 480
LEFT, RIGHT, TOP, BOTTOM = 150, 30, 24, 64
INK, MUTED, GRID = (31, 35, 40), (87, 96, 106), (208, 215, 222)
PLAN, TREND, TARGET, REVISED = (9, 105, 218), (191, 135, 0), (130, 80, 223), (207, 34, 46)


def _font(size: int) -> Any:
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf", "arial.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


Point = tuple[float, float]


def _dashed(draw: Any, points: list[Point], colour: tuple[int, int, int], on: float, off: float) -> None:
    """A polyline drawn in dashes of on pixels with off pixels between them."""
    carry, drawing = 0.0, True
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        at = 0.0
        while at < length:
            step = min((on if drawing else off) - carry, length - at)
            if drawing and length:
                a, b = at / length, (at + step) / length
                start = (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a)
                draw.line([start, (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)], fill=colour, width=4)
            at += step
            carry += step
            if carry >= (on if drawing else off):
                carry, drawing = 0.0, not drawing


def png(a: Assessment) -> bytes | None:
    """The chart as PNG bytes, or None when the KPI has nothing to draw."""
    from PIL import Image, ImageDraw

    s = series(a)
    probe = scale_for(s, 1, 1)
    if probe is None or not (s.actuals or s.plan):
        return None
    small = _font(26)
    unit = a.kpi.unit
    # Room for the widest value label, measured in the font it is drawn in.
    widest = max(small.getlength(display.value(v, unit)) for v in value_ticks(probe))
    left = max(LEFT, int(widest) + 24)
    scale = scale_for(s, WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM)
    assert scale is not None
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)

    def xy(when: date, value: float) -> tuple[float, float]:
        return left + scale.x(when), TOP + scale.y(value)

    x0, y0, x1, y1 = left, TOP, left + scale.width, TOP + scale.height
    for value in value_ticks(scale):
        y = TOP + scale.y(value)
        draw.line([(x0, y), (x1, y)], fill=GRID, width=2)
        draw.text((x0 - 12, y), display.value(value, unit), fill=MUTED, font=small, anchor="rm")
    draw.line([(x0, y0), (x0, y1), (x1, y1)], fill=MUTED, width=2)
    for tick in year_ticks(scale):
        x = left + scale.x(tick)
        draw.line([(x, y1), (x, y1 + 12)], fill=MUTED, width=2)
    for year, middle in year_labels(scale):
        draw.text((left + scale.x(middle), y1 + 34), str(year), fill=MUTED, font=small, anchor="mm")
    for day in s.breaks:  # a merger: the count before it is of other units
        x = left + scale.x(day)
        _dashed(draw, [(x, y0), (x, y1)], MUTED, 8, 6)
    if len(s.plan) >= 2:
        _dashed(draw, [xy(m.when, m.value) for m in s.plan], PLAN, 3, 8)
    if s.trend:
        _dashed(draw, [xy(w, v) for w, v in s.trend], TREND, 14, 10)
    for m in s.stretches + s.targets:
        x, y = xy(m.when, m.value)
        diamond = [(x, y - 12), (x + 12, y), (x, y + 12), (x - 12, y)]
        if m in s.targets:
            draw.polygon(diamond, fill=TARGET)
        else:
            draw.polygon(diamond, outline=TARGET, width=3)
    for m in s.actuals:
        x, y = xy(m.when, m.value)
        box = [(x - 9, y - 9), (x + 9, y + 9)]
        if m.estimated:
            draw.ellipse(box, fill="white", outline=INK, width=4)
        else:
            draw.ellipse(box, fill=INK)
        if m.revised:
            draw.ellipse([(x - 13, y - 13), (x + 13, y + 13)], outline=REVISED, width=3)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
