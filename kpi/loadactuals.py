"""actuals.toml checked and built: every [[actual]] table, one figure per KPI and day unless it is a
revision, and the fields that state a flow's figure (plan shares, stated changes)."""

import re
from datetime import date
from typing import Any

from kpi import schema
from kpi.fields import (
    ACTUAL_FIELDS,
    ACTUAL_KEYS,
    _finite,
    _fmt,
    _kind,
    _period,
    _Report,
    bounds_problem,
)
from kpi.i18n import Message, msg
from kpi.model import Actual, Kpi
from kpi.orgs import NO_ORGS, Orgs
from kpi.periods import Period, PeriodError, parse_period
from kpi.problems import Problem, did_you_mean

# The fast path for sound [[actual]] tables repeats the general checks inline (10^5 figures load
# in a third of the time); tests/test_validate_properties.py turns it off to prove that it
# accepts and rejects exactly what the general path does.
FAST_PATH = True
# The fast path builds an Actual as a tuple in this field order: a field added to the model
# stops kpi at import until the fast path is told of it.
_FAST_FIELDS = (
    "kpi", "period", "value", "source", "estimated", "published", "quote", "derived", "note",
    "position", "cumulative", "plan_share", "plan_period", "change", "change_from", "file", "org",
    "received",
)  # fmt: skip
if Actual._fields != _FAST_FIELDS:
    raise ImportError(f"kpi.loadactuals: the fast path's fields {_FAST_FIELDS} are not Actual's")
_new = tuple.__new__


def _load_actuals(
    doc: dict[str, Any],
    report: _Report,
    kpis: dict[str, Kpi],
    declared_ids: set[str] | None,
    file: str = "",
    orgs: Orgs = NO_ORGS,
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
    units = orgs.units
    for index, raw in enumerate(raw_actuals, 1):
        # Fast path for the common, sound entry: one pass over its keys, no messages built.
        # Anything unusual falls through to the checks below, which say what is wrong.
        if FAST_PATH and type(raw) is dict and raw.keys() <= ACTUAL_KEYS:
            get = raw.get
            kpi_id, period_text, value, source = get("kpi"), get("period"), get("value"), get("source")
            quote, note, published, received = get("quote"), get("note"), get("published"), get("received")
            estimated, derived = get("estimated", False), get("derived", False)
            org = get("org")
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
                and (received is None or type(received) is date)
                and type(estimated) is bool
                and type(derived) is bool
                and (org is None or type(org) is str)
                and (kpi.min is None or value >= kpi.min)
                and (kpi.max is None or value <= kpi.max)
                and (kpi.trend != "compound" or value > 0)
            ):
                try:
                    period = parse_period(period_text)
                except PeriodError:
                    period = None
                if org is not None and period is not None:
                    if org == orgs.root:
                        org = None  # the plan's own figure, however written
                    elif (unit := units.get(org)) is None or not unit.valid_on(period.end):
                        period = None  # the general path says what is wrong
                day: tuple[Any, ...] | None = None
                if period is not None:
                    day = (
                        (kpi.id, org, period.end)
                        if kpi.measure == "level"
                        else (kpi.id, org, period.end, period.start)
                    )
                if day is not None and period is not None and day not in seen:
                    seen[day] = [(index, period_text, published)]
                    # The fields in _FAST_FIELDS' order, without the keyword binding's cost.
                    fields = (kpi.id, period, float(value), source, estimated, published, quote,
                              derived, note, index, False, None, None, None, None, file, org,
                              received)  # fmt: skip
                    actuals.append(_new(Actual, fields))
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
        org = raw.get("org")
        if isinstance(org, str) and org == orgs.root:
            org = None  # the root's figures are the plan's own: one series, however written
        elif isinstance(org, str):
            wrong = _org_problem(org, checked, orgs)
            if wrong is not None:
                report.add(path, wrong)
                ok = False
            stated = [key for key in ("plan_share", "plan_period", "change", "change_from") if key in raw]
            if stated:
                report.add(
                    path,
                    msg(
                        "\"{key}\" is for the plan's own figures; a unit's figure states its value",
                        key=stated[0],
                    ),
                )
                ok = False
        if checked is not None and isinstance(kpi_id, str):
            flow = kpi is not None and kpi.measure == "flow"
            start = (
                checked.end.replace(month=1, day=1)
                if flow and raw.get("cumulative") is True
                else checked.start
            )
            entry: tuple[Any, ...] = (kpi_id, org, checked.end, start) if flow else (kpi_id, org, checked.end)
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
        # Every key of the format that the model holds as written comes across by its name: a key
        # added to the format (kpi/schema.py) and the model needs no line here.
        plain = {key: raw[key] for key in PLAIN_KEYS if key in raw}
        change = raw.get("change")
        actuals.append(
            Actual(
                **plain,
                kpi=kpi_id,  # type: ignore[arg-type]
                period=checked,
                value=float(value),  # type: ignore[arg-type]
                position=index,
                file=file,
                plan_share=float(raw["plan_share"]) if "plan_share" in raw else None,
                plan_period=plan_period,
                change=float(change) if change is not None else None,
                org=org if isinstance(org, str) else None,
            )
        )
    return actuals


