"""The value rules of the data format, stated once: each key's type check built from the format's
definition (kpi/schema.py), a KPI's bounds, and how a problem is reported. The loader, kpi record
and kpi import all check with these."""

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, TypeGuard

from kpi import schema
from kpi.i18n import Message, msg
from kpi.model import Kpi
from kpi.periods import Period, PeriodError, parse_period
from kpi.problems import Problem, did_you_mean

# The format's patterns, from its one definition; \Z so that a final newline is not let through.
SECTOR_ID = re.compile(schema.SECTOR_ID.removeprefix("^").removesuffix("$") + r"\Z")


KPI_ID = re.compile(schema.KPI_ID.removeprefix("^").removesuffix("$") + r"\Z")


PLAN_PERIOD = re.compile(schema.PLAN_PERIOD.removeprefix("^").removesuffix("$") + r"\Z")


def _is_number(value: object) -> TypeGuard[float]:
    """An int or a float, not a bool (TOML's true is no number here)."""
    return type(value) in (int, float)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return msg("a boolean")
    if isinstance(value, (int, float)):
        return msg("a number")
    if isinstance(value, str):
        return msg("a string")
    if isinstance(value, datetime):
        return msg("a date with a time")
    if isinstance(value, date):
        return msg("a date")
    if isinstance(value, time):
        return msg("a time of day")
    if isinstance(value, list):
        return msg("an array")
    if isinstance(value, dict):
        return msg("a table")
    return type(value).__name__


# A field's checker answers None when the value is acceptable, else what it should be.
Checker = Callable[[object], str | None]


def _string(value: object) -> str | None:
    return None if isinstance(value, str) else msg("a string")


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return msg("a string")
    return None if value.strip() else msg("a non-empty string")


def _finite(value: float) -> bool:
    """A finite number that fits a float: TOML integers have no size limit."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _number(value: object) -> str | None:
    if not _is_number(value):
        return msg("a number")
    return None if _finite(value) else msg("a finite number")


def _boolean(value: object) -> str | None:
    return None if isinstance(value, bool) else msg("true or false")


def _day(value: object) -> str | None:
    """A date a calendar is built around (a merger, a release, an owner's days): within years
    1000 to 9899, so that the days around it always exist."""
    wrong = _date(value)
    if wrong is None and not date(1000, 1, 1) <= value <= date(9899, 12, 31):  # type: ignore[operator]
        return msg("a date from 1000-01-01 to 9899-12-31")
    return wrong


def _date(value: object) -> str | None:
    if isinstance(value, date) and type(value) is date:
        return None
    if isinstance(value, datetime):
        return msg("a date without a time of day (published = {date})", date=value.date().isoformat())
    if isinstance(value, str):
        from kpi.dates import DateError, parse_date

        try:  # the hint is valid TOML: a day-first date is turned round
            return msg("a TOML date without quotes (published = {date})", date=parse_date(value).isoformat())
        except DateError:
            return msg("a date such as 2024-07-29, without quotes")
    return msg("a date such as 2024-07-29")


def _table(value: object) -> str | None:
    return None if isinstance(value, dict) else msg("a table")


def _array(value: object) -> str | None:
    return None if isinstance(value, list) else msg("an array")


def _globs(value: object) -> str | None:
    """A file pattern, or a non-empty array of them."""
    items = value if isinstance(value, list) and value else [value]
    if all(isinstance(item, str) and item.strip() for item in items):
        return None
    return msg("a file pattern or a non-empty array of them")


def _ids(value: object) -> str | None:
    """A non-empty array of ids."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return None
    return msg("a non-empty array of ids")


def _aggregate(value: object) -> str | None:
    """How a KPI combines across units: "sum", "none", { ratio = [num, den], factor } or { mean }."""
    if value in ("sum", "none"):
        return None
    wanted = msg('"sum", "none", {ratio} or {mean}', ratio='{ ratio = ["kpi", "kpi"], factor = 100 }',
                 mean='{ mean = "kpi" }')  # fmt: skip
    if not isinstance(value, dict):
        return wanted
    if set(value) <= {"ratio", "factor"} and "ratio" in value:
        ratio, factor = value["ratio"], value.get("factor", 1)
        pair = isinstance(ratio, list) and len(ratio) == 2 and all(isinstance(k, str) for k in ratio)
        if pair and _is_number(factor) and _finite(factor) and factor > 0:
            return None
    if set(value) == {"mean"} and isinstance(value["mean"], str):
        return None
    return wanted


def _due(value: object) -> str | None:
    """{ days = N } or { months = M, day = D }: whole numbers."""
    wanted = msg("{days} or {months}", days="{ days = N }", months="{ months = M, day = D }")
    if not isinstance(value, dict) or not value:
        return wanted
    if not all(type(v) is int for v in value.values()):
        return wanted
    if set(value) == {"days"} or set(value) == {"months", "day"}:
        return None
    return wanted


def _assignments(value: object) -> str | None:
    """[{ owner, from, until }]: an owner id and the dates it holds the KPI."""
    wanted = msg("an array of {table} tables", table="{ owner, from, until }")
    if not isinstance(value, list) or not value:
        return wanted
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("owner"), str):
            return wanted
        if not set(item) <= {"owner", "from", "until"}:
            return wanted
        if any(k in item and type(item[k]) is not date for k in ("from", "until")):  # a day, no time
            return wanted
    return None


