"""Assessment a statistics office can defend: verdicts for passed milestones, the three methods,
grading without a target, and agreement with Open SDG's own code through the whole assessment."""

from __future__ import annotations

import json
import math
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.assess import assess_kpi
from kpi.cagr import STATUS_OF
from kpi.model import Actual, Kpi, Target, Thresholds
from kpi.periods import parse_period
from tests.builders import edit
from tests.conftest import ACTUALS, TARGETS, run

REPO = Path(__file__).resolve().parents[1]
FIXTURE = json.loads((REPO / "tests" / "conformance" / "opensdg_expected.json").read_text(encoding="utf-8"))


def target(period: str, value: float) -> Target:
    return Target(parse_period(period), value)


def actual(period: str, value: float, published: date | None = None) -> Actual:
    return Actual("k", parse_period(period), value, "s", published=published)


def kpi(**fields: Any) -> Kpi:
    base: dict[str, Any] = {"id": "k", "sector": "s", "name": "K", "unit": "%", "direction": "up"}
    return Kpi(**(base | fields))


# --- verdicts for milestones whose date has passed --------------------------------------

TWO = kpi(targets=(target("2024", 85.4), target("2025", 80)))


def test_a_missed_intermediate_milestone_is_never_hidden() -> None:
    # telecom.fiber_households: 82.2 in May 2024 against 85.4 for 2024, then 80 for 2025
    a = assess_kpi(TWO, [actual("2022", 75), actual("2024-05", 82.2)], date(2025, 1, 15))
    assert a.milestone == target("2025", 80) and a.status == "achieved"  # headline: the next one
    [verdict] = a.verdicts
    assert (verdict.status, verdict.figure and verdict.figure.period.text) == ("missed", "2024-05")
    assert verdict.gap == pytest.approx(85.4 - 82.2)
    assert [v.target.period.text for v in a.missed_before] == ["2024"]


@pytest.mark.parametrize(
    ("as_of", "figures", "status", "verdicts"),
    [
        # before the milestone's date: judged on the trend, no verdict yet
        (date(2025, 6, 30), [("2023", 60), ("2024", 64)], "limited_progress", []),
        # on the date: still the milestone ahead (a milestone is due at the end of its day)
        (date(2025, 12, 31), [("2023", 60), ("2024", 64)], "limited_progress", []),
        # after it, with no figure for its period: awaiting the final figure, never "on track"
        (date(2026, 1, 1), [("2023", 60), ("2024", 70)], "awaiting_final", ["awaiting_final"]),
        # after it, with its figure: the verdict
        (date(2026, 6, 30), [("2023", 60), ("2024", 70), ("2025", 79)], "missed", ["missed"]),
        (date(2026, 6, 30), [("2023", 60), ("2024", 70), ("2025", 81)], "achieved", ["achieved"]),
        # a figure within the period (a month of it) answers it; so does a later one
        (date(2026, 6, 30), [("2023", 60), ("2025-06", 80.5)], "achieved", ["achieved"]),
        (date(2027, 6, 30), [("2023", 60), ("2026", 75)], "missed", ["missed"]),
    ],
)
def test_verdicts_before_on_and_after_a_milestone(
    as_of: date, figures: list[tuple[str, float]], status: str, verdicts: list[str]
) -> None:
    k = kpi(targets=(target("2025", 80),))
    a = assess_kpi(k, [actual(p, v) for p, v in figures], as_of)
    assert a.status == status
    assert [v.status for v in a.verdicts] == verdicts
    assert a.projected_completion is None or a.projected_completion >= as_of
    if status in ("missed", "achieved"):
        assert a.projected is None  # a passed milestone is judged, not projected


def test_awaiting_keeps_the_projection_as_an_estimate_and_gap_says_overdue(tmp_path: Path) -> None:
    k = kpi(targets=(target("2025", 80),))
    a = assess_kpi(k, [actual("2023", 60), actual("2024", 70)], date(2026, 3, 1))
    assert a.status == "awaiting_final" and a.light == "grey"
    assert a.projected == pytest.approx(80, abs=0.1) and a.overdue


