"""kpi import as a plain function: a sheet's rows checked against the plan and actuals.toml,
every problem found before anything is written, and the new text of actuals.toml when there is
none. All or nothing: one bad row means no row is imported."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, NamedTuple

from kpi.admission import entry_problems, new_problems, unknown_kpi
from kpi.i18n import Message, msg, tr
from kpi.model import Dataset
from kpi.record import append_many, span_of
from kpi.sheets.layout import Layout, misspelt
from kpi.sheets.read import Sheet, where
from kpi.sheets.rows import Read, Row, RowProblem, read_rows


class Outcome(NamedTuple):
    rows: list[Row]  # the figures to add, in the sheet's order
    text: str | None  # actuals.toml's new text; None when there are problems or nothing to add
    revisions: int  # rows that add a revision to a figure already known
    problems: list[str]  # one line each, naming the file, the cell and the figure
    warnings: list[str]
    blank: int  # rows with no figure (an untouched template's)
    known: int = 0  # rows that repeat a figure already recorded, skipped
    changed: int = 0  # KPIs whose status (today) the new figures change


def line(label: str, sheet: Sheet, problem: RowProblem) -> str:
    """One line per problem, even when a cell's text has line breaks in it."""
    from kpi.display import one_line

    what = f" ({problem.what})" if problem.what else ""
    return one_line(f"{label}: {where(sheet, problem.ref)}{what}: {tr(problem.message)}")


def _order(problem: RowProblem) -> tuple[int, int, str]:
    letters = "".join(c for c in problem.ref if c.isalpha())
    return problem.row, len(letters), letters


def check(
    label: str,
    sheet: Sheet,
    found: Layout,
    dataset: Dataset,
    old_text: str,
    actuals: str,
    notation: str | None,
    others: list[tuple[str, list[Any]]] | None = None,
) -> Outcome:
    """Every problem of the sheet (as lines), or the new text of actuals.toml with its figures;
    others are the plan's other actuals files (name, tables), whose figures count as known."""
    others = others or []
    from kpi.record import RecordError

    units = {k.id: k.unit for k in dataset.kpis.values()}
    english = {k.id: k.unit_en for k in dataset.kpis.values() if k.unit_en}
    read: Read = read_rows(sheet, found, units, notation, english)
    problems = list(read.problems)
    header = found.header_row
    for text, field in misspelt(found):
        problems.append(
            RowProblem(
                f"{header}:{header}",
                header,
                "",
                msg(
                    'column "{header}" is read by no field; did you mean "{field}"? (or --map {field}=...)',
                    header=text,
                    field=field,
                ),
            )
        )
    # What a reviewer cannot see, from the header down (a hidden title row above it is harmless),
    # and merged cells among the header and the rows that hold figures (not a title or a
    # signature block around them).
    sheet_problems = [
        RowProblem(ref, row, "", message) for row, ref, message in sheet.problems if row >= header
    ]
    figure_rows = {header} | {row.number for row in read.rows} | {p.row for p in read.problems}
    sheet_problems += [
        RowProblem(
            m.coord, m.first_row, "", msg("merged cells; unmerge them and write the value in every row")
        )
        for m in sheet.merged
        if any(m.first_row <= n <= m.last_row for n in figure_rows)
    ]
    for ref, number, what, kpi_id in read.unread:  # a row with another problem: its KPI is checked too
        if kpi_id not in dataset.kpis:
            problems.append(RowProblem(ref, number, what, unknown_kpi(kpi_id, dataset)))
    rows: list[Row] = []
    for row in read.rows:
        if row.entry.org is not None:
            org, wrong = _org_of(row.entry.org, row.entry.period, dataset)
            if wrong is not None:
                ref = row.refs.get("org", row.refs.get("value", f"{row.number}:{row.number}"))
                problems.append(RowProblem(ref, row.number, _what(row), wrong))
                continue
            row = row._replace(entry=replace(row.entry, org=org))
        refused = entry_problems(row.entry, dataset, actuals)
        what = f'kpi "{row.entry.kpi}", period "{row.entry.period}"'
        for refusal in refused:
            ref = row.refs.get(refusal.field or "value", row.refs.get("value", f"{row.number}:{row.number}"))
            problems.append(RowProblem(ref, row.number, what, refusal.message))
        if not refused:
            rows.append(row)
    try:
        from kpi.record import _check_form, _parse

        old_raw = (
            _check_form(old_text, _parse(old_text, msg("the existing file"))) if old_text.strip() else []
        )
    except RecordError as exc:
        return Outcome([], None, 0, [f"{actuals}: {tr(exc.args[0])}"], [], read.blank)
    labelled = [(f"{other} actual[{k}]", t) for other, tables in others for k, t in enumerate(tables, 1)]
    labelled += [(f"{actuals} actual[{n}]", t) for n, t in enumerate(old_raw, 1)]
    revisions, known = _duplicates(rows, labelled, dataset, problems)
    rows = [row for row in rows if row.number not in known]
    warnings = [line(label, sheet, w) for w in read.warnings]
    problems = sorted(sheet_problems, key=_order) + sorted(problems, key=_order)
    if problems or not rows:
        lines = [line(label, sheet, p) for p in problems]
        return Outcome(rows, None, revisions, lines, warnings, read.blank, len(known))
    entries = [row.entry for row in rows]
    try:
        text, raw, _old = append_many(old_text, entries)
    except RecordError as exc:
        return Outcome(rows, None, revisions, [f"{actuals}: {tr(exc.args[0])}"], warnings, read.blank)
    first_new = len(old_raw) + 1

    def name(n: int) -> str:
        if n < first_new:
            return f"{actuals} actual[{n}]"
        row = rows[n - first_new]
        return f"{where(sheet, row.refs.get('period', row.refs['value']))} ({_what(row)})"

    fresh, also = new_problems(old_raw, raw, {e.kpi for e in entries}, dataset, actuals, name, others)
    warnings += [f"{label}: {w}" for w in also]
    if fresh:
        lines = [f"{label}: {e}" for e in fresh]
        return Outcome(rows, None, revisions, lines, warnings, read.blank, len(known))
    everywhere = [t for _other, tables in others for t in tables]
    changed = status_changes(dataset, everywhere + old_raw, everywhere + raw)
    return Outcome(rows, text, revisions, [], warnings, read.blank, len(known), changed)


