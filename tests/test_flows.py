"""Flows judged year to date, targets from a stated share of the plan, growth KPIs and stated
changes — on hand-computed values."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kpi.assess import assess_kpi
from kpi.derive import derive
from kpi.flows import project, year_to_date
from kpi.model import Actual, Kpi, Target
from kpi.periods import parse_period
from tests.builders import edit
from tests.conftest import run

YEAR = parse_period("2024")
DAYS_2024 = 366


def flow(**fields: Any) -> Kpi:
    base: dict[str, Any] = {
        "id": "rev",
        "sector": "s",
        "name": "Revenue",
        "unit": "tỷ đồng",
        "measure": "flow",
    }
    return Kpi(**(base | fields))


def fig(period: str, value: float, **fields: Any) -> Actual:
    return Actual("rev", parse_period(period), value, "s", **fields)


# --- year to date ---------------------------------------------------------------------------


def test_months_under_a_quarter_count_once() -> None:
    ytd = year_to_date([fig("2024-01", 100), fig("2024-02", 100), fig("2024-03", 100), fig("2024-Q1", 310),
                        fig("2024-04", 90)], YEAR)  # fmt: skip
    assert ytd is not None
    assert ytd.total == 400  # Q1 (310) covers its months; April is added
    assert [a.period.text for a in ytd.figures] == ["2024-Q1", "2024-04"]
    assert ytd.covered_days == 91 + 30 and ytd.through == date(2024, 4, 30)
    assert ytd.elapsed_share == pytest.approx(121 / DAYS_2024)


def test_a_half_year_covers_its_quarters_and_months() -> None:
    ytd = year_to_date([fig("2024-Q1", 310), fig("2024-H1", 650), fig("2024-05", 110)], YEAR)
    assert ytd is not None and ytd.total == 650 and ytd.covered_days == 182


def test_a_cumulative_figure_counts_from_january() -> None:
    ytd = year_to_date([fig("2024-Q1", 310), fig("2024-05", 520, cumulative=True)], YEAR)
    assert ytd is not None and ytd.total == 520 and ytd.covered_days == 152  # 1 January to 31 May
    assert ytd.label == "2024…2024-05-31"


def test_pace_run_rate_and_status() -> None:
    k = flow(targets=(Target(YEAR, 1200),))
    a = assess_kpi(k, [fig("2024-H1", 650)], date(2024, 7, 31))
    share = 182 / DAYS_2024
    assert a.flow is not None
    assert a.attainment == pytest.approx(650 / 1200)
    assert a.flow.pace == pytest.approx((650 / 1200) / share)
    assert a.projected == pytest.approx(650 / share) and a.flow.projection is not None
    assert a.flow.projection.basis == "run rate"
    assert a.score == pytest.approx(650 / share / 1200)  # 1.089: on track
    assert a.status == "on_track"
    assert a.gap == pytest.approx(550)  # still to be earned this year
    assert a.flow.needed_per_month == pytest.approx(550 / (184 / (365.25 / 12)))


def test_behind_pace_needs_acceleration() -> None:
    k = flow(targets=(Target(YEAR, 1000),))
    a = assess_kpi(k, [fig("2024-H1", 371)], date(2024, 7, 31))  # 37.1 % of the plan at mid-year
    assert a.score == pytest.approx(371 / (182 / DAYS_2024) / 1000)  # 0.746
    assert (a.status, a.light) == ("acceleration_needed", "amber")


def test_seasonality_from_last_year() -> None:
    k = flow(targets=(Target(YEAR, 1200),))
    known = [fig("2023-H1", 500), fig("2023", 1100), fig("2024-H1", 650)]
    a = assess_kpi(k, known, date(2024, 7, 31))
    assert a.flow is not None and a.flow.projection is not None
    assert a.flow.projection.basis == "seasonality"
    assert a.projected == pytest.approx(650 * 1100 / 500)  # 1430
    assert a.yoy == pytest.approx(650 / 500 - 1)


def test_last_year_incomplete_falls_back_to_the_run_rate() -> None:
    ytd = year_to_date([fig("2024-H1", 650)], YEAR)
    assert ytd is not None
    projection = project(ytd, [fig("2023-H1", 500), fig("2024-H1", 650)])  # no full 2023
    assert projection is not None and projection.basis == "run rate"


def test_a_completed_year_compares_its_total() -> None:
    k = flow(targets=(Target(YEAR, 1200),))
    missed = assess_kpi(k, [fig("2024-H1", 650), fig("2024-H2", 500)], date(2025, 3, 1))
    assert missed.status == "missed" and missed.latest is not None and missed.latest.value == 1150
    met = assess_kpi(k, [fig("2024", 1250)], date(2025, 3, 1))
    assert met.status == "achieved"
    waiting = assess_kpi(k, [fig("2024-H1", 650)], date(2025, 3, 1))  # a half year never judges a year
    assert (waiting.status, waiting.light) == ("awaiting_final", "grey")


def test_achieved_during_the_year() -> None:
    k = flow(targets=(Target(YEAR, 600),))
    assert assess_kpi(k, [fig("2024-H1", 650)], date(2024, 7, 31)).status == "achieved"


# --- derived figures and targets ------------------------------------------------------------


def test_a_plan_share_gives_the_target() -> None:
    kpis = {"rev": flow()}
    actuals = [fig("2024-H1", 650, plan_share=0.5, position=1)]
    kpis, _, problems = derive(kpis, actuals, "targets.toml", "actuals.toml")
    [target] = kpis["rev"].targets
    assert (target.period.text, target.value, target.derived) == ("2024", 1300, True)
    assert problems == []
    assert "650 (2024-H1) is 50.0% of the plan, so the plan is 650 / 0.5 = 1,300" in str(target.note)


def test_the_latest_revision_states_the_plan_and_other_figures_that_disagree_warn() -> None:
    first = fig("2024-H1", 800, plan_share=0.4, published=date(2024, 6, 25), estimated=True, position=1)
    revised = fig("2024-H1", 1000, plan_share=0.5, published=date(2024, 7, 20), position=2)
    kpis, _, problems = derive({"rev": flow()}, [first, revised], "t", "a")
    assert [t.value for t in kpis["rev"].targets] == [2000] and problems == []
    other = fig("2024-03", 300, plan_share=0.2, published=date(2024, 4, 10), position=3)
    kpis, _, problems = derive({"rev": flow()}, [first, revised, other], "t", "a")
    assert [t.value for t in kpis["rev"].targets] == [2000]
    [warning] = problems
    assert "implies a target of 1,500, but 2024-H1 implies 2,000" in warning.message


def test_a_declared_target_wins_and_a_disagreement_warns() -> None:
    kpis = {"rev": flow(targets=(Target(YEAR, 1200),))}
    kpis, _, problems = derive(kpis, [fig("2024-H1", 650, plan_share=0.5, position=1)], "t", "a")
    assert [t.value for t in kpis["rev"].targets] == [1200]
    [warning] = problems
    assert (
        warning.warning and "implies a target of 1,300, but the declared target is 1,200" in warning.message
    )
    near = {"rev": flow(targets=(Target(YEAR, 1295),))}  # within 1 %
    assert derive(near, [fig("2024-H1", 650, plan_share=0.5, position=1)], "t", "a")[2] == []


def test_a_change_on_a_cumulative_figure_gives_a_cumulative_earlier_figure() -> None:
    may = fig("2025-05", 1500, cumulative=True, change=0.1, change_from="same period last year", position=1)
    _, actuals, problems = derive({"rev": flow()}, [may], "t", "a")
    assert problems == []
    [earlier] = [x for x in actuals if x.derived]
    assert earlier.period.text == "2024-05" and earlier.cumulative
    assert earlier.start == date(2024, 1, 1) and earlier.value == pytest.approx(1500 / 1.1)
    # A recorded May alone is another figure, not the one the change was measured from.
    month = fig("2024-05", 330, position=2)
    assert derive({"rev": flow()}, [may, month], "t", "a")[2] == []


def test_a_stated_change_gives_the_earlier_figure() -> None:
    a = fig("2023", 58900, change=0.093, change_from="2022", position=3, published=date(2023, 12, 29))
    _, actuals, problems = derive({"rev": flow()}, [a], "t", "a")
    [earlier] = [x for x in actuals if x.period.text == "2022"]
    assert earlier.value == pytest.approx(58900 / 1.093) and earlier.derived and earlier.estimated
    assert earlier.published == date(2023, 12, 29)  # known when the change was stated, not before
    assert "between 53,863.74 and 53,913.04" in str(earlier.note)  # 58,900 / 1.0935 and / 1.0925
    assert problems == []
    same = fig("2024-H1", 2067389, change=0.27, change_from="same period last year", position=1)
    _, actuals, _ = derive({"rev": flow()}, [same], "t", "a")
    assert [x.period.text for x in actuals if x.derived] == ["2023-H1"]


def test_a_change_that_contradicts_the_recorded_figures_warns() -> None:
    now = fig("2023", 58900, change=0.093, change_from="2022", position=2)
    fits = fig("2022", 53890, position=1)
    assert derive({"rev": flow()}, [fits, now], "t", "a")[2] == []
    wrong = fig("2022", 50000, position=1)
    [warning] = derive({"rev": flow()}, [wrong, now], "t", "a")[2]
    assert warning.warning
    assert "the stated change +9.3% from 2022 does not fit the recorded 50,000" in warning.message


def test_a_growth_kpi_stated_and_computed() -> None:
    source = flow()
    growth = Kpi("growth", "s", "Growth", "%/năm", derived_from="rev", formula="growth")
    stated = Actual("growth", YEAR, 21, "s", estimated=True, position=5)
    revenue = [fig("2023", 58900, position=1), fig("2024", 71000, estimated=True, position=2)]
    kpis = {"rev": source, "growth": growth}
    _, actuals, problems = derive(kpis, [*revenue, stated], "t", "a")
    assert problems == []  # 71,000 / 58,900 − 1 = 20.54 %: within the stated 21's rounding
    assert not [a for a in actuals if a.kpi == "growth" and a.derived]  # the stated figure wins
    _, actuals, _ = derive(kpis, revenue, "t", "a")
    [computed] = [a for a in actuals if a.kpi == "growth"]
    assert computed.value == pytest.approx((71000 / 58900 - 1) * 100) and computed.derived
    far = stated._replace(value=25.0)
    [warning] = derive(kpis, [*revenue, far], "t", "a")[2]
    assert "the stated growth 25 differs from the 20.54 computed from rev" in warning.message


# --- through the files --------------------------------------------------------------------------

TARGETS = """\
[plan]
name = "Plan"

