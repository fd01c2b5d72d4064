"""Which column of a sheet holds which field: headers matched without regard to case, accents,
spacing or a hint in brackets, in English or Vietnamese; --map and --header-row for other
layouts; a near-miss header refused rather than a column dropped."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from kpi import schema
from kpi.errors import KpiError
from kpi.i18n import msg
from kpi.sheets.read import Sheet, column_index, column_letter

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
    "received": ("ngày nhận", "ngày tiếp nhận", "received on"),
    # Not "đơn vị": in a Vietnamese sheet that heads the unit of measure.
    "org": ("đơn vị báo cáo", "tỉnh, thành phố", "tỉnh/thành phố", "tỉnh", "địa phương", "province"),
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
        "org": "org",
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
        "org": "đơn vị báo cáo",
    },
}


REQUIRED_COLUMNS = frozenset({"kpi", "period", "value"})


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


class LayoutError(KpiError):
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
