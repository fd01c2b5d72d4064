from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.periods import PeriodError, parse_period, years_between


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2024-H1", date(2024, 1, 1), date(2024, 6, 30)),
        ("2024-H2", date(2024, 7, 1), date(2024, 12, 31)),
        ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2023-Q4", date(2023, 10, 1), date(2023, 12, 31)),
        ("2024-05", date(2024, 5, 1), date(2024, 5, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2024-05-17", date(2024, 5, 17), date(2024, 5, 17)),
    ],
)
def test_a_period_stands_for_its_last_day(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)
    assert str(period) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-13", "month must be 01 to 12"),
        ("2024-00", "month must be 01 to 12"),
        ("2024-Q5", "quarter must be Q1 to Q4"),
        ("2024-H3", "half-year must be H1 or H2"),
        ("2024-02-30", "2024-02 has days 01 to 29"),
        ("2023-02-29", "2023-02 has days 01 to 28"),
        ("24", "expected YYYY"),
        ("2024-5", "expected YYYY"),
        ("", "expected YYYY"),
        ("2024-q1", 'did you mean "2024-Q1"?'),
    ],
)
def test_invalid_periods_say_why(text: str, reason: str) -> None:
    with pytest.raises(PeriodError, match=reason):
        parse_period(text)


def test_years_between_counts_365_25_days() -> None:
    assert years_between(date(2020, 12, 31), date(2021, 12, 31)) == 365 / 365.25
    assert years_between(date(2021, 12, 31), date(2020, 12, 31)) == -365 / 365.25


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_every_day_month_quarter_and_half_contains_the_date(d: date) -> None:
    texts = [
        d.isoformat(),
        f"{d.year:04d}-{d.month:02d}",
        f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}",
        f"{d.year:04d}-H{(d.month - 1) // 6 + 1}",
        f"{d.year:04d}",
    ]
    for text in texts:
        period = parse_period(text)
        assert period.start <= d <= period.end


@given(st.text(max_size=12))
def test_parse_period_either_parses_or_raises_period_error(text: str) -> None:
    try:
        period = parse_period(text)
    except PeriodError as exc:
        assert text in str(exc) or repr(text)
    else:
        assert period.start <= period.end