def test_gap_never_shows_a_completion_date_in_the_past(data_dir: Path) -> None:
    result = run("gap", "--data-dir", str(data_dir), "--as-of", "2030-01-01", "--all", "--format", "json")
    doc = json.loads(result.output)
    for k in doc["kpis"]:
        assert k["projected_completion"] is None or k["projected_completion"] >= "2030-01-01"


def test_bundled_fibre_households_shows_its_missed_2024_target() -> None:
    args = ("--data-dir", str(REPO), "--as-of", "2025-01-15")
    doc = json.loads(run("status", *args, "--format", "json").output)
    fiber = next(k for k in doc["kpis"] if k["id"] == "telecom.fiber_households")
    assert fiber["status"] == "achieved" and fiber["missed_milestones"] == ["2024"]
    table = run("status", *args, "--all", "--lang", "en", env={"COLUMNS": "120"}).output
    assert "✖ missed 2024" in table
    show = run("show", "telecom.fiber_households", *args, "--lang", "en").output
    assert "Milestone 2024" in show and "→ missed" in show


# --- the two bugs -------------------------------------------------------------------------


def test_a_down_kpi_that_started_past_its_target_shows_no_positive_progress(data_dir: Path) -> None:
    k = kpi(direction="down", targets=(target("2025", 50),))
    a = assess_kpi(k, [actual("2021", 40), actual("2023", 70)], date(2024, 6, 30))
    assert (a.status, a.light) == ("moving_away", "red")
    assert a.progress is None and a.score is None
    targets = edit(
        TARGETS, 'targets = [{ period = "2025", value = 50 }]', 'targets = [{ period = "2025", value = 70 }]'
    )
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    actuals = edit(edit(ACTUALS, "value = 73", "value = 60"), "value = 67", "value = 80")
    (data_dir / "actuals.toml").write_text(actuals, encoding="utf-8")
    show = run("show", "digital.rank", "--data-dir", str(data_dir), "--as-of", "2025-01-15", "--lang", "en")
    assert "moving away" in show.output
    assert "Progress                –" in show.output and "Score                   –" in show.output


def test_two_figures_ending_the_same_day_are_a_problem_naming_both(data_dir: Path) -> None:
    extra = '\n[[actual]]\nkpi = "digital.rank"\nperiod = "2024-12-31"\nvalue = 60\nsource = "s"\n'
    (data_dir / "actuals.toml").write_text(ACTUALS + extra, encoding="utf-8")
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert (
        'actual[5] (kpi "digital.rank", period "2024-12-31"): two figures for one day: actual[4]'
        in result.output
    )
    assert 'period "2024"' in result.output


def test_record_refuses_a_second_figure_for_the_same_day(data_dir: Path) -> None:
    result = run(
        "record", "digital.rank", "60", "--period", "2024-12-31", "--source", "s", "--data-dir", str(data_dir)
    )
    assert result.exit_code == 1
    assert (
        'already records digital.rank for period "2024", which ends the same day as "2024-12-31"'
        in result.output
    )
    assert (data_dir / "actuals.toml").read_text(encoding="utf-8") == ACTUALS


