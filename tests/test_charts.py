"""Chart geometry, the terminal chart and the SVG chart."""

from __future__ import annotations

import re
from datetime import date

from kpi.assess import assess_kpi
from kpi.output.chart import (
    Scale,
    interpolate,
    scale_for,
    series,
    trend_line,
    value_ticks,
    year_labels,
    year_ticks,
)
from kpi.output.svgchart import chart
from kpi.output.termchart import ACTUAL, ESTIMATE, PLAN, STRETCH, TARGET, TREND, draw, plot
from tests.builders import actual, kpi, target

LINEAR = kpi(baseline=target("2020", 50), targets=(target("2025", 100),), max=100)
FIGURES = [actual("2021", 60), actual("2022", 70, estimated=True)]
AS_OF = date(2023, 6, 30)
MID_2021, MID_2022, MID_2025 = date(2021, 7, 2), date(2022, 7, 2), date(2025, 7, 2)  # a year's middle


def test_scale_maps_dates_and_values_linearly() -> None:
    s = Scale(date(2020, 1, 1), date(2030, 1, 1), 0.0, 100.0, 365.0, 50.0)
    assert s.x(date(2020, 1, 1)) == 0
    assert s.x(date(2030, 1, 1)) == 365
    assert s.x(date(2025, 1, 1)) == 365 * 1827 / 3653
    assert s.y(100) == 0  # higher values are drawn higher
    assert s.y(0) == 50
    assert s.y(25) == 37.5


def test_series_and_scale_hold_every_mark() -> None:
    a = assess_kpi(LINEAR, FIGURES, AS_OF)
    s = series(a)
    assert [(m.when, m.value, m.estimated) for m in s.actuals] == [
        (MID_2021, 60, False),  # drawn at the middle of their period
        (MID_2022, 70, True),
    ]
    assert [(m.label, m.value) for m in s.plan] == [("2020", 50), ("2025", 100)]
    assert [m.label for m in s.targets] == ["2025"]
    scale = scale_for(s, 100, 10)
    assert scale is not None
    assert scale.start < date(2020, 7, 2) and scale.end > MID_2025
    assert scale.low < 50 and scale.high == 100  # padding stops at max = 100


def test_the_trend_runs_from_the_latest_actual_to_the_milestone_date() -> None:
    a = assess_kpi(LINEAR, FIGURES, AS_OF)
    line = trend_line(a)
    assert line[0] == (date(2022, 12, 31), 70)
    assert line[-1][0] == date(2025, 12, 31)
    assert line[-1][1] == a.projected == 100  # clamped at max, like the projection
    assert interpolate(line, date(2023, 12, 31)) is not None
    overdue = assess_kpi(LINEAR, FIGURES, date(2027, 1, 1))
    assert trend_line(overdue._replace(milestone=target("2022", 90))) == []


def test_terminal_chart_places_each_mark() -> None:
    a = assess_kpi(LINEAR, FIGURES, AS_OF)
    canvas = plot(a, width=60, height=12)
    assert canvas is not None
    s = canvas.scale
    col, row = round(s.x(MID_2021)), round(s.y(60))
    assert canvas.glyph_at(col, row) == ACTUAL
    assert canvas.glyph_at(round(s.x(MID_2022)), round(s.y(70))) == ESTIMATE
    assert canvas.glyph_at(round(s.x(MID_2025)), round(s.y(100))) == TARGET
    # The plan path runs between the baseline and the target.
    middle = round(s.x(date(2023, 6, 30)))
    assert any(canvas.glyph_at(middle, r) == PLAN for r in range(canvas.rows))
    # The trend is dashed: every other column from the latest actual's mark to the milestone's.
    first, last = round(s.x(MID_2022)), round(s.x(MID_2025))
    trend_columns = [
        c for c in range(canvas.columns) if any(canvas.glyph_at(c, r) == TREND for r in range(12))
    ]
    assert trend_columns and min(trend_columns) > first and max(trend_columns) < last
    assert all((c - first) % 2 == 0 for c in trend_columns)
    assert max(trend_columns) >= last - 3  # it reaches the milestone date


def test_a_rank_is_drawn_with_better_up_and_says_so() -> None:
    rank = kpi(unit="hạng", direction="down", targets=(target("2025", 50, stretch=40),))
    a = assess_kpi(rank, [actual("2022", 73), actual("2024", 67)], date(2025, 1, 31))
    canvas = plot(a, width=60, height=12)
    assert canvas is not None
    rows = {
        glyph: r
        for r in range(canvas.rows)
        for c in range(canvas.columns)
        if (glyph := canvas.glyph_at(c, r)) != " "
    }
    assert rows[TARGET] < rows[ACTUAL]  # a smaller row is higher on screen: rank 50 above 67
    assert rows[STRETCH] < rows[TARGET]
    lines = ["".join(glyph for glyph, _ in cells) for cells in draw(a, width=80)]
    assert any("inverted" in line for line in lines)
    labelled = [line.split("│")[0].strip() for line in lines if "│" in line and line.split("│")[0].strip()]
    assert [int(x) for x in labelled] == sorted(int(x) for x in labelled)  # small ranks on top
    svg = chart(a)
    assert "axis inverted" in svg
    top = re.search(r'<circle class="actual" cx="[\d.]+" cy="([\d.]+)"', svg)
    diamond = re.search(r'<polygon class="target" points="[\d.]+,([\d.]+)', svg)
    assert top is not None and diamond is not None
    assert float(diamond.group(1)) + 5 < float(top.group(1))  # the target (a smaller rank) is higher


