"""Workbooks for people: the plan as a manager reads it (kpi export) and a sheet to fill (kpi
template). openpyxl writes them; this module is imported only by those two commands.

Numbers are written as numbers with number formats (a spreadsheet shows them in the reader's
own notation), never as text. Text is always written as text: a value that begins with =, +,
-, @, a tab or a carriage return is stored as a string cell, never as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from kpi import schema
from kpi.assess import Assessment, SectorSummary
from kpi.i18n import N_, _
from kpi.model import Dataset, Kpi, Target
from kpi.output.words import LIGHT_SYMBOL
from kpi.periods import Period
from kpi.sheets.layout import HEADERS, TEMPLATE_HEADERS
from kpi.sheets.read import CONTROL
from kpi.statuses import LIGHT_WORDS, LIGHTS, STATUS_WORDS

# The light's colour as a cell fill, beside its symbol: the sheet reads in black and white too.
FILL = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE", "grey": "E7E6E6"}
HEADER_FILL = "DDEBF7"
TITLE_ROWS = 3  # the plan's name, the as-of date, a blank row; the header follows
DATE_FORMAT = {"vi": "DD/MM/YYYY", "en": "YYYY-MM-DD"}
TEXT = "@"
YES = {"vi": "có", "en": "yes"}
NO = {"vi": "không", "en": "no"}
DIRECTION_WORDS = {"up": N_("up"), "down": N_("down")}
TEMPLATE_ROWS = 200  # rows below the KPIs kept ready (text periods, drop-downs) for more figures


class Column(NamedTuple):
    key: str
    title: str  # a msgid
    kind: str  # text, number, percent, date, bool, light, status
    width: int = 14


STATUS_SHEET = (
    Column("sector", N_("Sector"), "text", 12),
    Column("id", N_("KPI"), "text", 28),
    Column("name", N_("Name"), "text", 48),
    Column("unit", N_("Unit"), "text", 10),
    Column("latest", N_("Latest"), "number"),
    Column("latest_period", N_("Period"), "text", 10),
    Column("estimated", N_("Estimate"), "bool", 10),
    Column("target", N_("Target"), "number"),
    Column("target_period", N_("Target period"), "text", 12),
    Column("attainment", N_("Attainment"), "percent", 12),
    Column("gap", N_("Gap"), "number"),
    Column("projected", N_("Projected"), "number"),
    Column("light", N_("Light"), "light", 12),
    Column("status", N_("Status"), "status", 22),
    Column("missed_milestones", N_("Missed milestones"), "text", 14),
)
TARGET_SHEET = (
    Column("kpi", N_("KPI"), "text", 28),
    Column("org", N_("Organisation"), "text", 14),
    Column("name", N_("Name"), "text", 48),
    Column("unit", N_("Unit"), "text", 10),
    Column("direction", N_("Direction"), "text", 10),
    Column("kind", N_("Kind"), "text", 10),
    Column("period", N_("Period"), "text", 10),
    Column("value", N_("Value"), "number"),
    Column("stretch", N_("Stretch"), "number"),
    Column("source", N_("Source"), "text", 30),
    Column("quote", N_("Quote"), "text", 60),
)
# The figures sheet's headers are import's own (kpi import reads the sheet back).
# Every [[actual]] key, in the format's order, after the KPI's name: a key added to the format
# (kpi/schema.py) and the model is exported, and read back by kpi import, with no edit here.
ACTUAL_FIELDS = ("kpi", "name", *(key for key in schema.ACTUAL if key != "kpi"))
CELL_KIND = {"number": "number", "boolean": "bool", "date": "date", "share": "percent"}
ACTUAL_KIND = {
    key: "percent" if key == "change" else CELL_KIND.get(kind, "text") if isinstance(kind, str) else "text"
    for key, (kind, _meaning) in schema.ACTUAL.items()
}
ACTUAL_WIDTH = {"kpi": 28, "name": 40, "source": 30, "quote": 60, "note": 30}
# Sheet names in each language (short: a sheet tab shows a few words).
SHEET_NAMES = {
    "vi": {"summary": "Tổng hợp", "status": "Trạng thái", "actuals": "Số liệu", "targets": "Chỉ tiêu"},
    "en": {"summary": "Summary", "status": "Status", "actuals": "Figures", "targets": "Targets"},
}


def _header_word(field: str, lang: str) -> str:
    """A figure field's header in the language, as kpi import reads it back."""
    if field in TEMPLATE_HEADERS[lang]:
        return TEMPLATE_HEADERS[lang][field]
    return HEADERS.get(field, (field,))[0] if lang == "vi" else field