def _org_of(written: str, period: str, dataset: Dataset) -> tuple[str | None, Message | None]:
    """The unit a sheet's org cell names: an id, else a code or a name as it was at the end of
    the figure's period (so "Hải Phòng" in a 2024 sheet is the former city); None for the root."""
    from kpi.periods import PeriodError, parse_period
    from kpi.problems import did_you_mean

    orgs = dataset.orgs
    if written in orgs.units:
        return (None if written == orgs.root else written), None
    try:
        day = parse_period(period).end
    except PeriodError:
        return written, None  # the period's own problem is reported
    found = orgs.by_name(written, day)
    if len(found) == 1:
        return (None if found[0].id == orgs.root else found[0].id), None
    if found:
        names = ", ".join(u.id for u in found)
        return None, msg(
            'org "{org}" names {units} on {day}; write the id', org=written, units=names, day=day
        )
    # A unit of that name at another time: say which, and where its figures go now.
    for unit in orgs.units.values():
        if orgs.by_name(written, unit.valid_from or day) == [unit] or orgs.by_name(
            written, unit.valid_until or day
        ) == [unit]:
            ended = orgs.merged_from(unit.id)
            if ended is not None and day >= ended.day:
                return None, msg(
                    'org "{org}" ({id}) was merged into {unit} on {day}: write {unit}',
                    org=written, id=unit.id, unit=ended.into, day=ended.day,
                )  # fmt: skip
    hint = did_you_mean(written, orgs.units) if orgs.units else ""
    return None, msg('unknown org "{org}"{hint}', org=written, hint=hint)


def _what(row: Row) -> str:
    return f'kpi "{row.entry.kpi}", period "{row.entry.period}"'


def status_changes(dataset: Dataset, old: list[Any], new: list[Any]) -> int:
    """How many KPIs' status (today) differs between the two sets of tables: only the KPIs the
    new figures can touch are assessed again, from the tables already parsed."""
    from datetime import date as day

    from kpi.admission import related
    from kpi.assess import assess_kpi
    from kpi.derive import derive
    from kpi.loader import actuals_from

    ids = related(dataset, {r["kpi"] for r in new[len(old) :]})
    kpis = {k: dataset.kpis[k] for k in ids if k in dataset.kpis}
    today = day.today()
    statuses = []
    for raws in (old, new):
        mine = [r for r in raws if isinstance(r, dict) and r.get("kpi") in ids]
        figures = [a for a in actuals_from({"actual": mine}, "", dataset, []) if a.org is None]
        derived_kpis, derived, _problems = derive(kpis, figures, "", "", dataset.plan.period)
        by_kpi: dict[str, list[Any]] = {}
        for a in derived:
            by_kpi.setdefault(a.kpi, []).append(a)
        statuses.append(
            {
                k: assess_kpi(kpi, by_kpi.get(k, []), today, dataset.thresholds).status
                for k, kpi in derived_kpis.items()
            }
        )
    before, after = statuses
    return sum(1 for k in after if before.get(k) != after[k])


