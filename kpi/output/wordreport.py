"""`kpi report --format docx`: the report as a Word document, laid out the way Vietnamese
official documents are (Decree 30/2020/NĐ-CP, Appendix I): A4 portrait, Times New Roman 13 pt
body text, margins top and bottom 20 mm, left 30 mm, right 15 mm.

The first page is the meeting's (light counts, what needs attention, targets without any figure,
what changed since a date), then per sector the KPI table and each KPI's chart as a picture.
python-docx writes it and Pillow draws the charts (kpi/pngchart.py): both only in this path.
"""

import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from kpi import display
from kpi.assess import Assessment, SectorSummary
from kpi.briefing import light_counts, needs_attention, without_figures
from kpi.i18n import _, set_language
from kpi.model import Dataset
from kpi.output import completeness
from kpi.output.htmlreport import change_items
from kpi.output.words import LIGHT_SYMBOL, attention_facts, latest_text, status_word, target_text
from kpi.statuses import LIGHT_WORDS, LIGHTS

if TYPE_CHECKING:
    from kpi.diff import Diff

FONT = "Times New Roman"
BODY_PT, TABLE_PT = 13, 11
COLOURS = {
    "green": (0x1A, 0x7F, 0x37),
    "amber": (0x9A, 0x67, 0x00),
    "red": (0xCF, 0x22, 0x2E),
    "grey": (0x6E, 0x77, 0x81),
}


def _text(text: str) -> str:
    """Text for the document: control characters shown as escapes (XML cannot hold them)."""
    return display.printable(text)


def _run(paragraph: Any, text: str, bold: bool = False, colour: tuple[int, int, int] | None = None) -> Any:
    from docx.shared import RGBColor

    run = paragraph.add_run(_text(text))
    run.bold = bold
    if colour is not None:
        run.font.color.rgb = RGBColor(*colour)
    return run


def _light(paragraph: Any, a: Assessment) -> None:
    _run(paragraph, f"{LIGHT_SYMBOL[a.light]} {status_word(a.status)}", bold=True, colour=COLOURS[a.light])


