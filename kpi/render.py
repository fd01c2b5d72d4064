"""Renderers: kpi status, gap and list in the form asked for (a Rich table, JSON, CSV or
Markdown); kpi show is kpi/show.py. Machine formats never import Rich."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from kpi import display
from kpi.assess import Assessment, SectorSummary
from kpi.i18n import _, ngettext, set_language
from kpi.model import Dataset, Kpi
from kpi.statuses import LIGHTS

if TYPE_CHECKING:
    pass
from kpi.console import (
    _gap_compact,
    _kpi_name,
    _status_table,
    _text,
    make_console,
    print_rows,
)
from kpi.jsonview import (
    _dump_json,
    _plan_json,
    _sector_json,
    kpi_json,
)
from kpi.tables import (
    GAP_COLUMNS,
    STATUS_COLUMNS,
    _csv,
    _plan_title,
    _summary_counts,
    gap_records,
    markdown_table,
    status_records,
)
from kpi.words import (
    ESTIMATE_MARK,
    LIGHT_EMOJI,
    LIGHT_LABEL,
    LIGHT_STYLE,
    LIGHT_SYMBOL,
    _status_text,
    latest_text,
    status_word,
    target_text,
)


class StatusView(NamedTuple):
    """What every format of kpi status is written from."""

    dataset: Dataset
    results: Sequence[Assessment]
    summaries: Sequence[SectorSummary]
    lang: str
    as_of: date
    show_all: bool


def _status_json(v: StatusView, out: IO[str]) -> None:
    _dump_json(
        {
            "as_of": v.as_of.isoformat(),
            "plan": _plan_json(v.dataset),
            "kpis": [kpi_json(a, v.lang) for a in v.results],
            "sectors": [_sector_json(s) for s in v.summaries],
        },
        out,
    )


def _status_csv(v: StatusView, out: IO[str]) -> None:
    _csv(status_records(v.results, v.lang), STATUS_COLUMNS, out)


def _status_md(v: StatusView, out: IO[str]) -> None:
    _status_markdown(v.dataset, v.results, v.summaries, v.lang, v.as_of, out)


def _status_svg(v: StatusView, out: IO[str]) -> None:
    from kpi.slide import status_svg  # only for the picture

    out.write(status_svg(v.dataset, v.results, v.summaries, v.lang, v.as_of, v.show_all))


def _status_terminal(v: StatusView, out: IO[str]) -> None:
    _status_table(v.dataset, v.results, v.summaries, v.lang, v.as_of, make_console(out), v.show_all)


# The formats of kpi status, one writer each: Rich is loaded only by the table's.
STATUS_FORMATS: dict[str, Callable[[StatusView, IO[str]], None]] = {
    "json": _status_json,
    "csv": _status_csv,
    "markdown": _status_md,
    "svg": _status_svg,
    "table": _status_terminal,
}


def render_status(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    fmt: str,
    lang: str,
    as_of: date,
    out: IO[str],
    show_all: bool = False,
) -> None:
    set_language(lang)
    STATUS_FORMATS[fmt](StatusView(dataset, results, summaries, lang, as_of, show_all), out)


def _status_markdown(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    lang: str,
    as_of: date,
    out: IO[str],
) -> None:
    md = display.markdown_text
    out.write(f"## {md(_plan_title(dataset, lang, as_of))}\n\n")
    header = [_("Sector"), *(f"{LIGHT_EMOJI[x]} {_(LIGHT_LABEL[x])}" for x in LIGHTS), _("KPIs")]
    rows = [[md(s.name), *(str(s.lights[x]) for x in LIGHTS), str(s.total)] for s in summaries]
    total = _summary_counts(summaries)
    whole = _("Whole plan")
    rows.append([f"**{whole}**", *(str(total[x]) for x in LIGHTS), str(sum(total.values()))])
    markdown_table(header, rows, out)
    out.write("\n")
    kpi_rows = []
    for a in results:
        latest, latest_period = latest_text(a)
        target, target_period = target_text(a.milestone, a.kpi.unit)
        kpi_rows.append(
            [
                md(a.kpi.id),
                md(a.kpi.label(lang)),
                md(a.kpi.unit),
                f"{md(latest)} ({latest_period})" if latest_period else "–",
                f"{md(target)} ({target_period})" if target_period else "–",
                display.percent(a.attainment),
                md(display.value(a.gap, a.kpi.unit)),
                md(display.value(a.projected, a.kpi.unit)),
                f"{LIGHT_EMOJI[a.light]} {md(_status_text(a).replace(chr(10), ' · ')[2:])}",
            ]
        )
    markdown_table(
        [
            _("KPI"),
            _("Name"),
            _("Unit"),
            _("Latest"),
            _("Target"),
            _("Attainment"),
            _("Gap"),
            _("Projected"),
            _("Status"),
        ],
        kpi_rows,
        out,
    )
    out.write("\n" + _("{mark} marks an estimate.").format(mark=ESTIMATE_MARK) + "\n")


def render_gap(
    dataset: Dataset,
    results: Sequence[Assessment],
    fmt: str,
    lang: str,
    as_of: date,
    out: IO[str],
    without_data: int,
) -> None:
    set_language(lang)
    if fmt == "json":
        kpis = []
        for a in results:
            entry = kpi_json(a, lang)
            entry["gap_pct"] = a.relative_gap
            entry["required_per_year"] = a.required_per_year
            entry["overdue"] = a.overdue
            entry["trend_per_year"] = a.trend_per_year
            kpis.append(entry)
        _dump_json({"as_of": as_of.isoformat(), "plan": _plan_json(dataset), "kpis": kpis}, out)
        return
    if fmt == "csv":
        _csv(gap_records(results, lang), GAP_COLUMNS, out)
        return
    cells: list[dict[str, Any]] = []
    for a in results:
        unit = a.kpi.unit
        latest, latest_period = latest_text(a)
        target, target_period = target_text(a.milestone, unit)
        needed = (
            _("missed")
            if a.status == "missed"
            else _("overdue")
            if a.overdue
            else display.signed(a.required_per_year, unit)
        )
        trend = display.signed(a.trend_per_year, unit)
        if a.flow is not None and a.status not in ("missed", "awaiting_final", "achieved"):
            # A flow still to be earned this year: the monthly pace needed against the pace so far.
            per_month = _("/mo")
            needed = display.signed(a.flow.needed_per_month, unit) + per_month
            trend = display.signed(a.flow.so_far_per_month, unit) + per_month
        if a.gap is not None and a.gap <= 0:
            needed = _("met")
        cells.append(
            {
                "a": a,
                "latest": (latest, latest_period),
                "target": (target, target_period),
                "gap": display.value(a.gap, unit),
                "gap_pct": display.percent(a.relative_gap),
                "needed": needed,
                "trend": trend,
                "eta": display.iso(a.projected_completion),
            }
        )
    note = (
        ngettext(
            "{n} KPI with a target has no known actual, so no gap.",
            "{n} KPIs with a target have no known actual, so no gap.",
            without_data,
        ).format(n=without_data)
        if without_data
        else ""
    )
    if fmt == "markdown":
        md = display.markdown_text
        out.write("## " + _("Gaps — {title}").format(title=md(_plan_title(dataset, lang, as_of))) + "\n\n")
        markdown_table(
            [
                _("KPI"),
                _("Name"),
                _("Latest"),
                _("Target"),
                _("Gap"),
                _("Gap %"),
                _("Needed/yr"),
                _("Trend/yr"),
                _("Reached"),
                _("Status"),
            ],
            (
                [
                    md(c["a"].kpi.id),
                    md(c["a"].kpi.label(lang)),
                    f"{md(c['latest'][0])} ({c['latest'][1]})",
                    f"{md(c['target'][0])} ({c['target'][1]})",
                    md(c["gap"]),
                    c["gap_pct"],
                    md(c["needed"]),
                    md(c["trend"]),
                    c["eta"],
                    f"{LIGHT_EMOJI[c['a'].light]} {status_word(c['a'].status)}",
                ]
                for c in cells
            ),
            out,
        )
        if note:
            out.write(f"\n{note}\n")
        return
    from rich.text import Text

    console = make_console(out)
    console.print(_text(_("Gaps — {title}").format(title=_plan_title(dataset, lang, as_of)), "bold"))
    if not cells:
        console.print(_text(_("No shortfall: every KPI with data has met its milestone target.")))
    else:
        rows = []
        for c in cells:
            a = c["a"]
            name = _kpi_name(a, lang)
            latest_cell = Text(display.printable(c["latest"][0]))
            latest_cell.append("\n" + c["latest"][1], style="dim")
            target_cell = Text(display.printable(c["target"][0]))
            target_cell.append("\n" + c["target"][1], style="dim")
            gap_cell = Text(f"{LIGHT_SYMBOL[a.light]} {c['gap']}", style=LIGHT_STYLE[a.light])
            gap_cell.append(f"\n{c['gap_pct']}", style="dim")
            rows.append(
                [
                    name,
                    latest_cell,
                    target_cell,
                    gap_cell,
                    Text(c["needed"], style="red" if c["needed"] in (_("overdue"), _("missed")) else ""),
                    Text(c["trend"]),
                    Text(c["eta"]),
                ]
            )
        # Gap and gap % share a cell (two lines) so the table fits 80 columns.
        titles = (_("Latest"), _("Target"), _("Gap\n% of T"), _("Need/yr"), _("Trend/yr"), _("Reached"))
        print_rows(console, titles, rows, compact=_gap_compact)
    if note:
        console.print(_text(note, "dim"))


def render_list(dataset: Dataset, kpis: Sequence[Kpi], fmt: str, lang: str, out: IO[str]) -> None:
    set_language(lang)
    counts = {kid: len(v) for kid, v in dataset.actuals_by_kpi().items()}
    records: list[dict[str, Any]] = [
        {
            "sector": k.sector,
            "id": k.id,
            "name": k.label(lang),
            "unit": k.unit,
            "direction": k.direction,
            "trend": k.trend,
            "targets": len(k.targets),
            "actuals": counts.get(k.id, 0),
        }
        for k in kpis
    ]
    if fmt == "json":
        _dump_json(
            {
                "plan": _plan_json(dataset),
                "sectors": [
                    {"id": s.id, "name": s.name, "name_en": s.name_en} for s in dataset.sectors.values()
                ],
                "kpis": records,
            },
            out,
        )
        return
    columns = ("sector", "id", "name", "unit", "direction", "trend", "targets", "actuals")
    if fmt == "csv":
        _csv(records, columns, out)
        return
    if fmt == "markdown":
        md = display.markdown_text
        header = [
            _("Sector"),
            _("KPI"),
            _("Name"),
            _("Unit"),
            _("Direction"),
            _("Trend"),
            _("Targets"),
            _("Actuals"),
        ]
        markdown_table(
            header,
            (
                [md(r["sector"]), md(r["id"]), md(r["name"]), md(r["unit"]),
                 "↑" if r["direction"] == "up" else "↓", _(r["trend"]), str(r["targets"]), str(r["actuals"])]
                for r in records
            ),
            out,
        )  # fmt: skip
        return
    from rich.table import Table

    console = make_console(out)
    table = Table(header_style="bold")
    table.add_column(_("KPI"), overflow="fold", ratio=1)
    table.add_column(_("Unit"), overflow="fold")
    table.add_column(_("Dir."), no_wrap=True)
    table.add_column(_("Targets"), justify="right", no_wrap=True)
    table.add_column(_("Actuals"), justify="right", no_wrap=True)
    by_sector: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_sector.setdefault(r["sector"], []).append(r)
    for sid, rows in by_sector.items():
        sector = dataset.sectors.get(sid)
        title = _text(sector.label(lang) if sector else sid, "bold underline")
        title.append(f"  {sid}", style="dim")
        table.add_row(title)
        for r in rows:
            name = _text(r["id"])
            name.append(f"\n{display.printable(r['name'])}", style="dim")
            table.add_row(
                name,
                _text(r["unit"]),
                "↑" if r["direction"] == "up" else "↓",
                str(r["targets"]),
                str(r["actuals"]),
            )
    console.print(table)
