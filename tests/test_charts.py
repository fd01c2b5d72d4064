"""Chart geometry, the terminal chart and the SVG chart."""

from __future__ import annotations

import re
from datetime import date

from kpi.assess import assess_kpi
from kpi.chart import Scale, interpolate, scale_for, series, trend_line
from kpi.svg import chart
from kpi.termchart import ACTUAL, ESTIMATE, PLAN, STRETCH, TARGET, TREND, draw, plot
from tests.test_assess import actual, kpi, target

LINEAR = kpi(baseline=target("2020", 50), targets=(target("2025", 100),), max=100)
FIGURES = [actual("2021", 60), actual("2022", 70, estimated=True)]
AS_OF = date(2023, 6, 30)


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
        (date(2021, 12, 31), 60, False),
        (date(2022, 12, 31), 70, True),
    ]
    assert [(m.label, m.value) for m in s.plan] == [("2020", 50), ("2025", 100)]
    assert [m.label for m in s.targets] == ["2025"]
    scale = scale_for(s, 100, 10)
    assert scale is not None
    assert scale.start < date(2020, 12, 31) and scale.end > date(2025, 12, 31)
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
    col, row = round(s.x(date(2021, 12, 31))), round(s.y(60))
    assert canvas.glyph_at(col, row) == ACTUAL
    assert canvas.glyph_at(round(s.x(date(2022, 12, 31))), round(s.y(70))) == ESTIMATE
    assert canvas.glyph_at(round(s.x(date(2025, 12, 31))), round(s.y(100))) == TARGET
    # The plan path runs between the baseline and the target.
    middle = round(s.x(date(2023, 6, 30)))
    assert any(canvas.glyph_at(middle, r) == PLAN for r in range(canvas.rows))
    # The trend is dashed: every other column from the latest actual to the milestone date.
    first, last = round(s.x(date(2022, 12, 31))), round(s.x(date(2025, 12, 31)))
    trend_columns = [
        c for c in range(canvas.columns) if any(canvas.glyph_at(c, r) == TREND for r in range(12))
    ]
    assert trend_columns and min(trend_columns) > first and max(trend_columns) < last
    assert all((c - first) % 2 == 0 for c in trend_columns)
    assert max(trend_columns) >= last - 3  # it reaches the milestone date


def test_a_down_kpi_has_its_target_below_its_latest_value() -> None:
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
    assert rows[TARGET] > rows[ACTUAL]  # a larger row is lower on screen
    assert rows[STRETCH] > rows[TARGET]


def test_framed_chart_fits_80_columns_and_reads_without_colour() -> None:
    a = assess_kpi(LINEAR, FIGURES, AS_OF)
    lines = ["".join(glyph for glyph, _ in cells) for cells in draw(a, width=80)]
    assert max(len(line) for line in lines) <= 80
    assert lines[-1].startswith("● actual  ○ estimate  ◉ revised  ◆ target")
    assert "2021" in lines[-2] and "2025" in lines[-2]
    assert lines[0].lstrip().startswith("100.0 │")


def test_svg_chart_marks_and_tooltips() -> None:
    a = assess_kpi(LINEAR, FIGURES, AS_OF)
    svg = chart(a)
    assert svg.startswith('<svg class="chart" viewBox="0 0 320 150"')
    assert svg.count('<circle class="actual"') == 1 and svg.count('<circle class="estimate"') == 1
    assert '<polyline class="trend"' in svg and '<polyline class="plan"' in svg
    assert "<title>Actual 2022: 70.0 % (estimate)\nSource: src</title>" in svg
    # The trend's last point is the milestone date at the projected (clamped) value.
    s = scale_for(series(a), 320 - 44 - 10, 150 - 10 - 22)
    assert s is not None
    last = re.search(r'class="trend" points="[^"]* ([\d.]+),([\d.]+)"', svg)
    assert last is not None
    assert float(last.group(1)) == round(44 + s.x(date(2025, 12, 31)), 1)
    assert float(last.group(2)) == round(10 + s.y(100), 1)


def test_nothing_to_draw() -> None:
    a = assess_kpi(kpi(), [], AS_OF)
    assert chart(a) == ""
    assert draw(a) == []