def document(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    lang: str,
    as_of: date,
    changes: "Diff | None" = None,
    since: date | None = None,
) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    set_language(lang)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "List Bullet", "Table Grid"):
        style = doc.styles[name]
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FONT)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over Times New Roman
        if name == "Normal":
            style.font.size = Pt(BODY_PT)
        if name.startswith("Heading") or name == "Title":
            style.font.color.rgb = None
    doc.core_properties.author = "kpi"
    doc.core_properties.title = _text(dataset.plan.label(lang))
    doc.core_properties.language = "vi-VN" if lang == "vi" else "en-GB"
    _language(doc, "vi-VN" if lang == "vi" else "en-GB")
    _page_numbers(section)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, dataset.plan.label(lang).upper() if lang == "vi" else dataset.plan.label(lang), bold=True)
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, _("As of {date}").format(date=display.iso(as_of)))

    doc.add_heading(_text(_("At a glance")), level=2)
    counts = light_counts(results)
    line = doc.add_paragraph()
    for light in LIGHTS:
        _run(line, f"{LIGHT_SYMBOL[light]} {_(LIGHT_WORDS[light])}: {counts[light]}    ", bold=True,
             colour=COLOURS[light])  # fmt: skip
    attention = needs_attention(results)
    heading = _("Needs attention")
    doc.add_heading(_text(f"{heading} ({len(attention)})"), level=3)
    for a in attention:
        item = doc.add_paragraph(style="List Bullet")
        _light(item, a)
        _run(item, f" {a.kpi.label(lang)} ", bold=True)
        _run(item, "— " + attention_facts(a))
    if not attention:
        doc.add_paragraph(_text(_("No KPI is red or amber.")))
    without = without_figures(results)
    heading = _("Targets without any figure")
    doc.add_heading(_text(f"{heading} ({len(without)})"), level=3)
    for a in without:
        target, period = target_text(a.milestone or a.kpi.targets[-1], a.kpi.unit)
        item = doc.add_paragraph(style="List Bullet")
        _run(item, a.kpi.label(lang), bold=True)
        _run(
            item,
            " — "
            + _("target {value} ({period})").format(
                value=display.with_unit(target, a.kpi.unit_label(lang)), period=period
            ),
        )
    if changes is not None and since is not None:
        doc.add_heading(_text(_("Changed since {date}").format(date=display.iso(since))), level=3)
        items = change_items(changes, lang)
        for what, how in items:
            item = doc.add_paragraph(style="List Bullet")
            _run(item, what, bold=True)
            _run(item, f": {how}")
        if not items:
            doc.add_paragraph(_text(_("Nothing changed.")))

    if completeness.has_calendar(dataset):
        doc.add_heading(_text(_("Completeness of reporting")), level=2)
        grids, late = completeness.parts(dataset, as_of, lang)
        for columns, body in grids:
            grid = doc.add_table(rows=1, cols=len(columns))
            grid.style = "Table Grid"
            for cell, column in zip(grid.rows[0].cells, columns, strict=True):
                _run(cell.paragraphs[0], column, bold=True)
            for values in body:
                for cell, value in zip(grid.add_row().cells, values, strict=True):
                    _run(cell.paragraphs[0], value)
            doc.add_paragraph()
        for entry in late:
            _run(doc.add_paragraph(style="List Bullet"), entry)
    by_sector: dict[str, list[Assessment]] = {}
    for a in results:
        by_sector.setdefault(a.kpi.sector, []).append(a)
    for summary in summaries:
        doc.add_page_break()  # type: ignore[no-untyped-call]
        doc.add_heading(_text(summary.name), level=2)
        rows = by_sector.get(summary.id, [])
        _table(doc, rows, lang)
        for a in rows:
            _chart(doc, a, lang)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _language(doc: Any, tag: str) -> None:
    """The document's language, so that Word checks the spelling of Vietnamese as Vietnamese."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _page_numbers(section: Any) -> None:
    """The page number centred in the footer (Decree 30 numbers every page from the second; a
    report's cover is its first page, numbered too so that printed pages can be put in order)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _table(doc: Any, rows: Sequence[Assessment], lang: str) -> None:
    from docx.shared import Mm, Pt

    titles = (_("KPI"), _("Latest"), _("Target"), _("Attainment"), _("Status"))
    table = doc.add_table(rows=1, cols=len(titles))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        _run(cell.paragraphs[0], title, bold=True)
    for a in rows:
        latest, latest_period = latest_text(a)
        target, target_period = target_text(a.milestone, a.kpi.unit)
        cells = table.add_row().cells
        _run(cells[0].paragraphs[0], a.kpi.label(lang))
        for cell, (value, period) in zip(
            cells[1:3], ((latest, latest_period), (target, target_period)), strict=True
        ):
            _run(cell.paragraphs[0], value)
            if period:  # the period on its own line: a long number is never broken to fit beside it
                cell.paragraphs[0].add_run().add_break()
                _run(cell.paragraphs[0], f"({period})")
        _run(cells[3].paragraphs[0], display.percent(a.attainment))
        _light(cells[4].paragraphs[0], a)
    widths = [Mm(48), Mm(35), Mm(35), Mm(17), Mm(30)]  # the 165 mm between the margins
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(TABLE_PT)


def _chart(doc: Any, a: Assessment, lang: str) -> None:
    from docx.shared import Mm

    from kpi.output.pngchart import png

    picture = png(a)
    if picture is None:
        return
    heading = doc.add_paragraph()
    heading.paragraph_format.keep_with_next = True
    _run(heading, a.kpi.label(lang), bold=True)
    _run(heading, f"  ({a.kpi.unit_label(lang)})  " if a.kpi.unit else "  ")
    _light(heading, a)
    image = doc.add_paragraph()
    image.paragraph_format.keep_with_next = a.kpi.direction == "down"
    image.add_run().add_picture(io.BytesIO(picture), width=Mm(150))
    if a.kpi.direction == "down":
        _run(doc.add_paragraph(), _("↑ better (axis inverted)"))
