"""A sheet's rows as [[actual]] entries: which column holds which field, and what each cell means.

Headers are matched without regard to case, accents or spacing ("Mã chỉ tiêu", "MA CHI TIEU" and
"ma_chi_tieu" are one header), in English or Vietnamese; --map FIELD=COLUMN names a column by
its letter or its header text for other layouts. Every cell that cannot be read is one problem
naming the cell; nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from kpi import schema
from kpi.i18n import msg
from kpi.record import Entry
from kpi.sheets.read import Cell, Sheet, Unreadable, column_index, column_letter

# Every [[actual]] field, with the headers it is known by: its own name, English words, and the
# Vietnamese words reports use. The first Vietnamese one is what kpi template writes.
HEADERS: dict[str, tuple[str, ...]] = {
    "kpi": ("mã chỉ tiêu", "kpi id", "id", "mã"),
    "period": ("kỳ", "kỳ báo cáo", "thời kỳ"),
    "value": ("giá trị", "số liệu", "số liệu thực hiện", "thực hiện"),
    "estimated": ("ước tính", "ước đạt", "estimate"),
    "published": ("ngày công bố", "ngày báo cáo", "published on", "publication date"),
    "source": ("nguồn", "nguồn số liệu"),
    "quote": ("trích dẫn", "trích dẫn nguyên văn"),
    "note": ("ghi chú", "notes"),
    "derived": ("suy ra",),
    "cumulative": ("lũy kế", "luỹ kế"),
    "plan_share": ("tỷ lệ kế hoạch", "tỉ lệ kế hoạch", "% kế hoạch"),
    "plan_period": ("kỳ kế hoạch",),
    "change": ("thay đổi", "tăng giảm"),
    "change_from": ("so với", "so với kỳ"),
}
# Columns kpi template writes for the reader, not read back: the KPI's name and unit.
SHOWN_ONLY: dict[str, tuple[str, ...]] = {
    # In a Vietnamese report "Chỉ tiêu" heads the KPI's name, "Mã chỉ tiêu" its id.
    "name": ("tên chỉ tiêu", "chỉ tiêu", "tên", "kpi name"),
    "unit": ("đơn vị", "đơn vị tính", "đvt"),
}
TEMPLATE_HEADERS = {
    "en": {
        "kpi": "kpi",
        "name": "name",
        "unit": "unit",
        "period": "period",
        "value": "value",
        "estimated": "estimated",
        "published": "published",
        "source": "source",
        "quote": "quote",
        "note": "note",
    },
    "vi": {
        "kpi": "mã chỉ tiêu",
        "name": "tên chỉ tiêu",
        "unit": "đơn vị",
        "period": "kỳ",
        "value": "giá trị",
        "estimated": "ước tính",
        "published": "ngày công bố",
        "source": "nguồn",
        "quote": "trích dẫn",
        "note": "ghi chú",
    },
}
REQUIRED = schema.REQUIRED["actual"]
ENTRY_FIELDS = frozenset(
    {"kpi", "period", "value", "source", "quote", "estimated", "published", "derived", "note", "cumulative"}
)
REQUIRED_COLUMNS = frozenset({"kpi", "period", "value"})
TRUE_WORDS = frozenset({"true", "yes", "y", "x", "1", "co", "dung", "u"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "khong", "sai"})
HEADER_ROWS = 20  # a header is looked for among the first rows: a title may come before it


def folded(text: str) -> str:
    """A header as it is compared: no accents, no case, single spaces, and without a trailing hint
    in brackets or a colon ("Ngày công bố (dd/mm/yyyy):" is "ngay cong bo")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = re.sub(r"[\s_\-]+", " ", text).strip().lower()
    while True:
        shorter = re.sub(r"\s*(\([^()]*\)|\[[^\[\]]*\]|:)\s*$", "", text)
        if shorter == text or not shorter:
            return text
        text = shorter


_KNOWN = {folded(name): field for field in HEADERS for name in (field, *HEADERS[field])}
# Every key of the format is read under its own name, also one added to it later.
_KNOWN.update({folded(field.replace("_", " ")): field for field in (*HEADERS, *schema.ACTUAL)})
_KNOWN.update({folded(field): field for field in schema.ACTUAL})
_SHOWN = {folded(name): field for field in SHOWN_ONLY for name in (field, *SHOWN_ONLY[field])}


class Layout(NamedTuple):
    header_row: int
    columns: dict[str, int]  # field → column index (1-based)
    ignored: list[str]  # headers of columns read by no field ("STT (A)")
    shown: tuple[tuple[str, int], ...] = ()  # the columns a template shows (name, unit): unit is checked


class RowProblem(NamedTuple):
    ref: str  # the cell, e.g. "C14" (without the sheet)
    row: int
    what: str  # 'kpi "x", period "y"' when known, else ""
    message: str  # a Message, said in the reader's language when printed


class Row(NamedTuple):
    number: int
    entry: Entry
    refs: dict[str, str]  # field → cell


class LayoutError(Exception):
    """The sheet's columns cannot be found; args[0] says why."""


