"""kpi.cagr agrees with Open SDG's own progress measure (sdg-build's sdg/ProgressMeasure.py).

The expected results in conformance/opensdg_expected.json were computed by the real code
(tests/conformance/regenerate.py, which needs pandas); these tests need only the standard library.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from kpi.cagr import CATEGORIES, STATUS_OF, CagrResult, category_from_score, progress
from kpi.statuses import STATUSES
from tests.conformance.opensdg_cases import CASES

FIXTURE = Path(__file__).parent / "conformance" / "opensdg_expected.json"
EXPECTED: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]
TOLERANCE = 1e-9


def grade(case: dict[str, Any]) -> CagrResult:
    return progress(
        [(year, value) for year, value in case["series"]],
        direction=case["direction"],
        target=case["target"],
        target_year=case["target_year"],
        base_year=case.get("base_year"),
        limit=case.get("limit"),
        progress_thresholds=case.get("progress_thresholds"),
    )


def close(actual: float | None, expected: float | None) -> bool:
    """Within TOLERANCE (relative beyond 1), or both None, both NaN or the same infinity."""
    if expected is None or actual is None:
        return actual is None and expected is None
    if math.isnan(expected) or math.isinf(expected):
        return math.isnan(actual) if math.isnan(expected) else actual == expected
    return abs(actual - expected) <= TOLERANCE * max(1.0, abs(expected))


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN (for the inputs, which may hold a NaN value)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


INPUTS = ("series", "direction", "target", "target_year", "base_year", "limit", "progress_thresholds")


def test_fixture_covers_every_case() -> None:
    assert [case["name"] for case in CASES] == [expected["name"] for expected in EXPECTED], (
        "opensdg_cases.py and opensdg_expected.json list different cases: run tests/conformance/regenerate.py"
    )
    for case, expected in zip(CASES, EXPECTED, strict=True):
        inputs = {key: case.get(key) for key in INPUTS}
        assert same(inputs, expected["input"]), f"{case['name']}: the fixture is stale; regenerate it"


@pytest.mark.parametrize(
    ("case", "expected"), list(zip(CASES, EXPECTED, strict=True)), ids=[e["name"] for e in EXPECTED]
)
def test_agrees_with_open_sdg(case: dict[str, Any], expected: dict[str, Any]) -> None:
    result = grade(case)
    assert result.category == expected["category"]
    assert close(result.ratio, expected["ratio"]), (result.ratio, expected["ratio"])
    assert close(result.score, expected["score"]), (result.score, expected["score"])
    # The category an Open SDG indicator page shows, derived from the score ('' there when no score).
    shown = category_from_score(result.score, result.category == "target_achieved")
    assert shown == (expected["indicator_status"] or None)
    components = expected.get("components")
    if components is not None and components["current_year"] is not None:
        assert result.base_year == components["base_year"]
        assert result.current_year == components["current_year"]
    assert result.reason.endswith(".") and "\n" not in result.reason


def test_open_sdg_failures_are_not_graded() -> None:
    failures = [case for case, expected in zip(CASES, EXPECTED, strict=True) if "error" in expected]
    assert len(failures) >= 3  # all data before the base year, and the target year equal to it
    for case in failures:
        result = grade(case)
        assert result.category is None and result.ratio is None and result.score is None


def test_brief_example_by_hand() -> None:
    result = progress([(2015, 100), (2020, 121)], direction="up", target=150, target_year=2030)
    observed = 1.21 ** (1 / 5) - 1
    required = 1.5 ** (1 / 15) - 1
    assert result.observed_cagr == pytest.approx(observed, rel=1e-12)
    assert result.required_cagr == pytest.approx(required, rel=1e-12)
    assert result.ratio == pytest.approx(observed / required, rel=1e-12)
    assert result.ratio == pytest.approx(1.41827, abs=1e-5)
    assert result.category == "substantial_progress"
    assert result.score == 5.0  # 7.1429 * 1.418 - 4.2857 is over 5
    assert (result.base_year, result.current_year) == (2015, 2020)


def test_down_kpi_by_hand() -> None:
    result = progress([(2020, 90), (2015, 100)], direction="down", target=50)  # target year 2030
    observed = 0.9 ** (1 / 5) - 1  # negative: the value fell, which is the right way
    required = 0.5 ** (1 / 15) - 1
    assert result.ratio is not None
    assert result.ratio == pytest.approx(-observed / abs(required), rel=1e-12)
    assert 0 < result.ratio < 0.6
    assert result.category == "limited_progress"
    assert result.score == pytest.approx(4.1667 * result.ratio - 2.5, rel=1e-12)


def test_fixed_rates_without_a_target() -> None:
    up = progress([(2015, 100), (2020, 110)], direction="up")
    assert up.ratio is not None
    assert up.ratio == pytest.approx(1.1 ** (1 / 5) - 1, rel=1e-12)  # 1.92 % a year
    assert up.category == "substantial_progress"  # at least 1.5 % a year
    assert up.required_cagr is None
    assert up.score == pytest.approx(500 * up.ratio - 5, rel=1e-12)
    down = progress([(2015, 100), (2020, 110)], direction="down")
    assert down.ratio == pytest.approx(-up.ratio, rel=1e-12)
    assert down.category == "deterioration"
    assert progress([(2015, 100), (2020, 104)], direction="up").category == "moderate_progress"
    assert progress([(2015, 100), (2020, 101)], direction="up").category == "limited_progress"


def test_limit_scales_the_fixed_rates() -> None:
    series = [(2015, 95), (2020, 95.5)]
    observed = (95.5 / 95) ** (1 / 5) - 1  # 0.105 % a year
    assert progress(series, direction="up").category == "limited_progress"
    near = progress(series, direction="up", limit=100)
    coefficient = 1 - 0.95**4.44  # the base value is 95 % of the way to the limit
    assert 0.005 * coefficient <= observed < 0.015 * coefficient
    assert near.category == "moderate_progress"
    assert near.score == pytest.approx(250 * observed / coefficient - 1.25, rel=1e-12)


def test_zero_substitutions() -> None:
    from_zero = progress([(2015, 0), (2020, 4)], direction="up", target=10)
    assert from_zero.observed_cagr == pytest.approx((4 / 0.001) ** (1 / 5) - 1, rel=1e-12)
    assert from_zero.required_cagr == pytest.approx((10 / 0.001) ** (1 / 15) - 1, rel=1e-12)
    to_zero = progress([(2015, 8), (2020, 4)], direction="down", target=0)
    assert to_zero.required_cagr == pytest.approx((0.001 / 8) ** (1 / 15) - 1, rel=1e-12)
    assert progress([(2015, 8), (2020, 0)], direction="down", target=0).category == "target_achieved"


def test_base_year_rule() -> None:
    # 2015 by default, else the next year with data; data before it is ignored.
    assert progress([(2010, 1), (2015, 2), (2020, 3)], direction="up").base_year == 2015
    assert progress([(2017, 1), (2020, 3)], direction="up").base_year == 2017
    assert progress([(2015, 1), (2017, 2), (2020, 3)], direction="up", base_year=2016).base_year == 2017
    before = progress([(2010, 5), (2014, 6)], direction="up", target=10)
    assert (before.category, before.base_year, before.current_year) == (None, None, 2014)
    single = progress([(2020, 55)], direction="up", target=70)
    assert (single.category, single.ratio, single.base_year) == (None, None, 2020)


def test_target_achieved_needs_no_ratio() -> None:
    result = progress([(2020, 75)], direction="up", target=70)
    assert (result.category, result.ratio, result.score) == ("target_achieved", None, 5.0)
    changed_sign = progress([(2015, -5), (2020, 3)], direction="up", target=0)
    assert (changed_sign.category, changed_sign.ratio) == ("target_achieved", None)
    assert progress([(2015, -5), (2020, 3)], direction="up").category is None


def test_band_and_score_can_disagree_near_095() -> None:
    result = progress([(2015, 100), (2020, 124.57606)], direction="up", target=200)
    assert result.ratio is not None
    assert 0.9499 < result.ratio < 0.95
    assert result.category == "moderate_progress"
    assert category_from_score(result.score) == "substantial_progress"


def test_status_of_maps_every_category_to_a_kpi_status() -> None:
    assert set(STATUS_OF) == set(CATEGORIES)
    assert set(STATUS_OF.values()) <= set(STATUSES)


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        progress([(2015, 1), (2015, 2)], direction="up")
    with pytest.raises(ValueError):
        progress([(2015, 1)], direction="sideways")  # type: ignore[arg-type]
