"""A sheet's rows as [[actual]] entries: which column holds which field, and what each cell means.

Headers are matched without regard to case, accents or spacing ("Mã chỉ tiêu", "MA CHI TIEU" and
"ma_chi_tieu" are one header), in English or Vietnamese; --map FIELD=COLUMN names a column by
its letter or its header text for other layouts. Every cell that cannot be read is one problem
naming the cell; nothing is guessed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from kpi import schema
from kpi.i18n import msg
from kpi.record import Entry
from kpi.sheets.layout import Layout, folded
from kpi.sheets.read import Cell, Sheet, Unreadable, column_letter

REQUIRED = schema.REQUIRED["actual"]


ENTRY_FIELDS = frozenset(
    {
        "kpi",
        "period",
        "value",
        "source",
        "quote",
        "estimated",
        "published",
        "derived",
        "note",
        "cumulative",
        "org",
        "received",
    }
)


TRUE_WORDS = frozenset({"true", "yes", "y", "x", "1", "co", "dung", "u"})


FALSE_WORDS = frozenset({"false", "no", "n", "0", "khong", "sai"})


class RowProblem(NamedTuple):
    ref: str  # the cell, e.g. "C14" (without the sheet)
    row: int
    what: str  # 'kpi "x", period "y"' when known, else ""
    message: str  # a Message, said in the reader's language when printed


class Row(NamedTuple):
    number: int
    entry: Entry
    refs: dict[str, str]  # field → cell


def _number(cell: Cell, notation: str | None, unit: str | None, said: str | None = None) -> float:
    """A number cell's value; a percentage only for a KPI whose unit is one (said: the unit as
    problems name it, with its English)."""
    from kpi.numbers import NumberError, parse

    value = cell.value
    if isinstance(value, bool | date):
        raise ValueError(msg('"{text}" is not a number', text=_shown(value)))
    if isinstance(value, int | float):
        if cell.percent:
            if not (unit or "").startswith("%"):
                raise ValueError(
                    msg(
                        "is formatted as a percentage ({shown}%) but the KPI's unit is {unit}",
                        shown=float(value) * 100,
                        unit=said or unit or '""',
                    )
                )
            return float(round(value * 100, 12))
        return float(value)
    text = str(value).strip()
    if text.endswith("%"):
        if not (unit or "").startswith("%"):
            raise ValueError(
                msg(
                    '"{text}" is a percentage but the KPI\'s unit is {unit}',
                    text=text,
                    unit=said or unit or '""',
                )
            )
        text = text[:-1].strip()
    try:
        return parse(text, notation)
    except NumberError as exc:
        raise ValueError(exc.args[0]) from None


def _share(cell: Cell, notation: str | None) -> float:
    from kpi.numbers import NumberError, parse

    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip() if isinstance(value, str) else None
    if text is None:
        raise ValueError(msg('"{text}" is not a share (50% or 0.5)', text=_shown(value)))
    try:
        if text.endswith("%"):
            return float(round(parse(text[:-1].strip(), notation) / 100, 15))
        return parse(text, notation)
    except NumberError as exc:
        raise ValueError(exc.args[0]) from None


def _boolean(cell: Cell) -> bool:
    value = cell.value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = folded(str(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(msg('"{text}" is not yes or no (true/false, có/không)', text=_shown(value)))


def _date(cell: Cell) -> date:
    from kpi.dates import DateError, parse_date

    value = cell.value
    if isinstance(value, datetime):
        raise ValueError(msg("has a time of day ({text}); a date is wanted", text=value.isoformat(" ")))
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except DateError:
            pass
    raise ValueError(msg('"{text}" is not a date (DD/MM/YYYY or YYYY-MM-DD)', text=_shown(value)))


def _period(cell: Cell) -> str:
    value = cell.value
    if isinstance(value, datetime):
        raise ValueError(msg("has a time of day ({text}); a period is wanted", text=value.isoformat(" ")))
    if isinstance(value, date):
        # A date cell means what it shows: that day, or the month of "08/2025", or the year.
        if cell.shows == "month":
            return value.isoformat()[:7]
        if cell.shows == "year":
            return str(value.year)
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))  # 2024 typed as a number
    if isinstance(value, str):
        return value.strip()
    raise ValueError(msg('"{text}" is not a period (2024, 2024-Q3, 2024-05...)', text=_shown(value)))


def _text(cell: Cell) -> str:
    value = cell.value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _shown(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _kind(field: str) -> str:
    kind = schema.ACTUAL[field][0]
    return kind if isinstance(kind, str) else "string"


class Read(NamedTuple):
    rows: list[Row]
    problems: list[RowProblem]
    blank: int  # rows with nothing to import (an untouched template's)
    warnings: list[RowProblem]
    unread: list[tuple[str, int, str, str]]  # rows with a problem: (cell, row, what, KPI id)


def _unit_problem(
    found: Layout,
    cells: Sequence[Cell],
    number: int,
    kpi: str,
    units: Mapping[str, str],
    english: Mapping[str, str],
) -> tuple[str, str] | None:
    """A unit column that says another unit than the KPI's ("triệu đồng" for a KPI in tỷ đồng):
    the figure would be read 1000 times too large or small."""
    column = dict(found.shown).get("unit")
    if column is None or column > len(cells) or kpi not in units:
        return None
    cell = cells[column - 1]
    if cell.value is None or isinstance(cell.value, Unreadable):
        return None

    def plain(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split()).casefold()

    # The unit as stated, or its English (an English template's unit column says unit_en).
    if plain(str(cell.value)) in {plain(units[kpi]), plain(english.get(kpi, units[kpi]))}:
        return None
    return cell.ref, msg(
        'unit "{said}" is not the KPI\'s unit "{unit}"; convert the value to {unit}, or correct the unit',
        said=str(cell.value),
        unit=_said(units[kpi], english.get(kpi)),
    )


def _said(unit: str | None, english: str | None) -> str | None:
    """A KPI's unit as a problem names it: as stated, with its English where the plan gives one
    (an English sheet's reader knows it as that)."""
    return f"{unit} ({english})" if unit and english and english != unit else unit


def read_rows(
    sheet: Sheet,
    found: Layout,
    units: Mapping[str, str],
    notation: str | None = None,
    english: Mapping[str, str] | None = None,
) -> Read:
    """The sheet's figures, and a problem for every cell that cannot be read. units gives each
    known KPI's unit (a percentage cell is read as the percentage the reader sees), english
    its unit_en where it has one."""
    rows: list[Row] = []
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []
    unread: list[tuple[str, int, str, str]] = []
    blank = 0
    # A field is named in problems by its column's header as the sheet says it ("giá trị"),
    # else by its key.
    heading = dict(sheet.rows).get(found.header_row, [])
    label = {
        f: str(heading[c - 1].value).strip()
        if c <= len(heading) and isinstance(heading[c - 1].value, str) and heading[c - 1].value.strip()
        else f
        for f, c in found.columns.items()
    }
    for number, cells in sheet.rows:
        if number <= found.header_row:
            continue
        got: dict[str, Cell] = {}
        for field, column in found.columns.items():
            cell = (
                cells[column - 1] if column <= len(cells) else Cell(f"{column_letter(column)}{number}", None)
            )
            if cell.value is not None:
                got[field] = cell
        if not got.keys() - {"kpi", "period"}:
            blank += 1  # nothing but what a template prefills: not a figure
            continue
        ref = {f: f"{column_letter(c)}{number}" for f, c in found.columns.items()}
        readable = {f: c for f, c in got.items() if not isinstance(c.value, Unreadable)}
        kpi_id = _text(readable["kpi"]).strip() if "kpi" in readable else None
        period_raw = readable.get("period")
        what = ""
        if kpi_id is not None and period_raw is not None:
            what = f'kpi "{kpi_id}", period "{_shown(period_raw.value)}"'
        fields: dict[str, Any] = {}
        bad = False
        for field in REQUIRED:
            if field not in got:
                at = ref.get(field, f"{number}:{number}")
                problems.append(
                    RowProblem(at, number, what, msg("{field} is empty", field=label.get(field, field)))
                )
                bad = True
        for field, cell in got.items():
            if isinstance(cell.value, Unreadable):
                problems.append(
                    RowProblem(
                        cell.ref,
                        number,
                        what,
                        msg("{field} {problem}", field=label[field], problem=cell.value.problem),
                    )
                )
                bad = True
                continue
            try:
                kind = _kind(field)
                if kind == "share" or field == "change":  # 12% or 0.12, as the cell shows it
                    fields[field] = _share(cell, notation)
                    bare = not cell.percent and not (isinstance(cell.value, str) and "%" in cell.value)
                    if field == "change" and bare and abs(fields[field]) >= 1:
                        raise ValueError(
                            msg(
                                "{value} would be a change of {pct:g}%; write {value}% for {value} "
                                "percent, or the fraction ({fraction:g})",
                                value=_shown(cell.value),
                                pct=fields[field] * 100,
                                fraction=fields[field] / 100,
                            )
                        )
                elif kind == "number":
                    kpi_unit = units.get(kpi_id or "") if field == "value" else None
                    fields[field] = _number(
                        cell, notation, kpi_unit, _said(kpi_unit, (english or {}).get(kpi_id or ""))
                    )
                elif kind == "boolean":
                    fields[field] = _boolean(cell)
                elif kind == "date":
                    fields[field] = _date(cell)
                elif kind == "period":
                    fields[field] = _period(cell)
                else:
                    fields[field] = (
                        _text(cell).strip() if field in ("kpi", "change_from", "org") else _text(cell)
                    )
            except ValueError as exc:
                message = exc.args[0]
                problems.append(
                    RowProblem(
                        cell.ref, number, what, msg("{field} {problem}", field=label[field], problem=message)
                    )
                )
                bad = True
        if bad:
            if isinstance(fields.get("kpi"), str):
                unread.append((got["kpi"].ref, number, what, fields["kpi"]))
            continue
        period_cell = got["period"]
        if isinstance(period_cell.value, date) and period_cell.value.day == 1 and period_cell.shows == "day":
            warnings.append(
                RowProblem(
                    period_cell.ref,
                    number,
                    what,
                    msg(
                        "period is the date {date}, read as that day; if the month was meant, type it "
                        "as text: '{month}",
                        date=period_cell.value.isoformat(),
                        month=period_cell.value.isoformat()[:7],
                    ),
                )
            )
        # The keys an Entry has no field for (plan_share, change... and any added to the format).
        extra = tuple((key, value) for key, value in fields.items() if key not in ENTRY_FIELDS)
        entry = Entry(
            kpi=fields["kpi"],
            period=fields["period"],
            value=fields["value"],
            source=fields["source"],
            quote=fields.get("quote"),
            estimated=fields.get("estimated", False),
            published=fields.get("published"),
            derived=fields.get("derived", False),
            note=fields.get("note"),
            extra=extra,
            cumulative=fields.get("cumulative", False),
            org=fields.get("org") or None,  # as written: an id, a code or a name (resolved later)
            received=fields.get("received"),
        )
        unit = _unit_problem(found, cells, number, entry.kpi, units, english or {})
        if unit is not None:
            problems.append(RowProblem(unit[0], number, what, unit[1]))
            continue
        rows.append(Row(number, entry, {f: c.ref for f, c in got.items()}))
    return Read(rows, problems, blank, warnings, unread)