def test_a_2024_figure_is_drawn_within_2024s_label_span() -> None:
    a = assess_kpi(LINEAR, [actual("2024", 80)], date(2025, 1, 31))
    canvas = plot(a, width=70, height=10)
    assert canvas is not None
    s = canvas.scale
    column = next(
        c for c in range(canvas.columns) for r in range(canvas.rows) if canvas.glyph_at(c, r) == ACTUAL
    )
    assert s.x(date(2024, 1, 1)) < column < s.x(date(2025, 1, 1))
    label = dict(year_labels(s))[2024]
    assert date(2024, 1, 1) < label < date(2024, 12, 31)
    assert abs(s.x(label) - column) <= 1  # the label sits over the year's figure
    # the framed terminal chart: the "2024" printed under the figure's column
    lines = ["".join(glyph for glyph, _ in cells) for cells in draw(a, width=80)]
    plot_line = next(line for line in lines if ACTUAL in line)
    years_line = next(line for line in lines if "2024" in line and "│" not in line and "┴" not in line)
    at = plot_line.index(ACTUAL)
    assert years_line.index("2024") <= at <= years_line.index("2024") + 3
    # and in the SVG: the circle lies between the ticks of 1 January 2024 and 2025
    svg = chart(a)
    circle = re.search(r'<circle class="actual" cx="([\d.]+)"', svg)
    ticks = [float(x) for x in re.findall(r'<path class="tick" d="M([\d.]+),', svg)]
    years = [t.year for t in year_ticks(scale_for(series(a), 1, 1))]  # type: ignore[arg-type]
    assert circle is not None
    x = float(circle.group(1))
    assert ticks[years.index(2024)] < x < ticks[years.index(2025)]
    text = re.search(r'<text class="label" x="([\d.]+)" y="[\d.]+" text-anchor="middle">2024</text>', svg)
    assert text is not None and abs(float(text.group(1)) - x) < 3


def test_sub_annual_figures_sit_inside_their_month_and_quarter() -> None:
    a = assess_kpi(LINEAR, [actual("2023-05", 72), actual("2023-Q3", 74)], date(2023, 12, 1))
    marks = {m.label: m.when for m in series(a).actuals}
    assert date(2023, 5, 1) < marks["2023-05"] < date(2023, 5, 31)
    assert date(2023, 7, 1) < marks["2023-Q3"] < date(2023, 9, 30)


def test_value_ticks_are_round() -> None:
    scale = Scale(date(2020, 1, 1), date(2021, 1, 1), 14_084, 75_216, 10, 10)
    ticks = value_ticks(scale)
    assert ticks == [20_000, 40_000, 60_000]
    for low, high in [(0.0, 1.0), (-3.2, 7.9), (61.5, 86.3), (0.0012, 0.0047), (1e9, 9.9e9)]:
        ticks = value_ticks(Scale(date(2020, 1, 1), date(2021, 1, 1), low, high, 10, 10))
        assert 2 <= len(ticks) <= 6 and all(low <= t <= high for t in ticks)
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** __import__("math").floor(__import__("math").log10(step))
        assert round(mantissa, 9) in (1, 2, 5)


def test_framed_chart_fits_80_columns_and_reads_without_colour() -> None:
    a = assess_kpi(LINEAR, FIGURES, AS_OF)
    lines = ["".join(glyph for glyph, _ in cells) for cells in draw(a, width=80)]
    assert max(len(line) for line in lines) <= 80
    assert lines[-1].startswith("● actual  ○ estimate  ◉ revised  ◆ target")
    assert "2021" in lines[-2] and "2025" in lines[-2]
    labels = [line.split("│")[0].strip() for line in lines if "│" in line and line.split("│")[0].strip()]
    assert labels and labels[0] == "100.0"  # round values only


def test_svg_chart_marks_and_tooltips() -> None:
    a = assess_kpi(LINEAR, FIGURES, AS_OF)
    svg = chart(a)
    assert svg.startswith('<svg class="chart" viewBox="0 0 320 150"')
    assert svg.count('<circle class="actual"') == 1 and svg.count('<circle class="estimate"') == 1
    assert '<polyline class="trend"' in svg and '<polyline class="plan"' in svg
    assert "<title>Actual 2022: 70.0% (estimate)\nSource: src</title>" in svg
    # The trend's last point is the milestone date at the projected (clamped) value.
    s = scale_for(series(a), 320 - 44 - 10, 150 - 10 - 22)
    assert s is not None
    last = re.search(r'class="trend" points="[^"]* ([\d.]+),([\d.]+)"', svg)
    assert last is not None
    assert float(last.group(1)) == round(44 + s.x(MID_2025), 1)
    assert float(last.group(2)) == round(10 + s.y(100), 1)


def test_nothing_to_draw() -> None:
    a = assess_kpi(kpi(), [], AS_OF)
    assert chart(a) == ""
    assert draw(a) == []


def test_value_ticks_at_the_ends_of_the_floats() -> None:
    import sys

    for low, high in [
        (0.0, 5e-324),
        (0.0, 1e-310),
        (-1.7e308, 1.7e308),
        (1e308, 1.7e308),
        (-5.0, -5.0),
        (7.0, 7.0),
    ]:
        ticks = value_ticks(Scale(date(2020, 1, 1), date(2021, 1, 1), low, high, 10, 10))
        assert ticks and all(low <= t <= high for t in ticks), (low, high, ticks)
        assert all(abs(t) <= sys.float_info.max for t in ticks)