def _one_of(*choices: str) -> Checker:
    if len(choices) == 1:
        wanted = msg('"{a}"', a=choices[0])
    elif len(choices) == 2:
        wanted = msg('"{a}" or "{b}"', a=choices[0], b=choices[1])
    elif len(choices) == 3:
        wanted = msg('"{a}" or "{b}" or "{c}"', a=choices[0], b=choices[1], c=choices[2])
    else:
        wanted = msg("one of {choices}", choices=", ".join(f'"{c}"' for c in choices))

    def check(value: object) -> str | None:
        if isinstance(value, str) and value in choices:
            return None
        return wanted

    return check


def checkers(fields: dict[str, schema.Field]) -> dict[str, Checker]:
    """The type check for each key, from the format's one definition (kpi/schema.py)."""
    by_kind: dict[str, Checker] = {
        "text": _text,
        "string": _string,
        "number": _number,
        "boolean": _boolean,
        "date": _date,
        "day": _day,
        "period": _string,  # parsed later, with a message naming the forms
        "plan_period": _string,  # matched later, likewise
        "kpi_id": _string,
        "sector_id": _string,
        "fraction": _number,  # its range is checked with the rest of [assessment]
        "share": _number,
        "coverage": _number,  # its range is checked with the rest of [assessment]
        "change_from": _string,
        "target": _table,
        "targets": _array,
        "globs": _globs,
        "org_id": _string,
        "org_ids": _ids,
        "aggregate": _aggregate,
        "due": _due,
        "owners": _assignments,
    }
    return {
        key: _one_of(*kind) if isinstance(kind, tuple) else by_kind[kind] for key, (kind, _) in fields.items()
    }


PLAN_FIELDS = checkers(schema.PLAN)


ASSESSMENT_FIELDS = checkers(schema.ASSESSMENT)


FILES_FIELDS = checkers(schema.FILES)


ORG_FIELDS = checkers(schema.ORG)


MERGE_FIELDS = checkers(schema.MERGE)


RENAME_FIELDS = checkers(schema.RENAME)


UNIT_TARGET_FIELDS = checkers(schema.UNIT_TARGET)


REPORTING_FIELDS = checkers(schema.REPORTING)


OWNER_FIELDS = checkers(schema.OWNER)


OWNER_RULE_FIELDS = checkers(schema.OWNER_RULE)


SECTOR_FIELDS = checkers(schema.SECTOR)


TARGET_FIELDS = checkers(schema.TARGET)


KPI_FIELDS = checkers(schema.KPI)


