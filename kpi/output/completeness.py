"""kpi report's completeness section, for a plan with a reporting calendar: per owner and per
sector, what was expected, received, on time, late and missing, then what is overdue."""

from __future__ import annotations

import io
from datetime import date
from html import escape

from kpi import display
from kpi.due import DueItem, Summary, by_owner, calendar, owed, summary
from kpi.i18n import _, ngettext
from kpi.model import Dataset
from kpi.output.tables import markdown_table


def _rows(dataset: Dataset, as_of: date, lang: str) -> tuple[list[list[str]], list[list[str]], list[DueItem]]:
    items = owed(dataset, as_of, 0)
    owners = [
        [dataset.owners[o].label(lang) if o in dataset.owners else _("unowned"), *_figures(s)]
        for o, s in by_owner(items, as_of)
    ]
    sectors = []
    for sector in dataset.sectors.values():
        mine = [i for i in items if dataset.kpis[i.kpi].sector == sector.id]
        if mine:
            sectors.append([sector.label(lang), *_figures(summary(mine, as_of))])
    return owners, sectors, [i for i in items if i.state == "overdue"]


def _figures(s: Summary) -> list[str]:
    return [str(s.expected), str(s.received), str(s.on_time), str(s.late), str(s.missing)]


def _header(first: str) -> list[str]:
    return [first, _("expected"), _("received"), _("on time"), _("late"), _("missing")]


def _overdue_line(dataset: Dataset, i: DueItem, lang: str) -> str:
    kpi = dataset.kpis[i.kpi]
    unit = f" ({i.org})" if i.org else ""
    return ngettext(
        "{kpi}{unit} {period}: due {day}, {n} day overdue",
        "{kpi}{unit} {period}: due {day}, {n} days overdue",
        i.days,
    ).format(kpi=kpi.label(lang), unit=unit, period=i.period.text, day=display.iso(i.due), n=i.days)


def has_calendar(dataset: Dataset) -> bool:
    return any(calendar(k, dataset.reporting) is not None for k in dataset.kpis.values())


def html(dataset: Dataset, as_of: date, lang: str) -> str:
    if not has_calendar(dataset):
        return ""
    owners, sectors, overdue = _rows(dataset, as_of, lang)
    parts = ["<section><h2>" + escape(_("Completeness of reporting")) + "</h2>"]
    for first, rows in ((_("Owner"), owners), (_("Sector"), sectors)):
        head = "".join(f"<th>{escape(h)}</th>" for h in _header(first))
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(display.printable(c))}</td>" for c in r) + "</tr>" for r in rows
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if overdue:
        items = "".join(
            f"<li>{escape(display.printable(_overdue_line(dataset, i, lang)))}</li>" for i in overdue
        )
        parts.append("<h3>" + escape(_("Overdue")) + f"</h3><ul>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)


def markdown(dataset: Dataset, as_of: date, lang: str) -> list[str]:
    if not has_calendar(dataset):
        return []
    md = display.markdown_text
    owners, sectors, overdue = _rows(dataset, as_of, lang)
    title = _("Completeness of reporting")
    lines = ["", f"## {md(title)}", ""]
    for first, rows in ((_("Owner"), owners), (_("Sector"), sectors)):
        sink = io.StringIO()
        markdown_table([md(h) for h in _header(first)], ([md(c) for c in r] for r in rows), sink)
        lines += [sink.getvalue()]
    if overdue:
        lines += [md(_("Overdue")) + ":", ""]
        lines += [f"- {md(_overdue_line(dataset, i, lang))}" for i in overdue]
    return lines


def parts(
    dataset: Dataset, as_of: date, lang: str
) -> tuple[list[tuple[list[str], list[list[str]]]], list[str]]:
    """The section for another format (Word): its two tables (header, rows), then the overdue lines."""
    owners, sectors, overdue = _rows(dataset, as_of, lang)
    tables = [(_header(_("Owner")), owners), (_header(_("Sector")), sectors)]
    return tables, [_overdue_line(dataset, i, lang) for i in overdue]