[sectors.ict]
name = "ICT"

[[kpi]]
id = "ict.revenue"
sector = "ict"
name = "Doanh thu"
unit = "tỷ đồng"
direction = "up"
measure = "flow"

[[kpi]]
id = "cyber.revenue"
sector = "ict"
name = "Doanh thu ATTT"
unit = "tỷ đồng"
direction = "up"
measure = "flow"

[[kpi]]
id = "ict.share"
sector = "ict"
name = "Tỷ lệ"
unit = "%"
direction = "up"
"""

ACTUALS = """\
[[actual]]
kpi = "ict.revenue"
period = "2024-H1"
value = 2067389
estimated = true
plan_share = 0.5
published = 2024-07-29
source = "001"

[[actual]]
kpi = "cyber.revenue"
period = "2024-H1"
value = 2579
plan_share = 0.371
published = 2024-07-29
source = "001"
"""


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    (tmp_path / "targets.toml").write_text(TARGETS, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    return tmp_path


def test_half_year_shares_of_the_plan_get_a_status(flows_dir: Path) -> None:
    out = run("status", "--data-dir", str(flows_dir), "--as-of", "2024-07-31", "--format", "json")
    kpis = {k["id"]: k for k in json.loads(out.output)["kpis"]}
    sector = kpis["ict.revenue"]
    assert sector["measure"] == "flow" and sector["milestone"]["derived"]
    assert sector["milestone"]["value"] == pytest.approx(2067389 / 0.5)
    assert sector["attainment"] == pytest.approx(0.5)
    assert sector["elapsed_share"] == pytest.approx(182 / 366)
    assert sector["pace"] == pytest.approx(0.5 / (182 / 366))  # 1.005: about on pace
    assert sector["status"] == "on_track" and sector["projection_basis"] == "run rate"
    cyber = kpis["cyber.revenue"]
    assert cyber["attainment"] == pytest.approx(0.371)
    assert cyber["status"] == "acceleration_needed"  # 37.1 % at mid-year: behind
    show = run("show", "cyber.revenue", "--data-dir", str(flows_dir), "--as-of", "2024-07-31", "--lang", "en",
               env={"COLUMNS": "200"})  # fmt: skip
    assert "Year to date" in show.output and "run rate" in show.output
    words = " ".join(show.output.split())
    assert "is 37.1% of the plan, so the plan is 2,579 / 0.371 = 6,951.48" in words, show.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('\n[[actual]]\nkpi = "ict.revenue"\nperiod = "2024-Q2"\nvalue = 1\nsource = "s"\n\n[[actual]]\n'
         'kpi = "ict.revenue"\nperiod = "2024-05"\nvalue = 2\ncumulative = true\nsource = "s"\n',
         "without either containing the other; kpi cannot tell how much of each to count"),
        ('\n[[actual]]\nkpi = "ict.share"\nperiod = "2024"\nvalue = 1\ncumulative = true\nsource = "s"\n',
         'cumulative applies to flows: the KPI has measure = "level"'),
        ('\n[[actual]]\nkpi = "ict.share"\nperiod = "2024"\nvalue = 1\nplan_share = 0\nsource = "s"\n',
         "plan_share 0 must be above 0 and at most 10"),
        ('\n[[actual]]\nkpi = "ict.share"\nperiod = "2024"\nvalue = 1\nplan_share = 11\nsource = "s"\n',
         "plan_share 11 must be above 0 and at most 10"),
        ('\n[[actual]]\nkpi = "ict.share"\nperiod = "2024"\nvalue = 1\nchange = 0.1\nsource = "s"\n',
         '"change" and "change_from" go together'),
        ('\n[[actual]]\nkpi = "ict.share"\nperiod = "2024"\nvalue = 1\nchange = 0.1\n'
         'change_from = "last year"\nsource = "s"\n',
         'change_from "last year" must be a year such as "2022" or "same period last year"'),
        ('\n[[actual]]\nkpi = "ict.revenue"\nperiod = "2024"\nvalue = 1\nchange = 0.1\n'
         'change_from = "2024"\nsource = "s"\n',
         'change_from "2024" must be a year before the figure\'s'),
        ('\n[[actual]]\nkpi = "ict.revenue"\nperiod = "2024-Q1"\nvalue = 1\nplan_share = 0.4\n'
         'plan_period = "2023"\nsource = "s"\n',
         "plan_period 2023 must contain the figure's period 2024-Q1"),
    ],
)  # fmt: skip
def test_flow_keys_are_checked(flows_dir: Path, extra: str, message: str) -> None:
    (flows_dir / "actuals.toml").write_text(ACTUALS + extra, encoding="utf-8")
    result = run("validate", "--data-dir", str(flows_dir))
    assert result.exit_code == 1 and message in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'derived_from = "ict.revenu"\nformula = "growth"\n',
            'derived_from names an unknown KPI "ict.revenu"',
        ),
        (
            'derived_from = "ict.share"\nformula = "growth"\n',
            "derived_from makes a cycle: ict.share → ict.share",
        ),
        ('formula = "growth"\n', '"derived_from" and "formula" go together'),
        ('derived_from = "ict.revenue"\nformula = "ratio"\n', '"formula" must be "growth"'),
    ],
)
def test_growth_kpis_are_checked(flows_dir: Path, extra: str, message: str) -> None:
    (flows_dir / "targets.toml").write_text(TARGETS + extra, encoding="utf-8")
    result = run("validate", "--data-dir", str(flows_dir))
    assert result.exit_code == 1 and message in result.output


def test_a_flow_to_stay_under_is_refused(flows_dir: Path) -> None:
    targets = edit(TARGETS, 'direction = "up"\nmeasure = "flow"', 'direction = "down"\nmeasure = "flow"', 1)
    (flows_dir / "targets.toml").write_text(targets, encoding="utf-8")
    result = run("validate", "--data-dir", str(flows_dir))
    assert result.exit_code == 1 and 'direction = "down" flows are not supported' in result.output


def test_warnings_do_not_fail_validate_unless_strict(flows_dir: Path) -> None:
    targets = edit(
        TARGETS,
        'measure = "flow"\n',
        'measure = "flow"\ntargets = [{ period = "2024", value = 3000000 }]\n',
        1,
    )
    (flows_dir / "targets.toml").write_text(targets, encoding="utf-8")
    result = run("validate", "--data-dir", str(flows_dir))
    assert result.exit_code == 0
    assert "warning: 2,067,389 at 50.0% of the 2024 plan implies a target of 4,134,778" in result.output
    assert "1 warning." in result.output
    assert run("validate", "--strict", "--data-dir", str(flows_dir)).exit_code == 1
    vi = run("validate", "--lang", "vi", "--data-dir", str(flows_dir)).output
    assert "cảnh báo: 2.067.389" in vi
    assert run("status", "--data-dir", str(flows_dir)).exit_code == 0  # warnings never block a report


def test_a_month_and_its_half_year_are_not_duplicates_for_a_flow(flows_dir: Path) -> None:
    extra = '\n[[actual]]\nkpi = "ict.revenue"\nperiod = "2024-06"\nvalue = 300000\nsource = "s"\n'
    (flows_dir / "actuals.toml").write_text(ACTUALS + extra, encoding="utf-8")
    assert run("validate", "--data-dir", str(flows_dir)).exit_code == 0
    level = '\n[[actual]]\nkpi = "ict.share"\nperiod = "2024"\nvalue = 1\nsource = "s"\n'
    same_day = level + level.replace('period = "2024"', 'period = "2024-12"')
    (flows_dir / "actuals.toml").write_text(ACTUALS + same_day, encoding="utf-8")
    assert "two figures for one day" in run("validate", "--data-dir", str(flows_dir)).output


def test_record_states_plan_shares_changes_and_cumulative_figures(flows_dir: Path) -> None:
    base = ("--data-dir", str(flows_dir), "--source", "Báo cáo", "--published", "2025-07-20")
    out = run("record", "ict.revenue", "2.100.000", "--period", "2025-H1", "--plan-share", "50%", *base,
              "--lang", "vi")  # fmt: skip
    assert out.exit_code == 0, out.output
    out = run("record", "cyber.revenue", "1500", "--period", "2025-05", "--cumulative", "--change", "-2,5%",
              "--change-from", "same period last year", *base, "--lang", "vi")  # fmt: skip
    assert out.exit_code == 0, out.output
    figures = tomllib.loads((flows_dir / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    assert figures[-2]["plan_share"] == 0.5 and figures[-2]["value"] == 2100000
    assert figures[-1]["cumulative"] is True and figures[-1]["change"] == -0.025
    assert figures[-1]["change_from"] == "same period last year"
    # A correction keeps what it does not restate and replaces what it does.
    out = run("record", "ict.revenue", "2150000", "--period", "2025-H1", "--replace", "--plan-share", "0.52",
              "--data-dir", str(flows_dir))  # fmt: skip
    assert out.exit_code == 0, out.output
    figures = tomllib.loads((flows_dir / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    h1 = [f for f in figures if f["kpi"] == "ict.revenue" and f["period"] == "2025-H1"]
    assert len(h1) == 1 and h1[0]["plan_share"] == 0.52 and h1[0]["source"] == "Báo cáo"
    assert run("validate", "--data-dir", str(flows_dir)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--plan-share", "0"), "plan_share 0 must be above 0"),
        (("--change", "12%"), '"change" and "change_from" go together'),
        (("--cumulative",), 'cumulative applies to flows: the KPI has measure = "level"'),
    ],
)
def test_record_refuses_what_validate_refuses(flows_dir: Path, args: tuple[str, ...], message: str) -> None:
    before = (flows_dir / "actuals.toml").read_bytes()
    kpi = "ict.share" if "--cumulative" in args else "ict.revenue"
    out = run("record", kpi, "1", "--period", "2025", "--source", "s", *args, "--data-dir", str(flows_dir))
    assert out.exit_code == 2 and message in out.output, out.output  # what was typed is wrong
    assert "actual[" not in out.output  # and it is not blamed on an entry of the file
    assert (flows_dir / "actuals.toml").read_bytes() == before


def test_record_refuses_a_figure_the_file_would_then_fail_on(flows_dir: Path) -> None:
    args = ("--source", "s", "--data-dir", str(flows_dir))
    assert run("record", "ict.revenue", "30000", "--period", "2025-05", "--cumulative", *args).exit_code == 0
    before = (flows_dir / "actuals.toml").read_bytes()
    for period in ("2025-Q2",):  # overlaps January-May without either containing the other
        out = run("record", "ict.revenue", "18000", "--period", period, *args)
        assert out.exit_code == 1 and "the figure was not recorded" in out.output, out.output
        out = run("record", "ict.revenue", "18000", "--period", period, "--dry-run", *args)
        assert out.exit_code == 1
    assert (flows_dir / "actuals.toml").read_bytes() == before
    assert run("validate", "--data-dir", str(flows_dir)).exit_code == 0


def test_replace_and_delete_find_the_cumulative_figure_not_the_month(flows_dir: Path) -> None:
    args = ("--data-dir", str(flows_dir))
    run("record", "ict.revenue", "30000", "--period", "2025-05", "--cumulative", "--source", "a",
        "--quote", "lũy kế 5 tháng", *args)  # fmt: skip
    run("record", "ict.revenue", "6000", "--period", "2025-05", "--source", "b", "--note", "tháng 5", *args)
    out = run("record", "ict.revenue", "32000", "--period", "2025-05", "--cumulative", "--replace", *args)
    assert out.exit_code == 0, out.output
    figures = tomllib.loads((flows_dir / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    may = {f.get("cumulative", False): f for f in figures if f["period"] == "2025-05"}
    assert may[True]["value"] == 32000 and may[True]["quote"] == "lũy kế 5 tháng"
    assert may[True]["source"] == "a"
    assert may[False]["value"] == 6000 and may[False]["note"] == "tháng 5"
    out = run("record", "ict.revenue", "--period", "2025-05", "--cumulative", "--delete", *args)
    assert out.exit_code == 0, out.output
    figures = tomllib.loads((flows_dir / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    assert [f["value"] for f in figures if f["period"] == "2025-05"] == [6000]
