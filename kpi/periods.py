"""Reporting periods: parsing and the date each one stands for.

A period is written as text in the data files (``2025``, ``2024-H1``, ``2024-Q3``,
``2024-05``, ``2024-05-31``) and always stands for its last day: an annual figure
is the state of things at the close of the year.
"""

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from kpi.i18n import msg

# ASCII digits only: "２０２０" would otherwise be a second spelling of 2020.
_PATTERN = re.compile(
    r"(?P<y>\d{4})(?:-(?:H(?P<h>\d)|Q(?P<q>\d)|(?P<m>\d{2})(?:-(?P<d>\d{2}))?))?\Z", re.ASCII
)

FORMS = "YYYY, YYYY-H1/H2, YYYY-Q1..Q4, YYYY-MM or YYYY-MM-DD"


class PeriodError(ValueError):
    """The text is not a valid period; the message says why."""


class Period(NamedTuple):
    text: str
    start: date
    end: date

    def __str__(self) -> str:
        return self.text


def _month_end(year: int, month: int) -> date:
    # The day before the next month starts (calendar would cost an import on every run).
    if month == 12:  # also year 9999's December, whose following month is beyond the calendar
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


@lru_cache(maxsize=4096)
def parse_period(text: str) -> Period:
    """Parse a period; raise PeriodError with a precise reason when it is invalid."""
    m = _PATTERN.match(text)
    if m is None:
        hint: str = ""
        lowered = text.strip().upper()
        if lowered != text and _PATTERN.match(lowered):
            hint = msg(' (did you mean "{word}"?)', word=lowered)
        raise PeriodError(
            msg('invalid period "{text}": expected {forms}{hint}', text=text, forms=FORMS, hint=hint)
        )
    year = int(m["y"])
    if year < 1:
        raise PeriodError(msg('invalid period "{text}": year 0000 does not exist', text=text))
    if m["h"] is not None:
        half = int(m["h"])
        if half not in (1, 2):
            raise PeriodError(msg('invalid period "{text}": half-year must be H1 or H2', text=text))
        first = 6 * (half - 1) + 1
        return Period(text, date(year, first, 1), _month_end(year, first + 5))
    if m["q"] is not None:
        quarter = int(m["q"])
        if not 1 <= quarter <= 4:
            raise PeriodError(msg('invalid period "{text}": quarter must be Q1 to Q4', text=text))
        first = 3 * (quarter - 1) + 1
        return Period(text, date(year, first, 1), _month_end(year, first + 2))
    if m["m"] is not None:
        month = int(m["m"])
        if not 1 <= month <= 12:
            raise PeriodError(msg('invalid period "{text}": month must be 01 to 12', text=text))
        if m["d"] is not None:
            day = int(m["d"])
            try:
                day_date = date(year, month, day)
            except ValueError:
                last = _month_end(year, month).day
                raise PeriodError(
                    msg(
                        'invalid period "{text}": {month} has days 01 to {last}',
                        text=text,
                        month=f"{year:04d}-{month:02d}",
                        last=str(last),
                    )
                ) from None
            return Period(text, day_date, day_date)
        return Period(text, date(year, month, 1), _month_end(year, month))
    return Period(text, date(year, 1, 1), date(year, 12, 31))


DAYS_PER_YEAR = 365.25


def years_between(start: date, end: date) -> float:
    """Signed years from start to end, counting a year as 365.25 days."""
    return (end - start).days / DAYS_PER_YEAR
