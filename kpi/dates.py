"""Dates as people type them: year first is always year-month-day (2024-7-5 is 5 July), day
first only as DD/MM/YYYY or DD.MM.YYYY, as Vietnamese documents write them. Anything else
(7/5/24, a time of day) is not a date here: nothing is guessed."""

import re
from datetime import date

YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z", re.ASCII)
DAY_FIRST = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4})\Z", re.ASCII)


class DateError(ValueError):
    """Not a date in an accepted form (str(exc) is "form" or "day": which rule failed)."""


def parse_date(text: str) -> date:
    text = text.strip()
    year_first = YEAR_FIRST.match(text)
    day_first = DAY_FIRST.match(text)
    if year_first:
        year, month, day = (int(x) for x in year_first.groups())
    elif day_first:
        day, month, year = int(day_first[1]), int(day_first[3]), int(day_first[4])
    else:
        raise DateError("form")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError("day") from None
