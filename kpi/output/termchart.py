"""A KPI's series drawn with characters, legible at 80 columns and without colour.

Each kind of mark has its own glyph, so colour only helps: ● actual, ○ estimate, ◉ revised,
◆ target, ◇ stretch, · plan path, - - trend (dashed) to the milestone date.
"""

from datetime import date

from kpi import display
from kpi.assess import Assessment
from kpi.i18n import N_, _
from kpi.output.chart import (
    Scale,
    Series,
    interpolate,
    scale_for,
    series,
    value_ticks,
    year_labels,
    year_ticks,
)

Cell = tuple[str, str]  # (glyph, Rich style)

ACTUAL, ESTIMATE, TARGET, STRETCH, PLAN, TREND = "●", "○", "◆", "◇", "·", "-"
BREAK = "┊"  # a merger: the count before it is of other units
REVISED = "◉"
STYLES = {
    REVISED: "bold",
    ACTUAL: "bold",
    ESTIMATE: "bold",
    TARGET: "bold magenta",
    STRETCH: "magenta",
    PLAN: "cyan",
    TREND: "yellow",
    BREAK: "dim",
}
LEGEND_ENTRIES = [
    (glyph, name)
    for glyph, name in [
        (ACTUAL, N_("actual")),
        (ESTIMATE, N_("estimate")),
        (REVISED, N_("revised")),
        (TARGET, N_("target")),
        (STRETCH, N_("stretch")),
        (PLAN, N_("plan")),
        (f"{TREND} {TREND}", N_("trend")),
    ]
]


class Canvas:
    def __init__(self, scale: Scale, columns: int, rows: int) -> None:
        self.scale = scale
        self.columns = columns
        self.rows = rows
        self.cells: list[list[Cell]] = [[(" ", "")] * columns for _ in range(rows)]

    def col(self, when: date) -> int:
        return round(self.scale.x(when))

    def row(self, value: float) -> int:
        return round(self.scale.y(value))

    def put(self, column: int, row: int, glyph: str) -> None:
        if 0 <= column < self.columns and 0 <= row < self.rows:
            self.cells[row][column] = (glyph, STYLES[glyph])

    def glyph_at(self, column: int, row: int) -> str:
        return self.cells[row][column][0]


def plot(a: Assessment, width: int = 80, height: int = 10) -> Canvas | None:
    """The plot area only (no axes): what the tests check, and what draw() frames."""
    return _plot(series(a), width, height)


def _plot(s: Series, width: int, height: int) -> Canvas | None:
    scale = scale_for(s, 0, 0)
    if scale is None:
        return None
    columns = max(width, 10)
    scale = scale._replace(width=columns - 1, height=height - 1)
    canvas = Canvas(scale, columns, height)
    start_dates = [scale.start + (scale.end - scale.start) * c / (columns - 1) for c in range(columns)]
    for day in s.breaks:
        for row in range(height):
            canvas.put(canvas.col(day), row, BREAK)
    if len(s.plan) >= 2:
        path = [(m.when, m.value) for m in s.plan]
        for c in range(canvas.col(s.plan[0].when), canvas.col(s.plan[-1].when) + 1):
            value = interpolate(path, start_dates[c]) if 0 <= c < columns else None
            if value is not None:
                canvas.put(c, canvas.row(value), PLAN)
    if s.trend:
        first, last = canvas.col(s.trend[0][0]), canvas.col(s.trend[-1][0])
        for c in range(first, last + 1):
            value = interpolate(s.trend, min(max(start_dates[c], s.trend[0][0]), s.trend[-1][0]))
            if value is not None and (c - first) % 2 == 0:
                canvas.put(c, canvas.row(value), TREND)
    for m in s.stretches:
        canvas.put(canvas.col(m.when), canvas.row(m.value), STRETCH)
    for m in s.targets:
        canvas.put(canvas.col(m.when), canvas.row(m.value), TARGET)
    for m in s.actuals:
        glyph = REVISED if m.revised else ESTIMATE if m.estimated else ACTUAL
        canvas.put(canvas.col(m.when), canvas.row(m.value), glyph)
    return canvas


def draw(a: Assessment, width: int = 80, height: int = 10) -> list[list[Cell]]:
    """The framed chart: round values on the left, each year's label under its span, a legend."""
    unit = a.kpi.unit
    s = series(a)
    probe = scale_for(s, 0, 0)
    if probe is None:
        return []
    ticks = value_ticks(probe, most=4)
    texts = [display.value(v, unit) for v in ticks]
    margin = max(len(t) for t in texts) + 1
    canvas = _plot(s, width - margin - 1, height)
    if canvas is None:
        return []
    labels: dict[int, str] = {}
    for value, text in zip(ticks, texts, strict=True):
        row = canvas.row(value)
        if 0 <= row < height and not any(abs(row - taken) < 2 for taken in labels):
            labels[row] = text
    lines: list[list[Cell]] = []
    for r in range(height):
        label = labels.get(r, "")
        lines.append([(ch, "dim") for ch in label.rjust(margin - 1) + " "] + [("│", "dim")] + canvas.cells[r])
    axis = [(" ", "")] * margin + [("└", "dim")] + [("─", "dim")] * canvas.columns
    years = [(" ", "")] * (margin + 1 + canvas.columns)
    for tick in year_ticks(canvas.scale):
        c = margin + 1 + canvas.col(tick)
        if c < len(axis):
            axis[c] = ("┴", "dim")
    for year, middle in year_labels(canvas.scale, most=max(1, canvas.columns // 6)):
        label = str(year)
        c = margin + 1 + canvas.col(middle) - len(label) // 2
        c = min(max(c, margin + 1), len(years) - len(label))
        if all(ch == " " for ch, _ in years[max(c - 1, 0) : c + len(label) + 1]):
            years[c : c + len(label)] = [(ch, "dim") for ch in label]
    lines += [axis, years]
    if canvas.scale.inverted:
        lines.append([(ch, "dim") for ch in _("↑ better: the value axis is inverted (lower is better)")])
    # The legend wraps between its entries, never inside one.
    legend = ""
    merger = [(BREAK, N_("merger: other units counted"))] if s.breaks else []
    for glyph, name in [*LEGEND_ENTRIES, *merger]:
        entry = f"{glyph} {_(name)}"
        if legend and len(legend) + 2 + len(entry) > width:
            lines.append([(ch, "dim") for ch in legend])
            legend = entry
        else:
            legend = f"{legend}  {entry}" if legend else entry
    lines.append([(ch, "dim") for ch in legend])
    return lines