def _org_problem(org: str, period: Period | None, orgs: Orgs) -> Message | None:
    """An org a figure cannot be for: unknown, or not valid on its period's last day (with the
    units that were: its predecessors, or its successor)."""
    unit = orgs.units.get(org)
    if unit is None:
        if not orgs.units:
            return msg('unknown org "{org}": the plan declares no [[org]]', org=org)
        return msg('unknown org "{org}"{hint}', org=org, hint=did_you_mean(org, orgs.units))
    if period is None or unit.valid_on(period.end):
        return None
    created, ended = orgs.merged_into(org), orgs.merged_from(org)
    hint: Message | str
    if created is not None and period.end < created.day:
        hint = msg(
            "; it was formed on {day} from {units}: record the figure for them",
            day=created.day,
            units=", ".join(created.sources),
        )
    elif ended is not None and period.end >= ended.day:
        hint = msg(
            "; it was merged into {unit} on {day}: record the figure for it", unit=ended.into, day=ended.day
        )
    else:
        hint = ""
    return msg(
        'org "{org}" is not valid on {day}, the last day of period {period}{hint}',
        org=org,
        day=period.end,
        period=period.text,
        hint=hint,
    )


# The [[actual]] keys the model keeps as the file writes them (the rest are converted above).
PLAIN_KEYS = tuple(
    key
    for key in schema.ACTUAL
    if key in Actual._fields
    and key not in ("kpi", "period", "value", "plan_share", "plan_period", "change", "org")
)


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


def across_files(actuals: list[Actual], kpis: dict[str, Kpi]) -> list[Problem]:
    """The one-figure-per-KPI-and-day rule across files: each file was checked alone, so a
    figure in one file that another file already records (and that is not a revision: every
    figure for the day with its own published date) is a problem naming both files."""
    problems: list[Problem] = []
    seen: dict[tuple[Any, ...], list[Actual]] = {}
    for a in actuals:
        kpi = kpis.get(a.kpi)
        flow = kpi is not None and kpi.measure == "flow"
        key = (a.kpi, a.org, a.period.end, a.start) if flow else (a.kpi, a.org, a.date)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = [a]
            continue
        first = earlier[0]
        if first.file == a.file:  # the file's own check has spoken
            earlier.append(a)
            continue
        revision = a.published is not None and all(
            e.published is not None and e.published != a.published for e in earlier
        )
        if revision:
            earlier.append(a)
            continue
        # The figure it clashes with: one without a published date, or with the same one (not
        # an earlier revision that it would rightly follow).
        first = next((e for e in earlier if a.published is None or e.published in (None, a.published)), first)
        if first.file == a.file:  # that file's own check has said so
            continue
        path = f'actual[{a.position}] (kpi "{a.kpi}", period "{a.period.text}")'
        if first.period.text == a.period.text:
            message = msg(
                "duplicate: {file} actual[{n}] already records this KPI and period; a revision needs "
                "its own published date, on both",
                file=first.file,
                n=str(first.position),
            )
        else:
            message = msg(
                'two figures for one day: {file} actual[{n}] (period "{other}") and this one both end '
                "on {date}; keep one",
                file=first.file,
                n=str(first.position),
                other=first.period.text,
                date=a.date,
            )
        problems.append(Problem(a.file, message, path))
    return problems
