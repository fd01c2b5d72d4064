"""`kpi diff` said: a table for the terminal (worst changes first, with lights), JSON, or
Markdown to paste into a meeting note or a merge request."""

from __future__ import annotations

from typing import IO, Any

from kpi import display
from kpi.assess import Assessment
from kpi.diff import Diff
from kpi.i18n import _, set_language
from kpi.model import Actual, Dataset, Target
from kpi.output.console import _text, make_console
from kpi.output.jsonview import _dump_json, diff_json
from kpi.output.words import LIGHT_EMOJI, LIGHT_SYMBOL, status_word


def _status(a: Assessment | None) -> str:
    return "–" if a is None else f"{LIGHT_SYMBOL[a.light]} {status_word(a.status)}"


def _figure(a: Actual | None, unit: str) -> str:
    if a is None:
        return "–"
    return ("~" if a.estimated else "") + display.value(a.value, unit)


def _target(t: Target | None, unit: str) -> str:
    return "–" if t is None else display.value(t.value, unit)


def _unit(dataset: Dataset, kpi_id: str) -> str:
    kpi = dataset.kpis.get(kpi_id)
    return kpi.unit if kpi is not None else ""


def lines(diff: Diff, after: Dataset, lang: str) -> list[tuple[str, list[str]]]:
    """The changes as (heading, lines) sections, in the current language; empty ones left out."""
    sections: list[tuple[str, list[str]]] = []
    statuses = []
    for c in diff.statuses:
        name = c.kpi.label(lang)
        if c.before is None:
            statuses.append(
                _("{kpi} ({id}): new KPI, {status}").format(kpi=name, id=c.kpi.id, status=_status(c.after))
            )
        elif c.after is None:
            statuses.append(_("{kpi} ({id}): removed").format(kpi=name, id=c.kpi.id))
        else:
            statuses.append(f"{name} ({c.kpi.id}): {_status(c.before)} → {_status(c.after)}")
    sections.append((_("Status changes, worst first"), statuses))
    new, revised, deleted = [], [], []
    for f in diff.figures:
        unit = _unit(after, f.kpi)
        if f.before is None:
            new.append(f"{f.kpi} {f.period}: {_figure(f.after, unit)}")
        elif f.after is None:
            deleted.append(f"{f.kpi} {f.period}: {_figure(f.before, unit)}")
        else:
            revised.append(f"{f.kpi} {f.period}: {_figure(f.before, unit)} → {_figure(f.after, unit)}")
    sections += [(_("New figures"), new), (_("Revised figures"), revised), (_("Deleted figures"), deleted)]
    targets = []
    for t in diff.targets:
        unit = _unit(after, t.kpi)
        targets.append(f"{t.kpi} {t.period}: {_target(t.before, unit)} → {_target(t.after, unit)}")
    sections.append((_("Changed targets"), targets))
    sections.append(
        (
            _("Targets that became due"),
            [f"{k.id} {t.period}: {_target(t, k.unit)}" for k, t in diff.became_due],
        )
    )
    sections.append((_("Became overdue"), [k.id for k in diff.overdue]))
    where = {i: f" ({i.org})" if i.org else "" for i in (*diff.reports_overdue, *diff.reports_received)}
    sections.append(
        (
            _("Reports that became overdue"),
            [f"{i.kpi}{where[i]} {i.period.text}: " + _("due {day}").format(day=display.iso(i.due))
             for i in diff.reports_overdue],
        )
    )  # fmt: skip
    arrived = {"on_time": _("on time"), "late": _("late"), "date_unknown": _("date unknown")}
    sections.append(
        (
            _("Reports received"),
            [f"{i.kpi}{where[i]} {i.period.text}: {arrived[i.state]}" for i in diff.reports_received],
        )
    )
    sections.append(
        (_("Owner changes"), [f"{k}: {x or '–'} → {y or '–'}" for k, x, y in diff.owners_changed])
    )
    return [(heading, body) for heading, body in sections if body]


def render(
    diff: Diff,
    after: Dataset,
    title: str,
    fmt: str,
    lang: str,
    out: IO[str],
    sides: dict[str, Any] | None = None,
) -> None:
    """sides: what JSON says was compared, {"from": {...}, "to": {...}}, in machine form."""
    set_language(lang)
    if fmt == "json":
        _dump_json({**(sides or {}), **diff_json(diff, lang, title)}, out)
        return
    sections = lines(diff, after, lang)
    if fmt == "markdown":
        md = display.markdown_text
        out.write(f"## {md(title)}\n")
        if not sections:
            out.write("\n" + md(_("No change.")) + "\n")
        for heading, body in sections:
            out.write(f"\n### {md(heading)}\n\n")
            for line in body:
                for symbol, emoji in zip(LIGHT_SYMBOL.values(), LIGHT_EMOJI.values(), strict=True):
                    line = line.replace(symbol, emoji)
                out.write(f"- {md(line)}\n")
        return
    console = make_console(out)
    console.print(_text(title, "bold"))
    if not sections:
        console.print(_text(_("No change."), "dim"))
    from rich.padding import Padding

    for heading, body in sections:
        console.print(_text("\n" + heading, "bold underline"))
        for line in body:
            console.print(Padding(_text(line), (0, 0, 0, 2)))  # wrapped lines stay indented