def _put(ws: Any, row: int, column: int, value: Any, kind: str = "text", lang: str = "en") -> Any:
    """One cell: numbers as numbers with a format, text always as text (never a formula)."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        return cell
    if kind == "bool":
        # A word, not TRUE/FALSE: the spreadsheet's own boolean shows in its interface's language,
        # and kpi import reads the word back (có/yes). A false one is left empty.
        if value:
            cell.value = YES[lang]
    elif kind in ("number", "percent") and isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = "0.0%" if kind == "percent" else _number_format(float(value))
    elif kind == "date" and isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT[lang]
    else:
        # A workbook (XML 1.0) cannot hold control characters: they are shown as \xNN escapes.
        cell.value = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
        cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
        cell.number_format = TEXT
    return cell


def _number_format(value: float) -> str:
    """Thousands grouped; as many decimals as the figure has (up to 3)."""
    if value.is_integer():
        return "#,##0"
    decimals = len(repr(value).partition(".")[2].rstrip("0")) or 1
    if "e" in repr(value) or decimals > 4:
        return "General"  # 1e-07 or 0.123456: every digit, as the spreadsheet writes numbers
    return "#,##0." + "0" * decimals


def _style_header(
    ws: Any, row: int, columns: Sequence[Column] | Sequence[str], widths: Sequence[int]
) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for n, width in enumerate(widths, 1):
        cell = ws.cell(row=row, column=n)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    last = get_column_letter(len(widths))
    ws.auto_filter.ref = f"A{row}:{last}{max(row, ws.max_row)}"
    # Printed (or saved as PDF) on A4 across, as wide as the page, the header on every page.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{row}:{row}"


def _title(ws: Any, dataset: Dataset, lang: str, as_of: date) -> None:
    from openpyxl.styles import Font

    from kpi import display

    _put(ws, 1, 1, dataset.plan.label(lang)).font = Font(bold=True, size=14)
    _put(ws, 2, 1, _("As of {date}").format(date=display.iso(as_of)))


def _light(ws: Any, row: int, column: int, light: str) -> None:
    from openpyxl.styles import PatternFill

    cell = _put(ws, row, column, f"{LIGHT_SYMBOL[light]} {_(LIGHT_WORDS[light])}")
    cell.fill = PatternFill("solid", fgColor=FILL[light])


def export(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    kpis: Sequence[Kpi],
    lang: str,
    as_of: date,
) -> bytes:
    """The plan as a workbook: a summary of lights per sector, the status of every KPI, every
    figure and every target."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    summary = book.active
    summary.title = SHEET_NAMES[lang]["summary"]
    _title(summary, dataset, lang, as_of)
    header = TITLE_ROWS + 1
    titles = (
        [_("Sector"), _("Name")]
        + [f"{LIGHT_SYMBOL[light]} {_(LIGHT_WORDS[light])}" for light in LIGHTS]
        + [_("KPIs")]
    )
    for n, title in enumerate(titles, 1):
        _put(summary, header, n, title)
    totals = dict.fromkeys(LIGHTS, 0)
    row = header
    for s in summaries:
        row += 1
        _put(summary, row, 1, s.id)
        _put(summary, row, 2, s.name)
        for n, light in enumerate(LIGHTS, 3):
            count = s.lights.get(light, 0)
            totals[light] += count
            cell = _put(summary, row, n, count, "number")
            if count:
                cell.fill = PatternFill("solid", fgColor=FILL[light])
        _put(summary, row, 3 + len(LIGHTS), s.total, "number")
    row += 1
    _put(summary, row, 2, _("Total")).font = Font(bold=True)
    for n, light in enumerate(LIGHTS, 3):
        cell = _put(summary, row, n, totals[light], "number")
        cell.font = Font(bold=True)
        if totals[light]:
            cell.fill = PatternFill("solid", fgColor=FILL[light])
    _put(summary, row, 3 + len(LIGHTS), sum(totals.values()), "number").font = Font(bold=True)
    _style_header(summary, header, titles, [12, 40, 14, 14, 14, 14, 10])
    summary.auto_filter.ref = None

    _status_sheet(book.create_sheet(SHEET_NAMES[lang]["status"]), dataset, results, lang, as_of)
    _actuals_sheet(book.create_sheet(SHEET_NAMES[lang]["actuals"]), dataset, kpis, lang, as_of)
    _targets_sheet(book.create_sheet(SHEET_NAMES[lang]["targets"]), dataset, kpis, lang, as_of)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _status_sheet(ws: Any, dataset: Dataset, results: Sequence[Assessment], lang: str, as_of: date) -> None:
    from kpi.briefing import attention_order
    from kpi.output.tables import status_records

    _title(ws, dataset, lang, as_of)
    header = TITLE_ROWS + 1
    for n, column in enumerate(STATUS_SHEET, 1):
        _put(ws, header, n, _(column.title))
    sectors = {sid: n for n, sid in enumerate(dataset.sectors)}
    ordered = sorted(attention_order(results), key=lambda a: sectors.get(a.kpi.sector, len(sectors)))
    records = status_records(ordered, lang)
    for row, record in enumerate(records, header + 1):
        for n, column in enumerate(STATUS_SHEET, 1):
            value = record[column.key]
            if column.kind == "light":
                _light(ws, row, n, value)
            elif column.kind == "status":
                _put(ws, row, n, _(STATUS_WORDS[value]))
            elif column.kind == "bool":
                _put(ws, row, n, value, "bool", lang)
            elif column.key == "unit":
                _put(ws, row, n, dataset.kpis[record["id"]].unit_label(lang) or None)
            else:
                _put(ws, row, n, value or None if column.kind == "text" else value, column.kind, lang)
    _style_header(ws, header, STATUS_SHEET, [c.width for c in STATUS_SHEET])