def _tables(text: str) -> list[str]:
    parts = text.split("[[actual]]\n")
    return ["[[actual]]\n" + p.rstrip("\n") + "\n" for p in parts[1:]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_the_order_of_actuals_never_changes_an_output(tmp_path: Path, rnd: random.Random) -> None:
    bundled = (REPO / "actuals.toml").read_text(encoding="utf-8")
    tables = _tables(bundled)
    rnd.shuffle(tables)
    folder = tmp_path / "shuffled"
    folder.mkdir(exist_ok=True)
    (folder / "targets.toml").write_text(
        (REPO / "targets.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "actuals.toml").write_text("\n".join(tables), encoding="utf-8")
    for as_of in ("2024-07-31", "2025-06-30", "2026-11-30"):
        for command in (("status", "--format", "json"), ("gap", "--all", "--format", "json")):
            mine = run(*command, "--data-dir", str(folder), "--as-of", as_of).output
            theirs = run(*command, "--data-dir", str(REPO), "--as-of", as_of).output
            assert mine == theirs


# --- methods --------------------------------------------------------------------------------

SERIES = [actual("2020", 100), actual("2021", 104), actual("2022", 110)]


def test_cagr_method_on_hand_computed_values() -> None:
    k = kpi(unit="u", targets=(target("2030", 200),), method="cagr")
    a = assess_kpi(k, SERIES, date(2023, 6, 30))
    observed = (110 / 100) ** (1 / 2) - 1
    required = (200 / 100) ** (1 / 10) - 1
    assert a.method == "cagr" and a.rate == pytest.approx(observed)
    assert a.ratio == pytest.approx(observed / required)  # 0.6897: between 0.6 and 0.95
    assert a.status == "acceleration_needed" and a.score is None


def test_the_methods_can_disagree_and_the_plan_or_the_kpi_chooses() -> None:
    # 100 → 104 → 110: a straight line (+5 a year) reaches 150 by 2030 (score 0.50: limited
    # progress); compound growth at 4.9 %/year from 110 reaches 161 (score 0.61: acceleration
    # needed); cagr's ratio is 0.68 (acceleration needed). The README's example.
    k = kpi(unit="u", targets=(target("2030", 200),))
    linear = assess_kpi(k, SERIES, date(2023, 6, 30))
    assert (linear.method, linear.status) == ("linear", "limited_progress")
    assert linear.score == pytest.approx(0.5, abs=0.001)
    plan_cagr = Thresholds(method="cagr")
    assert assess_kpi(k, SERIES, date(2023, 6, 30), plan_cagr).status == "acceleration_needed"
    own = k._replace(method="linear")
    assert assess_kpi(own, SERIES, date(2023, 6, 30), plan_cagr).method == "linear"
    compound = assess_kpi(k._replace(trend="compound"), SERIES, date(2023, 6, 30))
    assert compound.method == "compound" and compound.status == "acceleration_needed"


def test_base_period_sets_cagrs_base_year() -> None:
    k = kpi(unit="u", targets=(target("2030", 200),), method="cagr", base_period=parse_period("2021"))
    a = assess_kpi(k, SERIES, date(2023, 6, 30))
    assert a.rate == pytest.approx(110 / 104 - 1)


def test_methods_through_the_files(data_dir: Path) -> None:
    targets = edit(
        TARGETS, 'period = "2021-2025"\n', 'period = "2021-2025"\n\n[assessment]\nmethod = "cagr"\n'
    )
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    doc = json.loads(
        run("status", "--data-dir", str(data_dir), "--as-of", "2025-01-15", "--format", "json").output
    )
    rank = next(k for k in doc["kpis"] if k["id"] == "digital.rank")
    assert rank["method"] == "cagr" and rank["ratio"] == pytest.approx(
        -((67 / 73) ** (1 / 2) - 1) / abs((50 / 73) ** (1 / 3) - 1)
    )
    bad = targets.replace('method = "cagr"', 'method = "eurostat"')
    (data_dir / "targets.toml").write_text(bad, encoding="utf-8")
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1 and '"method" must be "linear" or "compound" or "cagr"' in result.output


def test_grading_without_a_target_is_opt_in_and_labelled(data_dir: Path) -> None:
    revenue = (
        '\n[[actual]]\nkpi = "digital.revenue"\nperiod = "2022"\nvalue = 100\nsource = "s"\n'
        '\n[[actual]]\nkpi = "digital.revenue"\nperiod = "2024"\nvalue = 121\nsource = "s"\n'
    )
    (data_dir / "actuals.toml").write_text(ACTUALS + revenue, encoding="utf-8")
    args = ("status", "--data-dir", str(data_dir), "--as-of", "2025-01-15", "--format", "json")
    before = {k["id"]: k for k in json.loads(run(*args).output)["kpis"]}
    assert before["digital.revenue"]["status"] == "no_target" and not before["digital.revenue"]["trend_only"]
    targets = edit(
        TARGETS,
        'period = "2021-2025"\n',
        'period = "2021-2025"\n\n[assessment]\ngrade_without_target = true\n',
    )
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    after = {k["id"]: k for k in json.loads(run(*args).output)["kpis"]}
    revenue_kpi = after["digital.revenue"]
    assert revenue_kpi["trend_only"] and revenue_kpi["ratio"] == pytest.approx(0.1)  # 10 % a year
    assert (revenue_kpi["status"], revenue_kpi["light"]) == ("on_track", "green")  # ≥ 1.5 %/year
    table = run("status", "--data-dir", str(data_dir), "--as-of", "2025-01-15", "--all", "--lang", "en",
                env={"COLUMNS": "160"}).output  # fmt: skip
    assert "on track (no target: trend only)" in table


def test_milestone_judges_only_kpis_with_that_target(data_dir: Path) -> None:
    args = ("status", "--data-dir", str(data_dir), "--as-of", "2022-06-30", "--milestone", "2021")
    doc = json.loads(run(*args, "--format", "json").output)
    by_id = {k["id"]: k for k in doc["kpis"]}
    assert by_id["telecom.fiber"]["milestone"]["period"] == "2021"
    rank = by_id["digital.rank"]
    assert (rank["status"], rank["no_target_for"], rank["milestone"]) == ("no_target", "2021", None)
    table = run(*args, "--all", "--lang", "en", env={"COLUMNS": "160"}).output
    assert "no target for 2021" in table


def test_stale_latest_figure_is_flagged(data_dir: Path) -> None:
    doc = json.loads(
        run("status", "--data-dir", str(data_dir), "--as-of", "2025-03-31", "--format", "json").output
    )
    by_id = {k["id"]: k for k in doc["kpis"]}
    assert not by_id["telecom.fiber"]["stale"]  # May 2024 is within a year (the target's period)
    later = json.loads(
        run("status", "--data-dir", str(data_dir), "--as-of", "2025-12-30", "--format", "json").output
    )
    assert {k["id"]: k for k in later["kpis"]}["telecom.fiber"]["stale"]  # over a year old


def test_review_lists_every_target_with_its_verdict(data_dir: Path) -> None:
    args = ("status", "--review", "--data-dir", str(data_dir), "--as-of", "2026-06-30")
    doc = json.loads(run(*args, "--format", "json").output)
    verdicts = {(t["id"], t["target_period"]): t["verdict"] for t in doc["targets"]}
    assert verdicts == {
        ("telecom.fiber", "2021"): "achieved",  # judged on the first figure after it, 2022: 65
        ("telecom.fiber", "2025"): "awaiting_final",
        ("digital.rank", "2025"): "awaiting_final",
    }
    whole = doc["sectors"][-1]
    assert whole["id"] is None and whole["verdicts"] == {
        "achieved": 1,
        "missed": 0,
        "awaiting_final": 2,
        "not_due": 0,
    }
    table = run(*args, "--lang", "en").output
    assert "✔ achieved" in table and "○ no figure yet" in table
    md = run(*args, "--format", "markdown", "--lang", "vi").output
    assert "| Toàn kế hoạch | 1 | 0 | 2 | 0 |" in md


# --- Open SDG conformance through the whole assessment ------------------------------------


def _through_assess(case: dict[str, Any]) -> Any:
    given_input = case["input"]
    series = given_input["series"]
    direction = given_input["direction"]
    base = given_input["base_year"] or 2015
    target_value = given_input["target"]
    target_year = given_input["target_year"] or 2030
    k = kpi(unit="u", direction=direction, method="cagr", base_period=parse_period(f"{base:04d}"),
            targets=(target(f"{target_year:04d}", target_value),))  # fmt: skip
    figures = [actual(f"{year:04d}", value) for year, value in series]
    as_of = date(max(year for year, _ in series), 12, 31)
    return assess_kpi(k, figures, as_of)


def _kpi_can_express(case: dict[str, Any]) -> bool:
    """Cases kpi's data model can state as a KPI with a target still ahead of the last figure."""
    given_input = case["input"]
    series = given_input["series"]
    if given_input["target"] is None or given_input["progress_thresholds"]:
        return False
    if not series or any(not isinstance(v, (int, float)) or not math.isfinite(v) for _, v in series):
        return False
    latest = max(year for year, _ in series)
    target_year = given_input["target_year"] or 2030
    return target_year > latest and len({y for y, _ in series}) == len(series)


CONFORMING = [c for c in FIXTURE["cases"] if _kpi_can_express(c)]


def test_enough_fixture_cases_go_through_the_assessment() -> None:
    assert len(CONFORMING) >= 40


@pytest.mark.parametrize("case", CONFORMING, ids=[c["name"] for c in CONFORMING])
def test_cagr_assessment_matches_open_sdg(case: dict[str, Any]) -> None:
    a = _through_assess(case)
    category = case["category"]
    expected = "insufficient_data" if category is None else STATUS_OF[category]
    if category == "target_achieved":
        expected = "achieved"
    assert a.status == expected
    if category not in (None, "target_achieved"):
        ratio, want = a.ratio, case["ratio"]
        assert ratio is not None and want is not None
        assert ratio == want or abs(ratio - want) <= 1e-9 * max(1.0, abs(want))


@pytest.mark.parametrize("method", ["linear", "compound", "cagr"])
def test_every_method_runs_on_the_bundled_plan(tmp_path: Path, method: str) -> None:
    targets = (REPO / "targets.toml").read_text(encoding="utf-8")
    assert "\n[assessment]\n" in targets
    targets = targets.replace(
        "\n[assessment]\n", f'\n[assessment]\nmethod = "{method}"\ngrade_without_target = true\n'
    )
    (tmp_path / "targets.toml").write_text(targets, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(
        (REPO / "actuals.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for as_of in ("2024-07-31", "2025-06-30", "2026-11-30"):
        result = run("status", "--data-dir", str(tmp_path), "--as-of", as_of, "--format", "json")
        assert result.exit_code == 0
        kpis = json.loads(result.output)["kpis"]
        assert {k["method"] for k in kpis if k["trend"] != "compound"} == {method}
        assert any(k["trend_only"] for k in kpis)  # the plan's revenues get a direction of travel
        assert run("show", "postal.revenue", "--data-dir", str(tmp_path), "--as-of", as_of).exit_code == 0


def test_the_assessment_answers_its_projection_and_plan_path_at_any_date() -> None:
    """Charts read these instead of deriving the trend again (one statement of each method)."""
    from datetime import date

    from kpi.assess import assess_kpi
    from kpi.methods import METHODS
    from tests.builders import actual, kpi, target

    assert set(METHODS) == {"linear", "compound", "cagr"}
    for trend in ("linear", "compound"):
        k = kpi(trend=trend, baseline=target("2020", 50), targets=(target("2025", 100),), max=100)
        a = assess_kpi(k, [actual("2021", 60), actual("2023", 70)], date(2024, 1, 31))
        assert a.projected is not None and a.milestone is not None
        assert a.projected_at(a.milestone.date) == pytest.approx(a.projected)
        assert a.projected_at(date(2020, 1, 1)) is None  # before the latest figure: no projection
        assert a.plan_path_at(date(2020, 12, 31)) == 50
        assert a.plan_path_at(date(2025, 12, 31)) == 100
