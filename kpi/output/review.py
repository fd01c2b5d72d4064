"""The end-of-term review (`kpi status --review`) as a table, JSON, CSV or Markdown: every
target of every KPI with its verdict, and per sector how many were met, missed, or are still
without a figure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO, Any

from kpi import display
from kpi.assess import REVIEW_VERDICTS, ReviewRow
from kpi.i18n import N_, _, set_language
from kpi.model import Dataset
from kpi.output import csvout

VERDICT_LABEL = {
    "achieved": N_("achieved"),
    "missed": N_("missed"),
    "awaiting_final": N_("no figure yet"),
    "not_due": N_("not yet due"),
}
VERDICT_SYMBOL = {"achieved": "✔", "missed": "✖", "awaiting_final": "○", "not_due": "·"}
VERDICT_STYLE = {"achieved": "green", "missed": "red", "awaiting_final": "bright_black", "not_due": "dim"}
COLUMNS = ("sector", "id", "name", "unit", "target_period", "target", "verdict", "figure", "figure_period",
           "later", "gap")  # fmt: skip


def counts(dataset: Dataset, rows: Sequence[ReviewRow], lang: str) -> list[tuple[str, str, dict[str, int]]]:
    """(sector id, name, verdict counts) per sector with targets, then the whole plan ("")."""
    per: dict[str, dict[str, int]] = {}
    for r in rows:
        per.setdefault(r.kpi.sector, dict.fromkeys(REVIEW_VERDICTS, 0))[r.verdict] += 1
    result = [(sid, s.label(lang), per[sid]) for sid, s in dataset.sectors.items() if sid in per]
    total = dict.fromkeys(REVIEW_VERDICTS, 0)
    for *_ids, c in result:
        for k, n in c.items():
            total[k] += n
    result.append(("", _("Whole plan"), total))
    return result


def records(rows: Sequence[ReviewRow], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "sector": r.kpi.sector,
            "id": r.kpi.id,
            "name": r.kpi.label(lang),
            "unit": r.kpi.unit,
            "unit_en": r.kpi.unit_en,
            "target_period": r.target.period.text,
            "target": r.target.value,
            "verdict": r.verdict,
            "figure": None if r.figure is None else r.figure.value,
            "figure_period": None if r.figure is None else r.figure.period.text,
            "later": r.later if r.figure is not None else None,
            "gap": r.gap,
        }
        for r in rows
    ]


def render(
    dataset: Dataset, rows: Sequence[ReviewRow], fmt: str, lang: str, as_of: date, out: IO[str]
) -> None:
    set_language(lang)
    title = _("{plan} — end-of-term review as of {date}").format(
        plan=dataset.plan.label(lang), date=display.iso(as_of)
    )
    if fmt == "json":
        from kpi.output.jsonview import _dump_json, review_json

        _dump_json(review_json(dataset, rows, lang, as_of), out)
        return
    if fmt == "csv":
        csvout.write(records(rows, lang), COLUMNS, out)
        return
    summary = counts(dataset, rows, lang)
    if fmt == "markdown":
        from kpi.output.tables import markdown_table

        md = display.markdown_text
        out.write(f"## {md(title)}\n\n")
        markdown_table(
            [_("Sector"), *(_(VERDICT_LABEL[v]) for v in REVIEW_VERDICTS)],
            ([md(name), *(str(c[v]) for v in REVIEW_VERDICTS)] for _, name, c in summary),
            out,
        )
        out.write("\n")
        markdown_table(
            [_("KPI"), _("Name"), _("Target"), _("Figure"), _("Verdict")],
            (
                [
                    md(r.kpi.id),
                    md(r.kpi.label(lang)),
                    f"{md(display.value(r.target.value, r.kpi.unit))} ({r.target.period})",
                    "–"
                    if r.figure is None
                    else f"{md(display.value(r.figure.value, r.kpi.unit))} ({r.figure.period})",
                    f"{VERDICT_SYMBOL[r.verdict]} {_(VERDICT_LABEL[r.verdict])}",
                ]
                for r in rows
            ),
            out,
        )
        return
    from rich.table import Table
    from rich.text import Text

    from kpi.output.console import _text, make_console, print_rows

    console = make_console(out)
    console.print(_text(title, "bold"))
    table = Table(box=None, pad_edge=False, header_style="bold")
    from rich.cells import cell_len

    # Wide enough for the longest word of a sector's name: a name wraps between words.
    longest = max((cell_len(w) for _sid, sector, _c in summary for w in sector.split()), default=0)
    digits = max((len(str(c[v])) for _s, _n, c in summary for v in REVIEW_VERDICTS), default=1)
    verdict_cells = 4 * (2 + digits)
    room = console.width - verdict_cells  # what the verdicts' columns leave the sector's name
    table.add_column(_("Sector"), overflow="fold", min_width=max(4, min(max(12, longest), 24, room)))
    narrow = console.width < 80
    if narrow:  # the verdicts' words once, above; the columns headed by their symbols
        legend = Text()
        for n, v in enumerate(REVIEW_VERDICTS):
            legend.append("  " if n else "")  # not " · ": "·" is a verdict's symbol
            legend.append(f"{VERDICT_SYMBOL[v]} {_(VERDICT_LABEL[v])}", VERDICT_STYLE[v])
        console.print(legend)
    for v in REVIEW_VERDICTS:
        table.add_column(
            _text(
                VERDICT_SYMBOL[v] if narrow else f"{VERDICT_SYMBOL[v]} {_(VERDICT_LABEL[v])}",
                VERDICT_STYLE[v],
            ),
            justify="right",
            no_wrap=True,
        )
    for _sid, sector, c in summary:
        table.add_row(_text(sector), *(display.localize(f"{c[v]:,}") for v in REVIEW_VERDICTS))
    console.print(table)
    table_rows: list[Any] = []
    for r in rows:
        name = _text(r.kpi.label(lang))
        name.append(f"\n{display.printable(r.kpi.id)}", style="dim")
        figure = "–" if r.figure is None else display.value(r.figure.value, r.kpi.unit)
        fig_cell = Text(figure)
        if r.figure is not None:
            fig_cell.append(f"\n{r.figure.period}", style="dim")
        target = Text(display.value(r.target.value, r.kpi.unit))
        target.append(f"\n{r.target.period}", style="dim")
        verdict = Text(
            f"{VERDICT_SYMBOL[r.verdict]} {_(VERDICT_LABEL[r.verdict])}", style=VERDICT_STYLE[r.verdict]
        )
        table_rows.append([name, target, fig_cell, verdict])
    print_rows(console, (_("Target"), _("Figure"), _("Verdict")), table_rows, wrap_last=True)
