"""kpi due: what is overdue, what falls due soon, and the round's figures, as a Rich table,
JSON, CSV or Markdown. Every due date is printed with its weekday: a Sunday deadline shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import IO, Any

from kpi import display
from kpi.cycle import DueView
from kpi.due import DueItem, Summary
from kpi.i18n import N_, _, set_language
from kpi.output.jsonview import _c, _dump_json
from kpi.output.tables import _csv, markdown_table

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))  # fmt: skip
STATE_WORDS = {
    "on_time": N_("on time"),
    "late": N_("late"),
    "overdue": N_("overdue"),
    "due_soon": N_("due soon"),
    "not_due": N_("not due"),
    "covered": N_("covered"),
    "date_unknown": N_("date unknown"),
}
COLUMNS = ("kpi", "org", "period", "state", "due", "weekday", "days", "received", "accountable_owner",
           "current_owner")  # fmt: skip


def weekday(day: date) -> str:
    return _(WEEKDAYS[day.weekday()])


def record(i: DueItem) -> dict[str, Any]:
    return {
        "kpi": i.kpi,
        "org": i.org,
        "period": i.period.text,
        "state": i.state,
        "due": i.due.isoformat(),
        "weekday": i.due.strftime("%A"),  # machine readers get the English name
        "days": i.days,
        "received": i.received.isoformat() if i.received else None,
        "accountable_owner": i.accountable,
        "current_owner": i.current,
    }


def summary_record(s: Summary) -> dict[str, Any]:
    return {
        "expected": s.expected,
        "received": s.received,
        "on_time": s.on_time,
        "late": s.late,
        "covered": s.covered,
        "missing": s.missing,
        "reporting_rate": _c(s.reporting_rate),
        "on_time_rate": _c(s.on_time_rate),
    }


def _json(v: DueView, out: IO[str]) -> None:
    _dump_json(
        {
            "as_of": v.as_of.isoformat(),
            "items": [record(i) for i in v.items],
            "summary": summary_record(v.overall),
            "by_owner": [{"owner": owner, **summary_record(s)} for owner, s in v.owners],
        },
        out,
    )


def _csv_out(v: DueView, out: IO[str]) -> None:
    """One row per period, with the reminded owner's name, e-mail and contact: for mail merge."""

    def who(owner: str | None) -> dict[str, Any]:
        o = v.dataset.owners.get(owner or "")
        return {"owner_name": o.label(v.lang) if o else None, "owner_email": o.email if o else None,
                "owner_contact": o.contact if o else None}  # fmt: skip

    _csv(
        [record(i) | who(i.current) for i in v.items],
        (*COLUMNS, "owner_name", "owner_email", "owner_contact"),
        out,
    )


def _owner(v: DueView, owner: str | None) -> str:
    if not owner:
        return _("unowned")
    found = v.dataset.owners.get(owner)
    return found.label(v.lang) if found else owner


def _header(v: DueView) -> list[str]:
    """The columns: the unit's only when some unit owes a figure."""
    return [_(h) for h in HEADER if h != HEADER[1] or _units(v)]


def _units(v: DueView) -> bool:
    return any(i.org for i in v.items)


def _rows(v: DueView, states: tuple[str, ...]) -> list[list[str]]:
    rows = []
    units = _units(v)
    for i in v.items:
        if i.state not in states:
            continue
        who = _owner(v, i.accountable)
        if i.current != i.accountable:
            who += " → " + _owner(v, i.current)
        unit = v.dataset.orgs.units[i.org].name_on(i.due) if i.org and i.org in v.dataset.orgs.units else ""
        when = f"{display.iso(i.due)} ({weekday(i.due)})"
        period = _("next release") if i.period.text == "release" else i.period.text
        cells = [i.kpi, unit, period, when, str(i.days) if i.days else "", who]
        rows.append(cells if units else [cells[0], *cells[2:]])
    return rows


def _figures(v: DueView) -> list[tuple[str, str]]:
    s = v.overall
    return [
        (_("expected"), str(s.expected)),
        (_("received"), str(s.received)),
        (_("on time"), str(s.on_time)),
        (_("late"), str(s.late)),
        (_("covered"), str(s.covered)),
        (_("missing"), str(s.missing)),
        (_("reporting rate"), display.percent(s.reporting_rate)),
        (_("on-time rate"), display.percent(s.on_time_rate)),
    ]


HEADER = (N_("KPI"), N_("Unit"), N_("Period"), N_("Due"), N_("Days"), N_("Owner"))
TABLE_ROWS = 100


def _markdown(v: DueView, out: IO[str]) -> None:
    md = display.markdown_text
    if not v.calendar:
        out.write(
            md(_("No KPI has a reporting calendar ([reporting], or frequency and due on a KPI).")) + "\n"
        )
        return
    if v.reminded is not None:  # a reminder sent on its own says whose it is, and when
        owner = v.dataset.owners.get(v.reminded)
        who = owner.label(v.lang) if owner is not None else v.reminded or _("unowned")
        heading = _("{owner}: what is owed for {plan}, as of {date}").format(
            owner=who, plan=v.dataset.plan.label(v.lang), date=display.iso(v.as_of)
        )
        out.write(f"# {md(display.one_line(heading))}\n\n")
    for title, states in ((_("Overdue"), ("overdue",)), (_("Due soon"), ("due_soon",))):
        out.write(f"## {md(title)}\n\n")
        rows = _rows(v, states)
        if rows:
            markdown_table([md(h) for h in _header(v)], ([md(c) for c in r] for r in rows), out)
        else:
            out.write(md(_("None.")) + "\n")
        out.write("\n")
    title = _("This round")
    out.write(f"## {md(title)}\n\n")
    markdown_table([md(_("Figure")), md(_("Value"))], ([md(a), md(b)] for a, b in _figures(v)), out)


def _terminal(v: DueView, out: IO[str]) -> None:
    from rich.table import Table

    from kpi.output.console import _text, make_console

    console = make_console(out)
    if not v.calendar:
        console.print(
            _text(_("No KPI has a reporting calendar ([reporting], or frequency and due on a KPI)."))
        )
        return
    for title, states in ((_("Overdue"), ("overdue",)), (_("Due soon"), ("due_soon",))):
        rows = _rows(v, states)
        more = len(rows) - TABLE_ROWS
        rows = rows[:TABLE_ROWS]  # a terminal reads a hundred rows; the rest are in JSON and CSV
        caption = (
            _("… and {n} more: --format csv or json lists them all").format(n=more) if more > 0 else None
        )
        table = Table(title=title, header_style="bold", title_justify="left", caption=caption)
        header = _header(v)
        for n, name in enumerate(header):
            table.add_column(name, justify="right" if n == len(header) - 2 else "left", overflow="fold")
        for row in rows:
            table.add_row(*(_text(c) for c in row))
        if rows:
            console.print(table)
        else:
            console.print(_text(f"{title}: " + _("none."), "dim"))
    figures = Table(title=_("This round"), header_style="bold", title_justify="left", show_header=False)
    figures.add_column()
    figures.add_column(justify="right")
    for name, value in _figures(v):
        figures.add_row(_text(name), _text(value))
    console.print(figures)


DUE_FORMATS: dict[str, Callable[[DueView, IO[str]], None]] = {
    "json": _json,
    "csv": _csv_out,
    "markdown": _markdown,
    "table": _terminal,
}


def render(view: DueView, fmt: str, out: IO[str]) -> None:
    set_language(view.lang)
    DUE_FORMATS[fmt](view, out)