def _duplicates(
    rows: list[Row], labelled: list[tuple[str, Any]], dataset: Dataset, problems: list[RowProblem]
) -> tuple[int, set[int]]:
    """Refuse a figure already known (in the file or higher up the sheet) unless it is a revision:
    it and every figure for its period have a published date, and it is published last. Returns
    how many rows are revisions, and the rows that repeat a known figure exactly (skipped)."""
    flow = {k.id: k.measure == "flow" for k in dataset.kpis.values()}
    known: dict[Any, list[tuple[str, date | None, object, object]]] = {}
    for label, raw in labelled:
        key = span_of(raw, isinstance(raw, dict) and flow.get(str(raw.get("kpi")), False))
        if key is not None:
            published = raw.get("published")
            known.setdefault(key, []).append(
                (
                    label,
                    published if isinstance(published, date) else None,
                    raw.get("value"),
                    raw,
                )
            )
    revisions = 0
    repeated: set[int] = set()
    # Revisions in the order they were published, whatever the sheet's order (newest first is
    # common); without a date, first.
    for row in sorted(rows, key=lambda r: r.entry.published or date.min):
        entry = row.entry
        key = span_of(entry.table(), flow.get(entry.kpi, False))
        same = known.setdefault(key, [])
        what = f'kpi "{entry.kpi}", period "{entry.period}"'
        at = row.refs.get("period", row.refs["value"])
        if same:
            earlier, _when, value, _table = same[-1]
            dates = [d for _w, d, _v, _t in same]
            problem: Message | None = None
            table = entry.table()
            if any(_same_table(t, table) for _w, _d, _v, t in same):
                repeated.add(row.number)  # the same figure again (a sheet exported, or imported before)
                continue
            twin = next((w for w, d, v, _t in same if d == entry.published and v == entry.value), None)
            if twin is not None:
                problem = msg(
                    "{where} has the same value and date but other fields (source, quote, estimated...); "
                    "correct it with kpi record --replace, or give this one a later published date",
                    where=twin,
                )
            elif entry.published is None or None in dates:
                problem = msg(
                    "already recorded at {where} (value {value}); a revision needs a published date on "
                    "both, the new one later",
                    where=earlier,
                    value=value if not isinstance(value, int | float) else _plain(value),
                )
            else:
                latest = max(d for d in dates if d is not None)
                if entry.published <= latest:
                    problem = msg(
                        "a revision must be published after the latest one ({where}, published {date})",
                        where=next(w for w, d, _v, _t in same if d == latest),
                        date=latest.isoformat(),
                    )
            if problem is not None:
                problems.append(RowProblem(at, row.number, what, problem))
                continue
            revisions += 1
        same.append((msg("row {row}", row=row.number), entry.published, entry.value, entry.table()))
    return revisions, repeated


FLAGS = ("estimated", "derived", "cumulative")


def _normal(table: object) -> dict[str, object]:
    """A table as compared for "the same figure": a false flag is the same as none, text with
    CRLF the same as with LF (a spreadsheet program may write either)."""
    if not isinstance(table, dict):
        return {}
    out: dict[str, object] = {}
    for key, value in table.items():
        if key in FLAGS and value is False:
            continue
        out[key] = value.replace("\r\n", "\n") if isinstance(value, str) else value
    return out


def _same_table(a: object, b: object) -> bool:
    """The same figure, to the 15 significant digits a spreadsheet keeps of a number."""
    import math

    x, y = _normal(a), _normal(b)
    if x.keys() != y.keys():
        return False
    for key, value in x.items():
        other = y[key]
        numbers = isinstance(value, int | float) and isinstance(other, int | float)
        if numbers and not isinstance(value, bool) and not isinstance(other, bool):
            if not math.isclose(value, other, rel_tol=1e-14, abs_tol=0.0):  # type: ignore[arg-type]
                return False
        elif value != other:
            return False
    return True


def _plain(value: float) -> str:
    from kpi import display

    return display.value(float(value))