class LayoutUsageError(LayoutError):
    """--map or --header-row asks for something the sheet does not have: a usage error."""


def parse_maps(maps: Sequence[str]) -> dict[str, str]:
    """--map FIELD=COLUMN options as {field: column}; a bad one is a LayoutError."""
    out: dict[str, str] = {}
    for item in maps:
        field, sep, column = item.partition("=")
        field = field.strip()
        if not sep or not column.strip():
            raise LayoutError(msg('--map "{item}": write FIELD=COLUMN, e.g. value=C', item=item))
        if field not in HEADERS:
            from kpi.problems import did_you_mean

            raise LayoutError(
                msg(
                    '--map "{item}": unknown field "{field}"{hint}; fields: {fields}',
                    item=item,
                    field=field,
                    hint=did_you_mean(field, HEADERS),
                    fields=", ".join(HEADERS),
                )
            )
        if field in out:
            raise LayoutUsageError(msg("--map {field}= is given twice; say which column once", field=field))
        out[field] = column.strip()
    return out


def _column(column: str, by_text: Mapping[str, int]) -> int | None:
    """A --map column: a header first (a header "kpi" is not column KPI), else column letters."""
    found = by_text.get(folded(column))
    return found if found is not None else column_index(column)


def layout(sheet: Sheet, maps: Mapping[str, str], header_row: int | None = None) -> Layout:
    """Where the header row is and which column holds which field: the first of the first rows
    that names (or, with --map, is given) the kpi, period and value columns and has at least one
    header a person wrote; header_row says which row when the sheet has none (0: no header)."""
    candidates = (
        sheet.rows[:HEADER_ROWS] if header_row is None else [r for r in sheet.rows if r[0] == header_row]
    )
    if header_row == 0:
        if not set(maps) >= REQUIRED_COLUMNS:
            raise LayoutUsageError(
                msg("--header-row 0 (no header) needs --map kpi=... --map period=... --map value=...")
            )
        candidates = [(0, [])]
    elif header_row is not None and not candidates:
        raise LayoutUsageError(msg("--header-row {row}: the row is empty", row=header_row))
    for number, cells in candidates:
        by_text: dict[str, int] = {}
        found: dict[str, list[int]] = {}
        for n, cell in enumerate(cells, 1):
            if isinstance(cell.value, str):
                by_text.setdefault(folded(cell.value), n)
                field = _KNOWN.get(folded(cell.value))
                if field is not None:
                    found.setdefault(field, []).append(n)
        recognised = bool(found) or any(folded(str(c.value)) in _SHOWN for c in cells if c.value is not None)
        columns = {field: places[0] for field, places in found.items()}
        mapped: dict[str, int] = {}
        for field, column in maps.items():
            index = _column(column, by_text)
            if index is not None:
                mapped[field] = index
        if len(mapped) < len(maps) or not (recognised or header_row is not None):
            continue
        columns = {f: c for f, c in columns.items() if c not in mapped.values() and f not in mapped}
        columns.update(mapped)
        if not columns.keys() >= REQUIRED_COLUMNS:
            continue
        for field, places in found.items():
            if field not in mapped and len(places) > 1:
                letters = " and ".join(column_letter(c) for c in places)
                raise LayoutError(
                    msg(
                        "columns {columns} are both headed {field}; keep one, or say which with "
                        "--map {field}=...",
                        columns=letters,
                        field=field,
                    )
                )
        for field, index in mapped.items():
            if not any(
                index <= len(row) and row[index - 1].value is not None for n, row in sheet.rows if n > number
            ):
                raise LayoutUsageError(
                    msg(
                        "--map {field}={column}: column {letter} holds nothing below the header",
                        field=field,
                        column=maps[field],
                        letter=column_letter(index),
                    )
                )
        taken = set(columns.values())
        ignored = [
            f"{cell.value} ({column_letter(n)})"
            for n, cell in enumerate(cells, 1)
            if cell.value is not None and n not in taken and folded(str(cell.value)) not in _SHOWN
        ]
        # A column with figures under no header at all is said too, never dropped unseen.
        headed = {n for n, cell in enumerate(cells, 1) if cell.value is not None}
        unheaded = sorted(
            {n for r, row in sheet.rows if r > number for n, c in enumerate(row, 1) if c.value is not None}
            - headed
            - taken
        )
        ignored += [msg("(no header) ({column})", column=column_letter(n)) for n in unheaded]
        shown = tuple(
            (_SHOWN[folded(str(cell.value))], n)
            for n, cell in enumerate(cells, 1)
            if cell.value is not None and folded(str(cell.value)) in _SHOWN and n not in taken
        )
        return Layout(number, columns, ignored, shown)
    if header_row:
        raise LayoutUsageError(
            msg(
                "--header-row {row}: row {row} does not name the kpi, period and value columns "
                "(or --map them)",
                row=header_row,
            )
        )
    by_letter = {field: column_index(column) for field, column in maps.items()}
    if header_row is None and set(maps) >= REQUIRED_COLUMNS and None not in by_letter.values():
        # Every column given by its letter and no header row anywhere: every row is a figure.
        return Layout(0, {f: c for f, c in by_letter.items() if c is not None}, [])
    for field, column in maps.items():
        if (
            not any(
                _column(column, {folded(str(c.value)): n for n, c in enumerate(cells, 1)})
                for _r, cells in sheet.rows[:HEADER_ROWS]
            )
            and column_index(column) is None
        ):
            raise LayoutUsageError(
                msg(
                    '--map {field}={column}: no column "{column}" (give a letter such as C, or a header)',
                    field=field,
                    column=column,
                )
            )
    hint = ""
    if sheet.others:
        hint = msg('; other sheets: {names} (--sheet "NAME")', names=", ".join(sheet.others))
    raise LayoutError(
        msg(
            "no header row naming the kpi, period and value columns in the first {n} rows{hint}; "
            'name them (e.g. "mã chỉ tiêu", "kỳ", "giá trị") or use --map kpi=A --map period=B --map value=C',
            n=HEADER_ROWS,
            hint=hint,
        )
    )