def _actuals_sheet(ws: Any, dataset: Dataset, kpis: Sequence[Kpi], lang: str, as_of: date) -> None:
    _title(ws, dataset, lang, as_of)
    header = TITLE_ROWS + 1
    for n, field in enumerate(ACTUAL_FIELDS, 1):
        _put(ws, header, n, _header_word(field, lang))
    wanted = {k.id: k for k in kpis}
    row = header
    # The plan's own figures, then its units' (org column): everything the files hold.
    for a in [*dataset.actuals, *dataset.unit_actuals]:
        kpi = wanted.get(a.kpi)
        if kpi is None or a.position == 0:  # figures computed by kpi are not the file's
            continue
        row += 1
        values: dict[str, Any] = {"name": kpi.label(lang)}
        for field in ACTUAL_FIELDS[2:]:
            value = getattr(a, field)
            # A period as written, a false flag left empty: as kpi import reads them back.
            values[field] = value.text if isinstance(value, Period) else None if value is False else value
        values["kpi"] = a.kpi
        for n, field in enumerate(ACTUAL_FIELDS, 1):
            _put(ws, row, n, values[field], ACTUAL_KIND.get(field, "text"), lang)
    _style_header(ws, header, ACTUAL_FIELDS, [ACTUAL_WIDTH.get(f, 12) for f in ACTUAL_FIELDS])


def _targets_sheet(ws: Any, dataset: Dataset, kpis: Sequence[Kpi], lang: str, as_of: date) -> None:
    _title(ws, dataset, lang, as_of)
    header = TITLE_ROWS + 1
    for n, column in enumerate(TARGET_SHEET, 1):
        _put(ws, header, n, _(column.title))
    row = header
    for kpi in kpis:
        points: list[tuple[str, Target | None, str | None]] = (
            [(N_("baseline"), kpi.baseline, None)] if kpi.baseline is not None else []
        )
        points += [(N_("target"), t, None) for t in kpi.targets]
        # A unit's own targets ([[target]] tables), after the plan's.
        points += [
            (N_("target"), t, org) for (k, org), ts in dataset.unit_targets.items() if k == kpi.id for t in ts
        ]
        for kind, t, org in points:
            if t is None:
                continue
            row += 1
            values = {
                "kpi": kpi.id,
                "org": org,
                "name": kpi.label(lang),
                "unit": kpi.unit_label(lang),
                "direction": _(DIRECTION_WORDS[kpi.direction]),
                "kind": _(kind),
                "period": t.period.text,
                "value": t.value,
                "stretch": t.stretch,
                "source": t.source,
                "quote": t.quote,
            }
            for n, column in enumerate(TARGET_SHEET, 1):
                _put(ws, row, n, values[column.key], column.kind, lang)
    _style_header(ws, header, TARGET_SHEET, [c.width for c in TARGET_SHEET])


