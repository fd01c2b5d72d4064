"""The assessment method, checked against values computed by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.assess import assess_kpi, plan_path_value
from kpi.model import Actual, Kpi, Thresholds
from kpi.statuses import LIGHT_OF, STATUSES
from tests.builders import actual, kpi, target

Y = 365.25


LINEAR = kpi(baseline=target("2020", 50), targets=(target("2025", 100),))
AS_OF = date(2023, 6, 30)


def test_on_track_every_number() -> None:
    a = assess_kpi(LINEAR, [actual("2021", 60), actual("2022", 70)], AS_OF)
    assert a.milestone is not None and a.milestone.value == 100
    assert a.latest is not None and a.latest.value == 70
    assert a.attainment == pytest.approx(0.7)
    assert a.gap == pytest.approx(30)
    assert a.progress == pytest.approx(0.4)
    # Plan path 50 (2020-12-31) → 100 (2025-12-31), read at 2022-12-31: 730 of 1826 days.
    assert a.expected == pytest.approx(50 + 50 * 730 / 1826)
    # Points are collinear: 10 per 365 days, so the OLS slope is 10 · 365.25/365 a year.
    assert a.slope == pytest.approx(10 * Y / 365)
    # 1096 days from 2022-12-31 to 2025-12-31.
    assert a.projected == pytest.approx(70 + 10 * 1096 / 365)
    assert a.score == pytest.approx((70 + 10 * 1096 / 365 - 50) / 50)
    # 30 to go at 10 per 365 days: 1095 days.
    assert a.projected_completion == date(2022, 12, 31) + timedelta(days=1095)
    assert (a.status, a.light) == ("on_track", "green")


@pytest.mark.parametrize(
    ("values", "status", "light", "score"),
    [
        ((58, 66), "acceleration_needed", "amber", (66 + 8 * 1096 / 365 - 50) / 50),
        ((52, 54), "limited_progress", "red", (54 + 2 * 1096 / 365 - 50) / 50),
        ((48, 46), "moving_away", "red", (46 - 2 * 1096 / 365 - 50) / 50),
    ],
)
def test_score_bands(values: tuple[float, float], status: str, light: str, score: float) -> None:
    a = assess_kpi(LINEAR, [actual("2021", values[0]), actual("2022", values[1])], AS_OF)
    assert a.score == pytest.approx(score)
    assert (a.status, a.light) == (status, light)


def test_bands_come_from_the_thresholds() -> None:
    actuals = [actual("2021", 58), actual("2022", 66)]  # score 0.8005
    strict = Thresholds(on_track=0.99, acceleration_needed=0.9)
    lenient = Thresholds(on_track=0.8, acceleration_needed=0.5)
    assert assess_kpi(LINEAR, actuals, AS_OF, strict).status == "limited_progress"
    assert assess_kpi(LINEAR, actuals, AS_OF, lenient).status == "on_track"


def test_achieved_overrides_the_trend() -> None:
    a = assess_kpi(LINEAR, [actual("2021", 120), actual("2022", 101)], AS_OF)
    assert (a.status, a.light) == ("achieved", "green")
    assert a.gap == pytest.approx(-1)
    assert a.projected_completion is None


def test_started_past_the_target_and_fell_back_is_moving_away() -> None:
    k = kpi(targets=(target("2025", 100),))
    a = assess_kpi(k, [actual("2021", 110), actual("2022", 95)], AS_OF)
    assert (a.status, a.light) == ("moving_away", "red")
    # No distance to the target was ever there to cover: progress and score are undefined,
    # never the +150 % that (y - y0) / (T - y0) gives here.
    assert a.progress is None and a.score is None


def test_grey_statuses() -> None:
    assert assess_kpi(kpi(), [actual("2022", 5)], AS_OF).status == "no_target"
    assert assess_kpi(LINEAR._replace(baseline=None), [], AS_OF).status == "no_data"
    one = assess_kpi(kpi(targets=(target("2025", 100),)), [actual("2022", 70)], AS_OF)
    assert (one.status, one.light) == ("insufficient_data", "grey")
    assert one.progress is None and one.projected is None and one.score is None
    assert one.attainment == pytest.approx(0.7)


def test_a_down_rank() -> None:
    k = kpi(unit="hạng", direction="down", min=1, targets=(target("2025", 50),))
    a = assess_kpi(k, [actual("2022", 73), actual("2024", 67)], date(2025, 6, 30))
    assert a.attainment == pytest.approx(50 / 67)
    assert a.gap == pytest.approx(17)
    # 6 places in 731 days; 365 days to the milestone.
    slope = -6 * Y / 731
    assert a.slope == pytest.approx(slope)
    assert a.projected == pytest.approx(67 - 6 * 365 / 731)
    assert a.score == pytest.approx((67 - 6 * 365 / 731 - 73) / (50 - 73))
    assert a.status == "limited_progress"
    assert a.projected_completion == date(2024, 12, 31) + timedelta(days=17 * 731 / 6)
    # A rank that reaches the target is achieved even though the number fell.
    assert assess_kpi(k, [actual("2022", 73), actual("2024", 48)], date(2025, 6, 30)).status == "achieved"


def test_a_compound_kpi() -> None:
    k = kpi(unit="tỷ đồng", trend="compound", targets=(target("2025", 200),))
    a = assess_kpi(k, [actual("2020", 100), actual("2022", 121)], date(2023, 1, 31))
    rate = 1.21 ** (Y / 730) - 1
    assert a.rate == pytest.approx(rate)
    assert a.slope is None
    assert a.projected == pytest.approx(121 * (1 + rate) ** (1096 / Y))
    assert a.score == pytest.approx((121 * (1 + rate) ** (1096 / Y) - 100) / 100)
    years = math.log(200 / 121) / math.log(1 + rate)
    assert a.projected_completion == date(2022, 12, 31) + timedelta(days=years * Y)
    assert a.trend_per_year == pytest.approx(121 * rate)


def test_projection_is_clamped_to_the_bounds() -> None:
    k = kpi(max=100, targets=(target("2025", 100),))
    a = assess_kpi(k, [actual("2021", 60), actual("2022", 90)], AS_OF)
    assert a.projected == 100
    assert a.score == pytest.approx(1.0)
    assert a.status == "on_track"


def test_a_passed_deadline_uses_the_last_target_and_is_overdue() -> None:
    k = kpi(targets=(target("2021", 100),))
    a = assess_kpi(k, [actual("2016", 1.42), actual("2020", 30.86)], date(2026, 11, 23))
    assert a.milestone is not None and a.milestone.period.text == "2021"
    assert a.required_per_year is None  # overdue
    slope = (30.86 - 1.42) / (1461 / Y)
    assert a.projected == pytest.approx(30.86 + slope * 365 / Y)
    # The 2021 milestone has passed and no 2021 figure is known: no trend verdict, never
    # "on track"; the projection is kept as an estimate, and no completion date in the past.
    assert (a.status, a.light) == ("awaiting_final", "grey") and a.overdue
    assert a.projected_completion is None or a.projected_completion >= date(2026, 11, 23)


def test_milestone_is_the_first_target_not_yet_due() -> None:
    k = kpi(targets=(target("2021", 60), target("2025", 80)))
    assert assess_kpi(k, [], date(2021, 12, 31)).milestone == target("2021", 60)
    assert assess_kpi(k, [], date(2022, 1, 1)).milestone == target("2025", 80)
    assert assess_kpi(k, [], date(2022, 1, 1), milestone_period="2021").milestone == target("2021", 60)


def test_a_figure_published_after_as_of_is_not_known() -> None:
    k = kpi(targets=(target("2025", 80),))
    figures = [actual("2024-05", 82.2, published=date(2024, 7, 29))]
    assert assess_kpi(k, figures, date(2024, 7, 28)).status == "no_data"
    known = assess_kpi(k, figures, date(2024, 7, 29))
    assert known.status == "achieved"
    # Without a publication date a figure is known once its period has ended.
    unpublished = [actual("2024-05", 82.2)]
    assert assess_kpi(k, unpublished, date(2024, 5, 30)).status == "no_data"
    assert assess_kpi(k, unpublished, date(2024, 5, 31)).status == "achieved"


def test_required_change_per_year_counts_from_as_of() -> None:
    k = kpi(targets=(target("2025", 80),))
    a = assess_kpi(k, [actual("2023", 60)], date(2024, 12, 31))
    assert a.required_per_year == pytest.approx(20 / (365 / Y))


def test_plan_path() -> None:
    k = kpi(targets=(target("2021", 60), target("2025", 80)))
    assert plan_path_value(k, date(2021, 6, 30)) is None  # before the path starts
    assert plan_path_value(k, date(2021, 12, 31)) == 60
    assert plan_path_value(k, date(2023, 12, 31)) == pytest.approx(60 + 20 * 730 / 1461)
    assert plan_path_value(k, date(2027, 1, 1)) == 80  # after it ends: the last target


def test_baseline_after_as_of_is_not_a_trend_point() -> None:
    k = kpi(baseline=target("2020", 50), targets=(target("2025", 100),))
    a = assess_kpi(k, [actual("2020-06", 40)], date(2020, 7, 31))
    assert len(a.points) == 1
    assert a.status == "insufficient_data"


def test_attainment_is_null_when_dividing_by_zero() -> None:
    k = kpi(direction="down", targets=(target("2025", 5),))
    a = assess_kpi(k, [actual("2024", 0)], AS_OF.replace(year=2025))
    assert a.attainment is None
    assert a.status == "achieved"


def test_a_near_flat_trend_never_completes_within_the_calendar() -> None:
    k = kpi(targets=(target("2025", 100),))
    a = assess_kpi(k, [actual("2021", 50), actual("2022", 50.0000000001)], AS_OF)
    assert a.slope is not None and a.slope > 0
    assert a.projected_completion is None
    c = assess_kpi(
        kpi(trend="compound", targets=(target("2025", 100),)),
        [actual("2021", 50), actual("2022", 50.0000000001)],
        AS_OF,
    )
    assert c.rate is not None and c.rate > 0
    assert c.projected_completion is None


def test_reasons_are_written_only_when_asked_for() -> None:
    figures = [actual("2021", 60), actual("2022", 70)]
    assert assess_kpi(LINEAR, figures, AS_OF).reasons == ()
    explained = assess_kpi(LINEAR, figures, AS_OF, explain=True)
    assert explained.reasons[0] == "no_target: no, it has targets"
    assert explained.reasons[-1].startswith("on_track: score 1.00")
    assert explained.status == assess_kpi(LINEAR, figures, AS_OF).status


# --- properties: any series the data files allow ------------------------------------------

YEARS = st.integers(min_value=2000, max_value=2040)


@st.composite
def kpi_and_series(draw: st.DrawFn) -> tuple[Kpi, list[Actual], date]:
    direction = draw(st.sampled_from(["up", "down"]))
    trend = draw(st.sampled_from(["linear", "compound"]))
    low = 1e-6 if trend == "compound" else draw(st.none() | st.just(0.0))
    high = draw(st.none() | st.just(1e9))
    values = st.floats(min_value=low if low is not None else -1e9, max_value=high or 1e9)
    years = draw(st.lists(YEARS, min_size=0, max_size=4, unique=True))
    targets = tuple(target(str(y), draw(values)) for y in sorted(years))
    k = kpi(direction=direction, trend=trend, min=low, max=high, targets=targets)
    periods = draw(st.lists(YEARS, max_size=6, unique=True))
    figures = [actual(str(y), draw(values)) for y in periods]
    return k, figures, date(draw(YEARS), 6, 30)


@settings(max_examples=400, deadline=None)
@given(kpi_and_series())
def test_any_series_gets_a_consistent_assessment(case: tuple[Kpi, list[Actual], date]) -> None:
    k, figures, as_of = case
    a = assess_kpi(k, figures, as_of, explain=True)
    assert a.status in STATUSES and a.light == LIGHT_OF[a.status]
    assert a.reasons  # every status is explained
    if a.status == "achieved":
        assert a.gap is not None and a.gap <= 0
    if a.projected is not None:
        assert (k.min is None or a.projected >= k.min) and (k.max is None or a.projected <= k.max)
    if a.projected_completion is not None:
        assert a.latest is not None and a.projected_completion >= a.latest.date
    assert all(x.date <= as_of for x in a.known)
