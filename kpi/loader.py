"""Find, read and check the two data files.

Like Beancount's loader, ``load`` never stops at the first mistake: it returns the
dataset built from every entry that is sound, plus a list of every problem found,
so ``kpi validate`` can report them all at once and the other commands can refuse
to assess invalid data.
"""

import math
import os
import re
import shlex
import stat
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple, TypeGuard

import tomli

from kpi import schema
from kpi.i18n import Message, msg
from kpi.model import Actual, Dataset, Kpi, Plan, Sector, Target, Thresholds
from kpi.periods import Period, PeriodError, parse_period
from kpi.problems import Problem, did_you_mean

TARGETS_NAME = "targets.toml"
ACTUALS_NAME = "actuals.toml"

# The format's patterns, from its one definition; \Z so that a final newline is not let through.
SECTOR_ID = re.compile(schema.SECTOR_ID.removeprefix("^").removesuffix("$") + r"\Z")
KPI_ID = re.compile(schema.KPI_ID.removeprefix("^").removesuffix("$") + r"\Z")
PLAN_PERIOD = re.compile(schema.PLAN_PERIOD.removeprefix("^").removesuffix("$") + r"\Z")
# value = 82,2: a Vietnamese decimal comma, which TOML reads as a syntax error
DECIMAL_COMMA = re.compile(r"=\s*([-+]?\d+,\d+)\s*(?:#.*)?$", re.ASCII)


class DataFilesNotFound(Exception):
    """No targets.toml where the user pointed or in any parent directory."""


class DataFiles(NamedTuple):
    targets: Path
    actuals: Path
    actuals_required: bool  # named explicitly, so a missing file is an error


def locate(
    targets: Path | None = None,
    actuals: Path | None = None,
    data_dir: Path | None = None,
    cwd: Path | None = None,
) -> DataFiles:
    """Resolve the data files from options, else search upwards from the current directory."""
    if targets is None:
        if data_dir is not None:
            targets = data_dir / TARGETS_NAME
        else:
            start = (cwd or Path.cwd()).resolve()
            for folder in (start, *start.parents):
                if (folder / TARGETS_NAME).is_file():
                    targets = folder / TARGETS_NAME
                    break
            else:
                raise DataFilesNotFound(
                    msg(
                        "no {name} in {folder} or any parent directory; "
                        "use --data-dir DIR, --targets PATH or KPI_DATA_DIR, or start a plan with kpi init",
                        name=TARGETS_NAME,
                        folder=str(start),
                    )
                )
    if actuals is not None:
        return DataFiles(targets, actuals, actuals_required=True)
    folder = data_dir if data_dir is not None else targets.parent
    return DataFiles(targets, folder / ACTUALS_NAME, actuals_required=False)


# --- reading -----------------------------------------------------------------------


# Far above any real plan (10^6 figures with quotes take ~150 MB), low enough that a data file
# that is really a device or a runaway generator is refused before it exhausts memory.
MAX_FILE_BYTES = 512 * 1024 * 1024