def template(
    dataset: Dataset,
    kpis: Sequence[Kpi],
    lang: str,
    period: str | None,
    periods: Sequence[str] = (),
    orgs: Sequence[str | None] = (),
) -> bytes:
    """A sheet to fill: one row per KPI (id, name, unit, and the period when given; with periods,
    each KPI's own, kpi due's rows for an owner), with a drop-down of the plan's KPI ids and of
    yes/no (có/không) for estimated; kpi import reads it back."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    ws = book.active
    ws.title = SHEET_NAMES[lang]["actuals"]
    fields: tuple[str, ...] = (
        "kpi", "name", "unit", "period", "value", "estimated", "published", "source", "quote", "note"
    )  # fmt: skip
    if any(orgs):  # rows a unit owes (kpi due, reported_by = "units"): whose figure each is
        fields += ("org",)
    for n, field in enumerate(fields, 1):
        _put(ws, 1, n, TEMPLATE_HEADERS[lang][field])
    last = len(kpis) + TEMPLATE_ROWS + 1
    for row, kpi in enumerate(kpis, 2):
        _put(ws, row, 1, kpi.id)
        _put(ws, row, 2, kpi.label(lang))
        _put(ws, row, 3, kpi.unit_label(lang))
        _put(ws, row, 4, periods[row - 2] if periods else period)
        if any(orgs):
            _put(ws, row, len(fields), orgs[row - 2])
    # Typed periods stay text (Excel would turn 2024-05 into a date) and published reads as a date.
    for row in range(2, last + 1):
        for column in (1, 4):
            ws.cell(row=row, column=column).number_format = TEXT
        ws.cell(row=row, column=7).number_format = DATE_FORMAT[lang]
    lists = book.create_sheet("lists")
    for row, kpi in enumerate(dataset.kpis.values(), 1):
        _put(lists, row, 1, kpi.id)
    lists.sheet_state = "hidden"
    ids = DataValidation(
        type="list",
        formula1=f"=lists!$A$1:$A${max(1, len(dataset.kpis))}",
        allow_blank=True,
        showErrorMessage=True,
    )
    ids.error = _("Not a KPI of the plan")
    ids.add(f"A2:A{last}")
    # Words in the sheet's language: "true"/"false" become the spreadsheet's own TRUE/FALSE, shown
    # in its interface's language (ĐÚNG/SAI), which is not what the drop-down offered.
    estimated = DataValidation(
        type="list", formula1=f'"{YES[lang]},{NO[lang]}"', allow_blank=True, showErrorMessage=True
    )
    estimated.add(f"F2:F{last}")
    ws.add_data_validation(ids)
    ws.add_data_validation(estimated)
    _style_header(ws, 1, fields, [28, 48, 10, 10, 14, 10, 14, 30, 50, 30, 16][: len(fields)])
    ws.auto_filter.ref = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DUE_COLUMNS = ("kpi", "org", "period", "state", "due", "weekday", "days", "received", "accountable_owner",
               "current_owner")  # fmt: skip


def due_workbook(records: Sequence[dict[str, Any]], lang: str) -> bytes:
    """kpi due's rows as a sheet: dates as dates, filterable, the header frozen."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "due"
    for n, field in enumerate(DUE_COLUMNS, 1):
        _put(ws, 1, n, field)
    for row, record in enumerate(records, 2):
        for n, field in enumerate(DUE_COLUMNS, 1):
            value = record.get(field)
            if field in ("due", "received") and value:
                _put(ws, row, n, date.fromisoformat(value), "date", lang)
            elif field == "days":
                _put(ws, row, n, value, "number", lang)
            else:
                _put(ws, row, n, value)
    _style_header(ws, 1, DUE_COLUMNS, [28, 14, 10, 12, 12, 12, 8, 12, 20, 20])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
