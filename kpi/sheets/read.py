"""A sheet's cells as plain values, from an .xlsx workbook or a CSV file.

What a person reviewing the workbook cannot see must not be imported unseen: a hidden sheet
is only read when named, hidden rows holding data, merged cells and formulas are problems
(each naming its cell), never quietly read one way or another.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from kpi.i18n import Message, msg

SHEET_SUFFIXES = (".xlsx", ".xlsm")
TABLE_SUFFIXES = (*SHEET_SUFFIXES, ".csv")


class Cell(NamedTuple):
    ref: str  # "C14"
    value: Any  # str, float, int, bool, date or None
    percent: bool = False  # shown as a percentage: 0.822 reads "82.2%"


class Unreadable(NamedTuple):
    """A cell whose content is not a value (a formula): refused, with why, if a field reads it."""

    problem: Message


class Sheet(NamedTuple):
    name: str | None  # None for a CSV file
    rows: list[tuple[int, list[Cell]]]  # (row number, cells), blank rows left out
    problems: list[tuple[str, Message]]  # (cell or range, what is wrong)
    notes: list[Message]


class SheetError(Exception):
    """The file or sheet cannot be read at all; args[0] is the message."""


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
        if sheet is not None:
            raise SheetError(msg("a CSV file has no sheets; --sheet is for workbooks"))
        return read_csv(data)
    return read_xlsx(data, sheet)


def read_csv(data: bytes) -> Sheet:
    """A CSV file as written by kpi or by a spreadsheet: UTF-8 (with or without the byte order
    mark Excel writes), separated by commas or, as Excel writes under Vietnamese settings, by
    semicolons. Every cell is text; the row's reader decides what it means."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(
            msg(
                "not UTF-8 text (byte {offset}); save it as CSV UTF-8 (Excel: Save As → CSV UTF-8)",
                offset=exc.start + 1,
            )
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows: list[tuple[int, list[Cell]]] = []
    for number, fields in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
        cells = [Cell(f"{column_letter(n)}{number}", _csv_value(v)) for n, v in enumerate(fields, 1)]
        if any(c.value is not None for c in cells):
            rows.append((number, cells))
    return Sheet(None, rows, [], [])


def _csv_value(text: str) -> str | None:
    # A leading ' is kpi's (and OWASP's) guard against formulas: the text behind it is the value.
    if text.startswith("'") and text[1:].startswith(("=", "+", "-", "@", "\t", "\r", "'")):
        text = text[1:]
    return text if text.strip() else None


def read_xlsx(data: bytes, wanted: str | None) -> Sheet:
    from zipfile import BadZipFile

    import openpyxl  # only kpi import reads workbooks
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Formulas as written (data_only=False): a formula is refused, not read as whatever value
        # the last program to save the file happened to cache (openpyxl caches none).
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        reason = str(exc) or type(exc).__name__
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

            raise SheetError(
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
    if not hasattr(ws, "iter_rows") or not hasattr(ws, "merged_cells"):
        raise SheetError(msg('sheet "{name}" is a chart, not a table of cells', name=ws.title))
    problems: list[tuple[str, Message]] = []
    merged = list(ws.merged_cells.ranges)
    for span in merged:
        problems.append((str(span.coord), msg("merged cells; unmerge them and write the value in every row")))
    hidden_rows = {n for n, dim in ws.row_dimensions.items() if dim.hidden}
    hidden_cols = {column_index(k) for k, dim in ws.column_dimensions.items() if dim.hidden}
    rows: list[tuple[int, list[Cell]]] = []
    for row in ws.iter_rows():
        cells: list[Cell] = []
        for cell in row:
            if type(cell).__name__ == "MergedCell":
                cells.append(Cell(cell.coordinate, None))
                continue
            value = cell.value
            if cell.data_type == "f" or (
                isinstance(value, str) and value.startswith("=") and cell.data_type != "s"
            ):
                value = Unreadable(
                    msg(
                        "holds a formula ({formula}); paste its value instead (Paste Special → Values)",
                        formula=str(value),
                    )
                )
            elif isinstance(value, str) and not value.strip():
                value = None
            elif isinstance(value, datetime):
                value = _date_of(value)
            elif isinstance(value, time):
                value = Unreadable(msg("holds a time of day, not a date or a number"))
            percent = isinstance(value, int | float) and "%" in (cell.number_format or "")
            cells.append(Cell(cell.coordinate, value, percent))
        if not any(c.value is not None for c in cells):
            continue
        number = row[0].row
        if number in hidden_rows:
            problems.append(
                (
                    f"{number}:{number}",
                    msg("row {row} is hidden; unhide it so that what is imported can be seen", row=number),
                )
            )
        for c in cells:
            if (
                c.value is not None
                and column_index("".join(ch for ch in c.ref if ch.isalpha())) in hidden_cols
            ):
                problems.append(
                    (c.ref, msg("is in a hidden column; unhide it so that what is imported can be seen"))
                )
        rows.append((number, cells))
    return Sheet(ws.title, rows, problems, notes)


def _date_of(value: datetime) -> date | datetime:
    """A date cell's day; a cell with a time of day stays a datetime (and is refused later)."""
    return value.date() if value.time() == time(0) else value