ACTUAL_FIELDS = checkers(schema.ACTUAL)


# The keys a plain figure uses: tables with any other go through the full checks.
ACTUAL_KEYS = frozenset(
    (
        "kpi",
        "period",
        "value",
        "estimated",
        "published",
        "source",
        "quote",
        "derived",
        "note",
        "org",
        "received",
    )
)


class _Report:
    """Collects problems for one file, one entry at a time."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def add(self, path: str | None, message: Message) -> None:
        self.problems.append(Problem(self.file, message, path))

    def warn(self, path: str | None, message: Message) -> None:
        self.problems.append(Problem(self.file, message, path, warning=True))

    def fields(
        self,
        table: dict[str, Any],
        spec: dict[str, Checker],
        required: tuple[str, ...],
        path: str,
        prefix: str = "",
    ) -> bool:
        """Check keys and types of a table; True when every field is sound."""
        ok = True
        for key, value in table.items():
            check = spec.get(key)
            if check is None:
                self.add(
                    path, msg('unknown key "{key}"{hint}', key=prefix + key, hint=did_you_mean(key, spec))
                )
                ok = False
                continue
            wanted = check(value)
            if wanted is not None:
                self.add(
                    path,
                    msg(
                        '"{key}" must be {wanted}, not {found}',
                        key=prefix + key,
                        wanted=wanted,
                        found=_describe(value),
                    ),
                )
                ok = False
        for key in required:
            if key not in table:
                self.add(path, msg('missing required key "{key}"', key=prefix + key))
                ok = False
        return ok


def bounds_problem(
    kpi: Kpi | None,
    value: float,
    low: float | None = None,
    high: float | None = None,
    compound: bool = False,
    named: bool = False,
) -> Message | None:
    """What is wrong with a value for a KPI (its min, its max, a compound trend's positive
    values), or None. The one statement of the rule, for targets, actuals and `kpi record`
    (named: the message names the KPI, for a command line that gave only its id)."""
    if kpi is not None:
        low, high, compound = kpi.min, kpi.max, kpi.trend == "compound"
    name = kpi.id if kpi is not None and named else None
    if low is not None and value < low:
        if name:
            return msg("is below {kpi}'s min {limit}", kpi=name, limit=_fmt(low))
        return msg("is below the KPI's min {limit}", limit=_fmt(low))
    if high is not None and value > high:
        if name:
            return msg("is above {kpi}'s max {limit}", kpi=name, limit=_fmt(high))
        return msg("is above the KPI's max {limit}", limit=_fmt(high))
    if compound and value <= 0:
        if name:
            return msg('must be positive: {kpi} has trend = "compound"', kpi=name)
        return msg('must be positive: the KPI has trend = "compound"')
    return None


def _describe(value: object) -> str:
    if type(value) is date:  # a date out of range: say which one
        return msg("the date {day}", day=value)
    if _is_number(value) and not _finite(value):
        return str(value) if isinstance(value, float) else msg("an integer too large for a number")
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else msg("a string")
    return _kind(value)


def _period(report: _Report, path: str, text: object, key: str = "period") -> Period | None:
    if not isinstance(text, str):
        return None
    try:
        return parse_period(text)
    except PeriodError as exc:
        report.add(path, msg("{key}: {problem}", key=key, problem=exc.args[0]))
        return None


def _fmt(value: object) -> object:
    """A number for a message: kept a number, so that it is written in the language's notation."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e15:
        return float(value)  # a Num in the message: grouped, in the language's notation
    return value


def field_problem(key: str, value: object) -> str | None:
    """What an [[actual]] field's value should be, when it is not acceptable; the loader's rule."""
    check = ACTUAL_FIELDS.get(key)
    if check is None:
        return msg('unknown key "{key}"{hint}', key=key, hint="")
    wanted = check(value)
    return (
        None
        if wanted is None
        else msg("must be {wanted}, not {found}", wanted=wanted, found=_describe(value))
    )
