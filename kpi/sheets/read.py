"""A sheet's cells as plain values, from an .xlsx workbook or a CSV file.

What a person reviewing the workbook cannot see must not be imported unseen: a hidden sheet
is only read when named, and hidden rows or columns holding data, merged cells among the
figures, formulas and error cells are problems (each naming its cell), never quietly read one
way or another. Only the cells that exist are read: a stray value at XFD1048576 costs one cell.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from kpi.errors import KpiError
from kpi.i18n import Message, msg

SHEET_SUFFIXES = (".xlsx", ".xlsm")
TABLE_SUFFIXES = (*SHEET_SUFFIXES, ".csv")
MAX_COLUMNS = 200  # a sheet of figures is narrow; a value far to the right is a stray one
CSV_FIELD_LIMIT = 1 << 20
# C0 controls but tab, newline and carriage return, DEL and C1: not text a person typed, and not
# something a workbook can hold (kpi export could not write it back).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


class Cell(NamedTuple):
    ref: str  # "C14"
    value: Any  # str, float, int, bool, date, Unreadable or None
    percent: bool = False  # shown as a percentage: 0.822 reads "82.2%"
    shows: str = "day"  # a date cell's format shows its "day", only its "month", or only its "year"


def _format_body(number_format: str) -> str:
    """A number format without its quoted text ("%"), escaped characters (\\%) and [colours]: what
    is left decides what the format does to the value."""
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format or "")


def percent_format(number_format: str) -> bool:
    """Whether the format multiplies by 100: a bare %, not a quoted or escaped one."""
    return "%" in _format_body(number_format)


def date_shows(number_format: str) -> str:
    """What a date format shows: the "day", only the "month" (mm/yyyy), or only the "year"."""
    body = _format_body(number_format).lower()
    if "d" in body or not body or body == "general":
        return "day"
    return "month" if "m" in body else "year" if "y" in body else "day"


class Unreadable(NamedTuple):
    """A cell whose content is not a value (a formula, an error): refused, with why, if a field
    reads it."""

    problem: Message


class Merged(NamedTuple):
    coord: str  # "F4:F5"
    first_row: int
    last_row: int


class Sheet(NamedTuple):
    name: str | None  # None for a CSV file
    rows: list[tuple[int, list[Cell]]]  # (row number, cells), blank rows left out
    problems: list[tuple[int, str, Message]]  # (row, cell or range, what is wrong)
    notes: list[Message]
    merged: tuple[Merged, ...] = ()
    others: tuple[str, ...] = ()  # the workbook's other visible sheets, for a hint


class SheetError(KpiError):
    """The file or sheet cannot be read at all; args[0] is the message."""


class SheetNameError(SheetError):
    """--sheet names no readable sheet: a usage error."""


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int | None:
    """A → 1, AA → 27; None for anything that is not column letters."""
    if not letters.isascii() or not letters.isalpha() or len(letters) > 3:
        return None
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def where(sheet: Sheet, ref: str) -> str:
    return ref if sheet.name is None else f"{sheet.name}!{ref}"


def read(path: Path, data: bytes, sheet: str | None) -> Sheet:
    if path.suffix.lower() == ".csv":
        return read_csv(data)
    return read_xlsx(data, sheet)


def _delimiter(text: str) -> str:
    """; or ,: the one more lines use more of (Excel under Vietnamese settings writes ;, with
    decimal commas inside the fields; a title line may come first)."""
    votes = 0
    for line in text.splitlines()[:30]:
        line = re.sub(r'"[^"]*"', "", line)  # commas inside quoted text separate nothing
        semicolons, commas = line.count(";"), line.count(",")
        votes += (semicolons > commas) - (commas > semicolons)
    return ";" if votes > 0 else ","


def read_csv(data: bytes) -> Sheet:
    """A CSV file as written by kpi or by a spreadsheet: UTF-8 (with or without the byte order
    mark Excel writes), separated by commas or semicolons. Every cell is text; the row's reader
    decides what it means. A quote left open, or text after a closing quote, is refused: read
    leniently, it swallows the rows after it into one field."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(
            msg(
                "not UTF-8 text (byte {offset}); save it as CSV UTF-8 (Excel: Save As → CSV UTF-8)",
                offset=exc.start + 1,
            )
        ) from None
    if not text.strip():
        raise SheetError(msg("the file is empty"))
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list[Cell]]] = []
    problems: list[tuple[int, str, Message]] = []
    number = 0
    try:
        for number, fields in enumerate(reader, 1):
            if len(fields) > MAX_COLUMNS:
                raise SheetError(
                    msg(
                        "row {row} has {n} fields; kpi import reads up to {most} columns",
                        row=number,
                        n=len(fields),
                        most=MAX_COLUMNS,
                    )
                )
            cells = [
                _csv_cell(f"{column_letter(n)}{number}", v, problems, number) for n, v in enumerate(fields, 1)
            ]
            if any(c.value is not None for c in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        raise SheetError(
            msg(
                "row {row} (line {line}) is not valid CSV: {reason}; a quote left open swallows the "
                "rows after it",
                row=number + 1,
                line=reader.line_num,
                reason=str(exc),
            )
        ) from None
    return Sheet(None, rows, problems, [])


def _csv_cell(ref: str, text: str, problems: list[tuple[int, str, Message]], row: int) -> Cell:
    # A leading ' is kpi's (and OWASP's) guard against formulas: the text behind it is the value.
    if text.startswith("'") and text[1:].startswith(("=", "+", "-", "@", "\t", "\r", "'")):
        text = text[1:]
    if CONTROL.search(text):
        return Cell(ref, _control(text))
    return Cell(ref, text if text.strip() else None)


def _control(text: str) -> Unreadable:
    char = CONTROL.search(text)
    assert char is not None
    return Unreadable(msg("holds a control character (U+{code}); remove it", code=f"{ord(char.group()):04X}"))


def read_xlsx(data: bytes, wanted: str | None) -> Sheet:
    import openpyxl  # only kpi import reads workbooks

    try:
        # Formulas as written (data_only=False): a formula is refused, not read as whatever value
        # the last program to save the file happened to cache (openpyxl caches none).
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception as exc:  # a broken zip, XML or style sheet: whatever openpyxl trips on
        reason = (str(exc) or type(exc).__name__).splitlines()[0][:200]
        raise SheetError(msg("not a readable .xlsx workbook ({reason})", reason=reason)) from None
    names = book.sheetnames
    notes: list[Message] = []
    if wanted is None:
        visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        if not visible:
            raise SheetError(msg("the workbook has no visible sheet"))
        ws = visible[0]
        skipped = [ws.title for ws in book.worksheets[: book.worksheets.index(ws)]]
        if skipped:
            notes.append(
                msg(
                    'hidden sheets skipped: {names}; read sheet "{name}"',
                    names=", ".join(skipped),
                    name=ws.title,
                )
            )
    else:
        if wanted not in names:
            from kpi.problems import did_you_mean

            raise SheetNameError(
                msg(
                    'no sheet "{name}"{hint}; the workbook has {names}',
                    name=wanted,
                    hint=did_you_mean(wanted, names),
                    names=", ".join(names),
                )
            )
        ws = book[wanted]
        if ws.sheet_state != "visible":
            raise SheetError(
                msg('sheet "{name}" is hidden; unhide it so that what is imported can be seen', name=wanted)
            )
    if not hasattr(ws, "merged_cells") or not hasattr(ws, "_cells"):
        raise SheetNameError(msg('sheet "{name}" is a chart, not a table of cells', name=ws.title))
    others = [s.title for s in book.worksheets if s is not ws and s.sheet_state == "visible"]
    merged = [Merged(str(r.coord), r.min_row, r.max_row) for r in ws.merged_cells.ranges]
    hidden_rows = {n for n, dim in ws.row_dimensions.items() if dim.hidden}
    hidden_cols: set[int] = set()
    for dim in ws.column_dimensions.values():
        # Excel writes E:F hidden as one <col min=5 max=6>; a width of 0 hides a column too.
        if dim.hidden or (dim.width is not None and dim.width <= 0):
            hidden_cols.update(range(dim.min or 0, (dim.max or dim.min or 0) + 1))
    problems: list[tuple[int, str, Message]] = []
    by_row: dict[int, dict[int, Cell]] = {}
    for (row, column), cell in ws._cells.items():  # only the cells the file holds
        value = _value(cell)
        if value is None:
            continue
        if column > MAX_COLUMNS:
            raise SheetError(
                msg(
                    "{cell} holds a value; kpi import reads up to {most} columns (to {last}): clear it",
                    cell=cell.coordinate,
                    most=MAX_COLUMNS,
                    last=column_letter(MAX_COLUMNS),
                )
            )
        number_format = cell.number_format or ""
        percent = (
            isinstance(value, int | float) and not isinstance(value, bool) and percent_format(number_format)
        )
        shows = date_shows(number_format) if isinstance(value, date) else "day"
        by_row.setdefault(row, {})[column] = Cell(cell.coordinate, value, percent, shows)
    rows: list[tuple[int, list[Cell]]] = []
    for number in sorted(by_row):
        present = by_row[number]
        cells = [
            present.get(c) or Cell(f"{column_letter(c)}{number}", None) for c in range(1, max(present) + 1)
        ]
        if number in hidden_rows:
            problems.append(
                (
                    number,
                    f"{number}:{number}",
                    msg("row {row} is hidden; unhide it so that what is imported can be seen", row=number),
                )
            )
        for column in sorted(present.keys() & hidden_cols):
            problems.append(
                (
                    number,
                    present[column].ref,
                    msg("is in a hidden column; unhide it so that what is imported can be seen"),
                )
            )
        rows.append((number, cells))
    return Sheet(ws.title, rows, problems, notes, tuple(merged), tuple(others))


def _value(cell: Any) -> Any:
    """What a cell holds, as a plain value; None for an empty one."""
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=") and cell.data_type != "s"):
        return Unreadable(
            msg(
                "holds a formula ({formula}); paste its value instead (Paste Special → Values)",
                # An array or data-table formula is an object holding its text.
                formula=str(getattr(value, "text", None) or value),
            )
        )
    if cell.data_type == "e":
        return Unreadable(msg("holds a spreadsheet error ({error})", error=str(value)))
    if (cell.number_format or "").replace(" ", "").startswith(";;;"):
        return Unreadable(msg("is formatted to show nothing (;;;); a hidden value is not imported unseen"))
    if isinstance(value, str):
        if CONTROL.search(value):
            return _control(value)
        return value if value.strip() else None
    if isinstance(value, datetime):
        # A date cell's day; a cell with a time of day stays a datetime (and is refused later).
        return value.date() if value.time() == time(0) else value
    if isinstance(value, time):
        return Unreadable(msg("holds a time of day, not a date or a number"))
    if isinstance(value, date | bool | int | float):
        return value
    return str(value)
