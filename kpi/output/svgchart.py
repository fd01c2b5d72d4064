"""A KPI's series as a small inline SVG: the same geometry and marks as the terminal chart.

Hand-written: a line chart of a few polylines and markers is shorter as SVG text than as
a charting library's configuration, and the report must carry no external resources.
Every mark has a <title>, so a browser shows its period, value, source and quote on hover.
"""

from datetime import date
from html import escape

from kpi import display
from kpi.assess import Assessment
from kpi.i18n import N_, _, language
from kpi.output.chart import Mark, Scale, scale_for, series, value_ticks, year_labels, year_ticks

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 10, 22  # room for the axis labels


def _tooltip(m: Mark, unit: str, kind: str, shown: str) -> str:
    text = f"{_(kind)} {m.label}: {display.with_unit(display.value(m.value, unit), shown)}"
    if m.estimated:
        text += " " + _("(estimate)")
    if m.revised:
        text += " " + _("(revised)")
    if m.source:
        text += "\n" + _("Source: {source}").format(source=m.source)
    if m.quote:
        text += f"\n“{m.quote}”"
    return f"<title>{escape(display.printable(text), quote=False)}</title>"


def chart(a: Assessment) -> str:
    """An <svg> element for the KPI's series, or '' when it has nothing to draw."""
    s = series(a)
    probe = scale_for(s, 1, 1)
    if probe is None or not (s.actuals or s.plan):
        return ""
    unit, shown = a.kpi.unit, a.kpi.unit_label(language())
    # Room for the widest value label (about 6 px a character at 10 px), and above the plot for
    # an inverted axis's caption, so that neither covers a mark.
    left = max(LEFT, 10 + 6 * max(len(display.value(v, unit)) for v in value_ticks(probe)))
    top = TOP + (12 if s.inverted else 0)
    scale = scale_for(s, WIDTH - left - RIGHT, HEIGHT - top - BOTTOM)
    assert scale is not None

    def xy(when: date, value: float) -> tuple[float, float]:
        return left + scale.x(when), top + scale.y(value)

    def polyline(points: list[tuple[float, float]]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(display.printable(a.kpi.label(language())))}" xmlns="http://www.w3.org/2000/svg">',
        _axes(scale, unit, left, top),
    ]
    for day in s.breaks:  # a merger: the count before it is of other units
        x = left + scale.x(day)
        tip = escape(_("merger on {day}: the units counted change").format(day=display.iso(day)))
        parts.append(
            f'<line class="break" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + scale.height:.1f}">'
            f"<title>{tip}</title></line>"
        )
    if len(s.plan) >= 2:
        points = polyline([xy(m.when, m.value) for m in s.plan])
        title = escape(_("plan path"))
        parts.append(f'<polyline class="plan" points="{points}"><title>{title}</title></polyline>')
    if s.trend:
        points = polyline([xy(w, v) for w, v in s.trend])
        title = escape(_("trend to the milestone"))
        parts.append(f'<polyline class="trend" points="{points}"><title>{title}</title></polyline>')
    for m in s.stretches:
        parts.append(_diamond(xy(m.when, m.value), "stretch", _tooltip(m, unit, N_("Stretch"), shown)))
    for m in s.targets:
        parts.append(_diamond(xy(m.when, m.value), "target", _tooltip(m, unit, N_("Target"), shown)))
    for m in s.actuals:
        x, y = xy(m.when, m.value)
        kind = "estimate" if m.estimated else "actual"
        if m.revised:
            kind += " revised"
        tip = _tooltip(m, unit, N_("Actual"), shown)
        parts.append(f'<circle class="{kind}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">{tip}</circle>')
    parts.append("</svg>")
    return "".join(parts)


def _diamond(center: tuple[float, float], kind: str, title: str) -> str:
    x, y = center
    r = 5
    points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
    return f'<polygon class="{kind}" points="{points}">{title}</polygon>'


def _axes(scale: Scale, unit: str, left: int, top: int) -> str:
    """Round values on the left with faint grid lines; each year labelled in the middle of its
    span, with ticks where one year ends and the next begins."""
    x0, y0, x1, y1 = left, top, left + scale.width, top + scale.height
    parts = [f'<path class="axis" d="M{x0},{y0} V{y1} H{x1}"/>']
    for value in value_ticks(scale):
        y = top + scale.y(value)
        parts.append(f'<path class="grid" d="M{x0},{y:.1f} H{x1}"/>')
        parts.append(
            f'<text class="label" x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(display.value(value, unit))}</text>"
        )
    for tick in year_ticks(scale):
        x = left + scale.x(tick)
        parts.append(f'<path class="tick" d="M{x:.1f},{y1} v6"/>')
    for year, middle in year_labels(scale):
        x = left + scale.x(middle)
        parts.append(f'<text class="label" x="{x:.1f}" y="{y1 + 15}" text-anchor="middle">{year}</text>')
    if scale.inverted:
        caption = escape(_("↑ better (axis inverted)"))
        parts.append(f'<text class="label caption" x="{x0}" y="{y0 - 6}">{caption}</text>')
    return "".join(parts)