class ReadError(Exception):
    """A data file that cannot be read; the message says why."""


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (symlinks followed), at most limit of them.

    A FIFO, socket or device is refused before reading from it: a FIFO would block forever and
    /dev/zero would never end. O_NONBLOCK makes opening a FIFO return at once instead of waiting
    for a writer; it has no effect on regular files.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ReadError(msg("file not found")) from None
    except IsADirectoryError:
        raise ReadError(msg("is a directory, not a file")) from None
    except PermissionError:
        raise ReadError(msg("cannot read the file: permission denied")) from None
    except OSError as exc:
        raise ReadError(msg("cannot read the file: {reason}", reason=exc.strerror or str(exc))) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadError(msg("is a directory, not a file"))
        if not stat.S_ISREG(info.st_mode):
            kind = _file_kind(info.st_mode)
            raise ReadError(msg("is not a regular file ({kind}); kpi reads only regular files", kind=kind))
        if info.st_size > limit:
            raise ReadError(
                msg(
                    "is {size:,} bytes, over kpi's limit of {limit:,} for a data file",
                    size=info.st_size,
                    limit=limit,
                )
            )
        chunks = []
        size = 0
        while chunk := os.read(fd, max(info.st_size - size, 0) + 65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # grew while being read
                raise ReadError(msg("is over kpi's limit of {limit:,} bytes for a data file", limit=limit))
        return b"".join(chunks)
    except OSError as exc:
        raise ReadError(msg("cannot read the file: {reason}", reason=exc.strerror or str(exc))) from None
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return msg("a named pipe")
    if stat.S_ISSOCK(mode):
        return msg("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return msg("a device")
    return msg("another kind of file")


def read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    """A data file's bytes; anything but a readable regular file is a problem."""
    try:
        return read_regular(path)
    except ReadError as exc:
        problems.append(Problem(str(path), exc.args[0]))
        return None


def decode(data: bytes, name: str, problems: list[Problem]) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(
            Problem(
                name,
                msg("starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM"),
                line=1,
                column=1,
            )
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            Problem(
                name,
                msg("invalid UTF-8 (byte 0x{byte}); save the file as UTF-8", byte=f"{data[exc.start]:02x}"),
                line=line,
                column=column,
            )
        )
        return None


def parse_toml(text: str, name: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        return tomli.loads(text)
    except RecursionError:
        problems.append(
            Problem(name, msg("TOML nested too deeply to read (arrays or tables inside each other)"))
        )
        return None
    except tomli.TOMLDecodeError as exc:
        message = getattr(exc, "msg", None) or str(exc).split(" (at ")[0]
        hint: str = ""
        lineno = getattr(exc, "lineno", None)
        if lineno is not None:
            comma = DECIMAL_COMMA.search(
                text.splitlines()[lineno - 1] if lineno <= text.count("\n") + 1 else ""
            )
            if comma is not None:
                fixed = comma.group(1).replace(",", ".")
                hint = msg(
                    " (TOML numbers take a decimal point: write {fixed}, not {written})",
                    fixed=fixed,
                    written=comma.group(1),
                )
        problems.append(
            Problem(
                name,
                msg("TOML syntax error: {detail}{hint}", detail=message, hint=hint),
                line=getattr(exc, "lineno", None),
                column=getattr(exc, "colno", None),
            )
        )
        return None


# --- field checks --------------------------------------------------------------------


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


def _one_of(*choices: str) -> Checker:
    if len(choices) == 1:
        wanted = msg('"{a}"', a=choices[0])
    elif len(choices) == 2:
        wanted = msg('"{a}" or "{b}"', a=choices[0], b=choices[1])
    else:
        wanted = msg('"{a}" or "{b}" or "{c}"', a=choices[0], b=choices[1], c=choices[2])

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
        "period": _string,  # parsed later, with a message naming the forms
        "plan_period": _string,  # matched later, likewise
        "kpi_id": _string,
        "sector_id": _string,
        "fraction": _number,  # its range is checked with the rest of [assessment]
        "share": _number,
        "change_from": _string,
        "target": _table,
        "targets": _array,
    }
    return {
        key: _one_of(*kind) if isinstance(kind, tuple) else by_kind[kind] for key, (kind, _) in fields.items()
    }


PLAN_FIELDS = checkers(schema.PLAN)
ASSESSMENT_FIELDS = checkers(schema.ASSESSMENT)
SECTOR_FIELDS = checkers(schema.SECTOR)
TARGET_FIELDS = checkers(schema.TARGET)
KPI_FIELDS = checkers(schema.KPI)
ACTUAL_FIELDS = checkers(schema.ACTUAL)
# The keys a plain figure uses: tables with any other go through the full checks.
ACTUAL_KEYS = frozenset(
    ("kpi", "period", "value", "estimated", "published", "source", "quote", "derived", "note")
)


class _Report:
    """Collects problems for one file, one entry at a time."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def add(self, path: str | None, message: Message) -> None:
        self.problems.append(Problem(self.file, message, path))

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


# --- targets.toml --------------------------------------------------------------------


def _load_targets(
    doc: dict[str, Any], report: _Report, declared_ids: set[str]
) -> tuple[Plan, Thresholds, dict[str, Sector], dict[str, Kpi]]:
    known = {"plan": _table, "assessment": _table, "sectors": _table, "kpi": _array}
    for key, value in doc.items():
        if key not in known:
            report.add(
                None, msg('unknown top-level key "{key}"{hint}', key=key, hint=did_you_mean(key, known))
            )
        elif (wanted := known[key](value)) is not None:
            hint = msg(" (write [[kpi]] tables)") if key == "kpi" else ""
            report.add(
                None,
                msg(
                    '"{key}" must be {wanted}, not {found}{hint}',
                    key=key,
                    wanted=wanted,
                    found=_kind(value),
                    hint=hint,
                ),
            )

    plan = Plan(name="")
    raw_plan = doc.get("plan")
    if raw_plan is None:
        report.add(None, msg('missing the [plan] table (it needs at least name = "...")'))
    elif isinstance(raw_plan, dict) and report.fields(
        raw_plan, PLAN_FIELDS, schema.REQUIRED["plan"], "[plan]"
    ):
        period = raw_plan.get("period")
        if period is not None and not PLAN_PERIOD.match(period):
            report.add("[plan]", msg('period "{period}" must look like "2021-2025"', period=period))
        plan = Plan(raw_plan["name"], period, raw_plan.get("name_en"), raw_plan.get("lang"))

    thresholds = Thresholds()
    raw_bands = doc.get("assessment")
    if isinstance(raw_bands, dict) and report.fields(raw_bands, ASSESSMENT_FIELDS, (), "[assessment]"):
        on_track = float(raw_bands.get("on_track", thresholds.on_track))
        acceleration = float(raw_bands.get("acceleration_needed", thresholds.acceleration_needed))
        base = _period(report, "[assessment]", raw_bands.get("base_period"), "base_period")
        if not 0 <= acceleration <= on_track:
            report.add(
                "[assessment]",
                msg(
                    "need 0 <= acceleration_needed ({acceleration}) <= on_track ({on_track})",
                    acceleration=str(acceleration),
                    on_track=str(on_track),
                ),
            )
        else:
            thresholds = Thresholds(
                on_track,
                acceleration,
                raw_bands.get("method", "linear"),
                base,
                raw_bands.get("grade_without_target", False),
            )

    sectors: dict[str, Sector] = {}
    raw_sectors = doc.get("sectors")
    if isinstance(raw_sectors, dict):
        for sector_id, raw in raw_sectors.items():
            path = f"[sectors.{sector_id}]"
            if not SECTOR_ID.match(sector_id):
                report.add(path, msg('sector id "{id}" must match [a-z][a-z0-9_]*', id=sector_id))
                continue
            if not isinstance(raw, dict):
                report.add(path, msg("must be a table, not {found}", found=_kind(raw)))
                continue
            if report.fields(raw, SECTOR_FIELDS, schema.REQUIRED["sector"], path):
                sectors[sector_id] = Sector(sector_id, raw["name"], raw.get("name_en"))

    kpis: dict[str, Kpi] = {}
    first_index: dict[str, int] = {}
    raw_kpis = doc.get("kpi")
    if isinstance(raw_kpis, list):
        declared = set(raw_sectors) if isinstance(raw_sectors, dict) else set()
        for index, raw in enumerate(raw_kpis, 1):
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                declared_ids.add(raw["id"])
            kpi = _load_kpi(raw, index, declared, report)
            if kpi is None:
                continue
            if kpi.id in kpis:
                report.add(
                    f'kpi "{kpi.id}" (kpi[{index}])',
                    msg("duplicate KPI id: already declared at kpi[{n}]", n=str(first_index[kpi.id])),
                )
                continue
            kpis[kpi.id] = kpi
            first_index[kpi.id] = index
        _check_derivations(kpis, first_index, report)
    return plan, thresholds, sectors, kpis


def _check_derivations(kpis: dict[str, Kpi], first_index: dict[str, int], report: _Report) -> None:
    """A KPI derived from another names one that exists, and no chain of them loops."""
    for kpi in list(kpis.values()):
        source = kpi.derived_from
        if source is None:
            continue
        path = f'kpi "{kpi.id}" (kpi[{first_index[kpi.id]}])'
        if source not in kpis:
            report.add(
                path,
                msg(
                    'derived_from names an unknown KPI "{kpi}"{hint}',
                    kpi=source,
                    hint=did_you_mean(source, kpis),
                ),
            )
            del kpis[kpi.id]
            continue
        seen = [kpi.id]
        while source is not None and source in kpis and source not in seen:
            seen.append(source)
            source = kpis[source].derived_from
        if source is not None and source in seen:
            report.add(path, msg("derived_from makes a cycle: {chain}", chain=" → ".join([*seen, source])))
            del kpis[kpi.id]


def _load_kpi(raw: object, index: int, sectors: set[str], report: _Report) -> Kpi | None:
    if not isinstance(raw, dict):
        report.add(f"kpi[{index}]", msg("must be a table, not {found}", found=_kind(raw)))
        return None
    kpi_id = raw.get("id")
    path = f'kpi "{kpi_id}" (kpi[{index}])' if isinstance(kpi_id, str) else f"kpi[{index}]"
    ok = report.fields(raw, KPI_FIELDS, schema.REQUIRED["kpi"], path)
    if isinstance(kpi_id, str) and not KPI_ID.match(kpi_id):
        report.add(path, msg('id "{id}" must use only a-z, 0-9, "_", "." and "-"', id=kpi_id))
        ok = False
    sector = raw.get("sector")
    if isinstance(sector, str) and sector not in sectors:
        hint = did_you_mean(sector, sectors)
        choices = ", ".join(sorted(sectors)) or msg("none declared")
        report.add(
            path,
            msg(
                'sector "{sector}" is not declared under [sectors]{hint}',
                sector=sector,
                hint=hint or msg(" (declared: {choices})", choices=choices),
            ),
        )
        ok = False
    has_targets = bool(raw.get("targets")) or "baseline" in raw
    if has_targets and "direction" not in raw:
        report.add(path, msg('missing "direction" ("up" or "down"): it decides what meeting a target means'))
        ok = False
    direction = raw.get("direction", "up")
    trend = raw.get("trend", "linear")
    base_period = _period(report, path, raw.get("base_period"), "base_period")
    if "base_period" in raw and base_period is None:
        ok = False
    if raw.get("measure") == "flow" and raw.get("direction") == "down":
        report.add(
            path,
            msg('a flow is judged on the amount reached so far: direction = "down" flows are not supported'),
        )
        ok = False
    if ("derived_from" in raw) != ("formula" in raw):
        report.add(
            path,
            msg('"derived_from" and "formula" go together: formula = "growth", derived_from = "a KPI id"'),
        )
        ok = False
    low = float(raw["min"]) if _is_number(raw.get("min")) and _finite(raw["min"]) else None
    high = float(raw["max"]) if _is_number(raw.get("max")) and _finite(raw["max"]) else None
    if low is not None and high is not None and low > high:
        report.add(path, msg("min ({low}) is greater than max ({high})", low=str(low), high=str(high)))
        ok = False

    def check_value(value: object, where: str) -> bool:
        if not _is_number(value) or not _finite(value):
            return False
        wrong = bounds_problem(None, float(value), low, high, trend == "compound")
        if wrong is not None:
            report.add(path, msg("{where} {value} {problem}", where=where, value=_fmt(value), problem=wrong))
            return False
        return True

    def load_point(raw_point: object, where: str) -> Target | None:
        if not isinstance(raw_point, dict):
            report.add(
                path,
                msg(
                    '{where} must be a table such as {{ period = "2025", value = 80 }}, not {found}',
                    where=where,
                    found=_kind(raw_point),
                ),
            )
            return None
        good = report.fields(raw_point, TARGET_FIELDS, schema.REQUIRED["target"], path, prefix=f"{where}.")
        period = _period(report, path, raw_point.get("period"), f"{where}.period")
        value = raw_point.get("value")
        label = f"{where} ({raw_point.get('period')})"
        good = check_value(value, label + " value") and good
        stretch = raw_point.get("stretch")
        if stretch is not None and _is_number(stretch) and _finite(stretch) and _is_number(value):
            good = check_value(stretch, label + " stretch") and good
            beyond = stretch > value if direction == "up" else stretch < value
            if direction in ("up", "down") and not beyond:
                if direction == "up":
                    wrong = msg(
                        '{label} stretch {stretch} must be above its value {value} for direction = "up"',
                        label=label, stretch=_fmt(stretch), value=_fmt(value),
                    )  # fmt: skip
                else:
                    wrong = msg(
                        '{label} stretch {stretch} must be below its value {value} for direction = "down"',
                        label=label, stretch=_fmt(stretch), value=_fmt(value),
                    )  # fmt: skip
                report.add(path, wrong)
                good = False
        if not good or period is None:
            return None
        return Target(
            period,
            float(value),  # type: ignore[arg-type]
            float(stretch) if stretch is not None else None,
            raw_point.get("source"),
            raw_point.get("quote"),
            raw_point.get("note"),
            bool(raw_point.get("derived", False)),
        )

    baseline = None
    if isinstance(raw.get("baseline"), dict):
        baseline = load_point(raw["baseline"], "baseline")
        ok = ok and baseline is not None
    targets: list[Target] = []
    if isinstance(raw.get("targets"), list):
        seen: dict[Any, str] = {}  # date -> the period that target was written for
        for n, raw_target in enumerate(raw["targets"], 1):
            target = load_point(raw_target, f"targets[{n}]")
            if target is None:
                ok = False
                continue
            if target.date in seen:
                report.add(
                    path,
                    msg(
                        'two targets for one period: targets[{n}] ("{period}") and the one for "{other}"',
                        n=str(n),
                        period=target.period.text,
                        other=seen[target.date],
                    ),
                )
                ok = False
                continue
            seen[target.date] = target.period.text
            targets.append(target)
        targets.sort(key=lambda t: t.date)
    if baseline is not None and targets and baseline.date >= targets[0].date:
        report.add(
            path,
            msg(
                'baseline period "{period}" must be before the first target ("{first}")',
                period=baseline.period.text,
                first=targets[0].period.text,
            ),
        )
        ok = False
    if not ok:
        return None
    return Kpi(
        id=raw["id"],
        sector=raw["sector"],
        name=raw["name"],
        unit=raw["unit"],
        direction=direction,
        trend=trend,
        name_en=raw.get("name_en"),
        min=low,
        max=high,
        baseline=baseline,
        targets=tuple(targets),
        source=raw.get("source"),
        quote=raw.get("quote"),
        note=raw.get("note"),
        position=index,
        method=raw.get("method"),
        base_period=base_period,
        measure=raw.get("measure", "level"),
        derived_from=raw.get("derived_from"),
        formula=raw.get("formula"),
    )


def _fmt(value: object) -> object:
    """A number for a message: kept a number, so that it is written in the language's notation."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e15:
        return float(value)  # a Num in the message: grouped, in the language's notation
    return value


# --- actuals.toml --------------------------------------------------------------------


def _load_actuals(
    doc: dict[str, Any], report: _Report, kpis: dict[str, Kpi], declared_ids: set[str] | None
) -> list[Actual]:
    for key in doc:
        if key != "actual":
            report.add(
                None, msg('unknown top-level key "{key}"{hint}', key=key, hint=did_you_mean(key, ["actual"]))
            )
    raw_actuals = doc.get("actual", [])
    if not isinstance(raw_actuals, list):
        report.add(
            None, msg('"actual" must be an array of [[actual]] tables, not {found}', found=_kind(raw_actuals))
        )
        return []
    actuals: list[Actual] = []
    # One figure per KPI and day: two that end on the same day (2023 and 2023-12-31) would make
    # the assessment depend on their order in the file.
    # (A flow's month and the half year that ends with it are different figures: its key has
    # the start too.)
    # A second figure for the same KPI and day is a revision when every figure for that day
    # has its own published date; otherwise the assessment could not tell which one counts.
    seen: dict[tuple[Any, ...], list[tuple[int, str, date | None]]] = {}
    kpi_of = kpis.get
    for index, raw in enumerate(raw_actuals, 1):
        # Fast path for the common, sound entry: one pass over its keys, no messages built.
        # Anything unusual falls through to the checks below, which say what is wrong.
        if type(raw) is dict and raw.keys() <= ACTUAL_KEYS:
            get = raw.get
            kpi_id, period_text, value, source = get("kpi"), get("period"), get("value"), get("source")
            quote, note, published = get("quote"), get("note"), get("published")
            estimated, derived = get("estimated", False), get("derived", False)
            kpi = kpi_of(kpi_id) if type(kpi_id) is str else None
            if (
                kpi is not None
                and type(period_text) is str
                and (type(value) is float or type(value) is int)
                and _finite(value)
                and type(source) is str
                and source
                and not source.isspace()
                and (quote is None or (type(quote) is str and quote and not quote.isspace()))
                and (note is None or type(note) is str)
                and (published is None or type(published) is date)
                and type(estimated) is bool
                and type(derived) is bool
                and (kpi.min is None or value >= kpi.min)
                and (kpi.max is None or value <= kpi.max)
                and (kpi.trend != "compound" or value > 0)
            ):
                try:
                    period = parse_period(period_text)
                except PeriodError:
                    period = None
                day: tuple[Any, ...] | None = None
                if period is not None:
                    day = (
                        (kpi.id, period.end) if kpi.measure == "level" else (kpi.id, period.end, period.start)
                    )
                if day is not None and period is not None and day not in seen:
                    seen[day] = [(index, period_text, published)]
                    actuals.append(
                        Actual(
                            kpi.id,
                            period,
                            float(value),
                            source,
                            estimated,
                            published,
                            quote,
                            derived,
                            note,
                            index,
                        )
                    )
                    continue
        if not isinstance(raw, dict):
            report.add(f"actual[{index}]", msg("must be a table, not {found}", found=_kind(raw)))
            continue
        kpi_id, period_text, value = raw.get("kpi"), raw.get("period"), raw.get("value")
        path = f"actual[{index}]"
        if isinstance(kpi_id, str) and isinstance(period_text, str):
            path = f'actual[{index}] (kpi "{kpi_id}", period "{period_text}")'
        ok = report.fields(raw, ACTUAL_FIELDS, schema.REQUIRED["actual"], path)
        checked = _period(report, path, period_text)
        kpi = kpis.get(kpi_id) if isinstance(kpi_id, str) else None
        if isinstance(kpi_id, str) and declared_ids is not None and kpi_id not in declared_ids:
            report.add(
                path, msg('unknown KPI "{kpi}"{hint}', kpi=kpi_id, hint=did_you_mean(kpi_id, declared_ids))
            )
            ok = False
        if kpi is not None and ok:
            wrong = bounds_problem(kpi, float(value))  # type: ignore[arg-type]
            if wrong is not None:
                report.add(path, msg("value {value} {problem}", value=_fmt(value), problem=wrong))
                ok = False
        if checked is not None and isinstance(kpi_id, str):
            flow = kpi is not None and kpi.measure == "flow"
            start = (
                checked.end.replace(month=1, day=1)
                if flow and raw.get("cumulative") is True
                else checked.start
            )
            entry: tuple[Any, ...] = (kpi_id, checked.end, start) if flow else (kpi_id, checked.end)
            published = raw.get("published")
            earlier = seen.get(entry, [])
            revision = (
                bool(earlier)
                and type(published) is date
                and all(p is not None and p != published for _i, _t, p in earlier)
            )
            if earlier and not revision:
                first, first_text, _p = earlier[0]
                if first_text == checked.text:
                    report.add(
                        path,
                        msg(
                            "duplicate: actual[{n}] already records this KPI and period; a revision needs "
                            "its own published date, on both",
                            n=str(first),
                        ),
                    )
                else:
                    report.add(
                        path,
                        msg(
                            'two figures for one day: actual[{n}] (period "{other}") and this one both end '
                            "on {date}; keep one",
                            n=str(first),
                            other=first_text,
                            date=checked.end,
                        ),
                    )
                ok = False
            else:
                seen.setdefault(entry, []).append(
                    (index, checked.text, published if type(published) is date else None)
                )
        plan_period = _period(report, path, raw.get("plan_period"), "plan_period")
        if (ok and not _flow_fields_sound(raw, kpi, path, report)) or (
            "plan_period" in raw and plan_period is None
        ):
            ok = False
        if not ok or checked is None or kpi is None:
            continue
        change = raw.get("change")
        actuals.append(
            Actual(
                kpi=kpi_id,  # type: ignore[arg-type]
                period=checked,
                value=float(value),  # type: ignore[arg-type]
                source=raw["source"],
                estimated=raw.get("estimated", False),
                published=raw.get("published"),
                quote=raw.get("quote"),
                derived=raw.get("derived", False),
                note=raw.get("note"),
                position=index,
                cumulative=raw.get("cumulative", False),
                plan_share=float(raw["plan_share"]) if "plan_share" in raw else None,
                plan_period=plan_period,
                change=float(change) if change is not None else None,
                change_from=raw.get("change_from"),
            )
        )
    return actuals


SAME_PERIOD = schema.SAME_PERIOD
YEAR = re.compile(r"\d{4}\Z", re.ASCII)


def _flow_fields_sound(raw: dict[str, Any], kpi: Kpi | None, path: str, report: _Report) -> bool:
    """The rules of the flow and plan keys of an [[actual]] (their types are checked already)."""
    ok = True
    share = raw.get("plan_share")
    if share is not None and not 0 < share <= 10:
        report.add(
            path,
            msg(
                "plan_share {share} must be above 0 and at most 10 (0.5 is 50 % of the plan)",
                share=_fmt(share),
            ),
        )
        ok = False
    if share is not None and kpi is not None and kpi.direction == "down":
        report.add(
            path, msg('plan_share needs direction = "up": a share of a plan to stay under is ambiguous')
        )
        ok = False
    plan = raw.get("plan_period")
    period = raw.get("period")
    if isinstance(plan, str) and isinstance(period, str):
        try:
            inside = parse_period(plan)
            figure = parse_period(period)
        except PeriodError:
            pass  # said elsewhere
        else:
            if not (inside.start <= figure.start and figure.end <= inside.end):
                report.add(
                    path,
                    msg(
                        "plan_period {plan} must contain the figure's period {period}",
                        plan=plan,
                        period=period,
                    ),
                )
                ok = False
    if raw.get("cumulative") and kpi is not None and kpi.measure != "flow":
        report.add(path, msg('cumulative applies to flows: the KPI has measure = "level"'))
        ok = False
    change, source = raw.get("change"), raw.get("change_from")
    if (change is None) != (source is None):
        report.add(
            path,
            msg(
                '"change" and "change_from" go together (change_from = "2022" or "{same}")', same=SAME_PERIOD
            ),
        )
        ok = False
    elif source is not None and source != SAME_PERIOD and not YEAR.match(source):
        report.add(
            path,
            msg(
                'change_from "{value}" must be a year such as "2022" or "{same}"',
                value=source,
                same=SAME_PERIOD,
            ),
        )
        ok = False
    elif (
        source is not None
        and source != SAME_PERIOD
        and isinstance(period, str)
        and period[:4].isdigit()
        and int(source) >= int(period[:4])
    ):
        report.add(path, msg('change_from "{year}" must be a year before the figure\'s', year=source))
        ok = False
    elif change is not None and change <= -1:
        report.add(
            path,
            msg(
                "change {change} is a fall of 100 % or more; write -0.25 for a fall of 25 %",
                change=_fmt(change),
            ),
        )
        ok = False
    return ok


# --- entry point ----------------------------------------------------------------------


def load(files: DataFiles, with_actuals: bool = True) -> tuple[Dataset, list[Problem]]:
    """Read and check both files (or only targets.toml); return what is sound and every problem.

    A large plan whose files are unchanged since the last clean load comes from the cache.
    """
    from kpi import cache

    problems: list[Problem] = []
    targets_bytes = read_bytes(files.targets, problems)
    if (
        targets_bytes is None
        and files.targets.name == TARGETS_NAME  # what kpi init writes
        and not os.path.lexists(files.targets)
    ):
        problems[-1] = Problem(
            str(files.targets),
            msg(
                "file not found; kpi init {folder} creates one", folder=shlex.quote(str(files.targets.parent))
            ),
        )
    actuals_bytes = None
    if with_actuals and (files.actuals_required or os.path.lexists(files.actuals)):
        actuals_bytes = read_bytes(files.actuals, problems)
    content_key = None
    if (
        targets_bytes is not None
        and not problems
        and with_actuals
        and cache.wanted(targets_bytes, actuals_bytes)
    ):
        content_key = cache.key(targets_bytes, actuals_bytes)
        hit = cache.load(files.targets, files.actuals, content_key)
        if hit is not None:
            plan, thresholds, sectors, kpis, cached, warnings = hit
            return Dataset(plan, thresholds, sectors, kpis, cached, files.targets, files.actuals), warnings

    dataset = check(targets_bytes, actuals_bytes, files, problems)
    if content_key is not None and all(p.warning for p in problems):
        # The parsed documents go before pickling: the run's peak memory stays that of a parse.
        targets_bytes = actuals_bytes = None
        payload = (dataset.plan, dataset.thresholds, dataset.sectors, dataset.kpis, dataset.actuals, problems)
        cache.store(files.targets, files.actuals, content_key, payload)
    return dataset, problems


def check(
    targets_bytes: bytes | None, actuals_bytes: bytes | None, files: DataFiles, problems: list[Problem]
) -> Dataset:
    """The dataset from the two files' bytes (however they were read: from disk, or from git),
    with every problem added to problems."""
    targets_doc = actuals_doc = None
    if targets_bytes is not None:
        text = decode(targets_bytes, str(files.targets), problems)
        targets_doc = None if text is None else parse_toml(text, str(files.targets), problems)
    declared_ids: set[str] | None = None
    if targets_doc is not None:
        declared_ids = set()
        report = _Report(str(files.targets), problems)
        plan, thresholds, sectors, kpis = _load_targets(targets_doc, report, declared_ids)
    else:
        plan, thresholds, sectors, kpis = Plan(""), Thresholds(), {}, {}
    actuals: list[Actual] = []
    if actuals_bytes is not None:
        text = decode(actuals_bytes, str(files.actuals), problems)
        actuals_doc = None if text is None else parse_toml(text, str(files.actuals), problems)
        if actuals_doc is not None:
            # "Unknown KPI" is claimed only against a targets.toml that parsed.
            actuals = _load_actuals(actuals_doc, _Report(str(files.actuals), problems), kpis, declared_ids)
    if targets_doc is not None:
        from kpi.derive import derive

        kpis, actuals, derived = derive(kpis, actuals, str(files.targets), str(files.actuals), plan.period)
        problems += derived
    del targets_doc, actuals_doc  # the parsed documents go: peak memory stays that of a parse
    if problems:  # only then: a clean run never pays for positions
        from kpi.positions import with_lines

        texts = {}
        for name, data in ((str(files.targets), targets_bytes), (str(files.actuals), actuals_bytes)):
            if data is not None:
                try:
                    texts[name] = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue
        problems[:] = with_lines(problems, texts)
    return Dataset(plan, thresholds, sectors, kpis, actuals, files.targets, files.actuals)


def actuals_from(doc: dict[str, Any], file: str, dataset: Dataset, problems: list[Problem]) -> list[Actual]:
    """Check and build the [[actual]] tables of an already parsed document."""
    return _load_actuals(doc, _Report(file, problems), dataset.kpis, set(dataset.kpis))


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