def misspelt(found: Layout) -> list[tuple[str, str]]:
    """Ignored headers that look like a field's name (a typo would otherwise drop a column)."""
    import difflib

    names = list(_KNOWN)
    out = []
    for header in found.ignored:
        text = folded(header.rsplit(" (", 1)[0])
        close = difflib.get_close_matches(text, names, n=1, cutoff=0.8)
        # "Giá trị kế hoạch" starts like a field's header: which one is meant must be said.
        longer = [n for n in names if " " in n and text.startswith(n + " ")]
        field = _KNOWN[close[0]] if close else _KNOWN[max(longer, key=len)] if longer else None
        if field is not None and field not in found.columns:
            out.append((header, field))
    return out


def _number(cell: Cell, notation: str | None, unit: str | None) -> float:
    from kpi.numbers import NumberError, parse

    value = cell.value
    if isinstance(value, bool | date):
        raise ValueError(msg('"{text}" is not a number', text=_shown(value)))
    if isinstance(value, int | float):
        if cell.percent:
            if not (unit or "").startswith("%"):
                raise ValueError(
                    msg(
                        "is formatted as a percentage ({shown}) but the KPI's unit is {unit}",
                        shown=f"{value * 100:g}%",
                        unit=unit or '""',
                    )
                )
            return float(round(value * 100, 12))
        return float(value)
    text = str(value).strip()
    if text.endswith("%"):
        if not (unit or "").startswith("%"):
            raise ValueError(
                msg('"{text}" is a percentage but the KPI\'s unit is {unit}', text=text, unit=unit or '""')
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
    found: Layout, cells: Sequence[Cell], number: int, kpi: str, units: Mapping[str, str]
) -> tuple[str, str] | None:
    """A unit column that says another unit than the KPI's ("triệu đồng" for a KPI in tỷ đồng):
    the figure would be read 1000 times too large or small."""
    column = dict(found.shown).get("unit")
    if column is None or column > len(cells) or kpi not in units:
        return None
    cell = cells[column - 1]
    if cell.value is None or isinstance(cell.value, Unreadable):
        return None
    said = " ".join(unicodedata.normalize("NFC", str(cell.value)).split()).casefold()
    expected = " ".join(unicodedata.normalize("NFC", units[kpi]).split()).casefold()
    if said == expected:
        return None
    return cell.ref, msg(
        'unit "{said}" is not the KPI\'s unit "{unit}"; convert the value to {unit}, or correct the unit',
        said=str(cell.value),
        unit=units[kpi],
    )


def read_rows(sheet: Sheet, found: Layout, units: Mapping[str, str], notation: str | None = None) -> Read:
    """The sheet's figures, and a problem for every cell that cannot be read. units gives each
    known KPI's unit (a percentage cell is read as the percentage the reader sees)."""
    rows: list[Row] = []
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []
    unread: list[tuple[str, int, str, str]] = []
    blank = 0
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
                problems.append(RowProblem(at, number, what, msg("{field} is empty", field=field)))
                bad = True
        for field, cell in got.items():
            if isinstance(cell.value, Unreadable):
                problems.append(
                    RowProblem(
                        cell.ref,
                        number,
                        what,
                        msg("{field} {problem}", field=field, problem=cell.value.problem),
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
                    fields[field] = _number(
                        cell, notation, units.get(kpi_id or "") if field == "value" else None
                    )
                elif kind == "boolean":
                    fields[field] = _boolean(cell)
                elif kind == "date":
                    fields[field] = _date(cell)
                elif kind == "period":
                    fields[field] = _period(cell)
                else:
                    fields[field] = _text(cell).strip() if field in ("kpi", "change_from") else _text(cell)
            except ValueError as exc:
                message = exc.args[0]
                problems.append(
                    RowProblem(cell.ref, number, what, msg("{field} {problem}", field=field, problem=message))
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
        )
        unit = _unit_problem(found, cells, number, entry.kpi, units)
        if unit is not None:
            problems.append(RowProblem(unit[0], number, what, unit[1]))
            continue
        rows.append(Row(number, entry, {f: c.ref for f, c in got.items()}))
    return Read(rows, problems, blank, warnings, unread)
