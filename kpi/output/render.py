"""Renderers: kpi status, gap and list in the form asked for (a Rich table, JSON, CSV or
Markdown); kpi show is kpi/show.py. Machine formats never import Rich."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from kpi import display
from kpi.assess import Assessment, SectorSummary
from kpi.i18n import _, ngettext, set_language
from kpi.model import Dataset, Kpi
from kpi.statuses import LIGHT_WORDS, LIGHTS

if TYPE_CHECKING:
    pass
from kpi.output.console import (
    _gap_compact,
    _kpi_name,
    _status_table,
    _text,
    make_console,
    print_rows,
)
from kpi.output.jsonview import (
    _dump_json,
    _plan_json,
    _sector_json,
    dump_listing,
    kpi_json,
)
from kpi.output.tables import (
    GAP_COLUMNS,
    GAP_SPEC,
    STATUS_COLUMNS,
    STATUS_SPEC,
    _csv,
    _plan_title,
    _summary_counts,
    gap_records,
    gap_texts,
    markdown_rows,
    markdown_table,
    status_records,
)
from kpi.output.words import (
    ESTIMATE_MARK,
    LIGHT_EMOJI,
    LIGHT_STYLE,
    LIGHT_SYMBOL,
    latest_text,
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


def _owners(v: StatusView) -> dict[str, str] | None:
    """Each KPI's owner at as-of (its name), when the plan declares owners."""
    if not v.dataset.owners:
        return None
    from kpi.cycle import owners_at

    return {k: v.dataset.owners[o].label(v.lang) if o in v.dataset.owners else _("unowned")
            for k, o in owners_at(v.dataset, v.as_of).items()}  # fmt: skip


def _status_json(v: StatusView, out: IO[str]) -> None:
    held = None
    if v.dataset.owners:
        from kpi.cycle import owners_at

        held = owners_at(v.dataset, v.as_of)

    def kpis() -> Iterator[dict[str, Any]]:
        for a in v.results:
            entry = kpi_json(a, v.lang)
            if held is not None:
                entry["owner"] = held.get(a.kpi.id) or None
            yield entry

    head = {"as_of": v.as_of.isoformat(), "plan": _plan_json(v.dataset)}
    dump_listing(head, "kpis", kpis(), {"sectors": [_sector_json(s) for s in v.summaries]}, out)


def _status_csv(v: StatusView, out: IO[str]) -> None:
    _csv(status_records(v.results, v.lang), STATUS_COLUMNS, out)


def _status_md(v: StatusView, out: IO[str]) -> None:
    _status_markdown(v.dataset, v.results, v.summaries, v.lang, v.as_of, out)


def _status_svg(v: StatusView, out: IO[str]) -> None:
    from kpi.output.slide import status_svg  # only for the picture

    out.write(status_svg(v.dataset, v.results, v.summaries, v.lang, v.as_of, v.show_all))


def _status_terminal(v: StatusView, out: IO[str]) -> None:
    _status_table(
        v.dataset, v.results, v.summaries, v.lang, v.as_of, make_console(out), v.show_all, _owners(v)
    )


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
    header = [_("Sector"), *(f"{LIGHT_EMOJI[x]} {_(LIGHT_WORDS[x])}" for x in LIGHTS), _("KPIs")]
    rows = [[md(s.name), *(str(s.lights[x]) for x in LIGHTS), str(s.total)] for s in summaries]
    total = _summary_counts(summaries)
    whole = _("Whole plan")
    rows.append([f"**{whole}**", *(str(total[x]) for x in LIGHTS), str(sum(total.values()))])
    markdown_table(header, rows, out)
    out.write("\n")
    header, kpi_rows = markdown_rows(STATUS_SPEC, results, lang)
    markdown_table(header, kpi_rows, out)
    out.write("\n" + _("{mark} marks an estimate.").format(mark=ESTIMATE_MARK) + "\n")


class GapView(NamedTuple):
    """What every format of kpi gap is written from."""

    dataset: Dataset
    results: Sequence[Assessment]
    lang: str
    as_of: date
    without_data: int
    shares: dict[str, float] | None = None  # --org: a sum's gap as a share of the plan's own

    @property
    def note(self) -> str:
        n = self.without_data
        if not n:
            return ""
        return ngettext(
            "{n} KPI with a target has no known actual, so no gap.",
            "{n} KPIs with a target have no known actual, so no gap.",
            n,
        ).format(n=n)


def _gap_json(v: GapView, out: IO[str]) -> None:
    def kpis() -> Iterator[dict[str, Any]]:
        for a in v.results:
            entry = kpi_json(a, v.lang)
            entry["gap_pct"] = a.relative_gap
            entry["required_per_year"] = a.required_per_year
            entry["overdue"] = a.overdue
            entry["trend_per_year"] = a.trend_per_year
            if v.shares is not None:
                entry["share_of_plan_gap"] = v.shares.get(a.kpi.id)
            yield entry

    dump_listing({"as_of": v.as_of.isoformat(), "plan": _plan_json(v.dataset)}, "kpis", kpis(), {}, out)


def _gap_csv(v: GapView, out: IO[str]) -> None:
    records = gap_records(v.results, v.lang)
    if v.shares is None:
        _csv(records, GAP_COLUMNS, out)
        return
    shares = v.shares
    records = [{**r, "share_of_plan_gap": shares.get(r["id"])} for r in records]
    _csv(records, (*GAP_COLUMNS, "share_of_plan_gap"), out)


def _share_line(v: GapView, a: Assessment) -> str | None:
    share = None if v.shares is None else v.shares.get(a.kpi.id)
    if share is None:
        return None
    return _("{share} of the plan's gap").format(share=display.percent(share))


def _gap_markdown(v: GapView, out: IO[str]) -> None:
    md = display.markdown_text
    title = _("Gaps — {title}").format(title=md(_plan_title(v.dataset, v.lang, v.as_of)))
    out.write(f"## {title}\n\n")
    header, rows = markdown_rows(GAP_SPEC, v.results, v.lang)
    markdown_table(header, rows, out)
    shares = [(a.kpi.id, line) for a in v.results if (line := _share_line(v, a)) is not None]
    if shares:
        out.write("\n" + "\n".join(f"- {md(kpi)}: {md(line)}" for kpi, line in shares) + "\n")
    if v.note:
        out.write(f"\n{v.note}\n")


def _gap_terminal(v: GapView, out: IO[str]) -> None:
    from rich.text import Text

    console = make_console(out)
    console.print(_text(_("Gaps — {title}").format(title=_plan_title(v.dataset, v.lang, v.as_of)), "bold"))
    if not v.results:
        console.print(_text(_("No shortfall: every KPI with data has met its milestone target.")))
    else:
        rows = []
        for a in v.results:
            unit = a.kpi.unit
            latest, latest_period = latest_text(a)
            target, target_period = target_text(a.milestone, unit)
            needed, trend = gap_texts(a)
            latest_cell = Text(display.printable(latest))
            latest_cell.append("\n" + latest_period, style="dim")
            target_cell = Text(display.printable(target))
            target_cell.append("\n" + target_period, style="dim")
            gap_cell = Text(
                f"{LIGHT_SYMBOL[a.light]} {display.value(a.gap, unit)}", style=LIGHT_STYLE[a.light]
            )
            gap_cell.append(f"\n{display.percent(a.relative_gap)}", style="dim")
            if (share := _share_line(v, a)) is not None:
                gap_cell.append(f"\n{share}", style="dim")
            late = needed in (_("overdue"), _("missed"))
            rows.append(
                [
                    _kpi_name(a, v.lang),
                    latest_cell,
                    target_cell,
                    gap_cell,
                    Text(needed, style="red" if late else ""),
                    Text(trend),
                    Text(display.iso(a.projected_completion)),
                ]
            )
        # Gap and gap % share a cell (two lines) so the table fits 80 columns.
        titles = (_("Latest"), _("Target"), _("Gap\n% of T"), _("Need/yr"), _("Trend/yr"), _("Reached"))
        print_rows(console, titles, rows, compact=_gap_compact)
    if v.note:
        console.print(_text(v.note, "dim"))


# The formats of kpi gap, one writer each: Rich is loaded only by the table's.
GAP_FORMATS: dict[str, Callable[[GapView, IO[str]], None]] = {
    "json": _gap_json,
    "csv": _gap_csv,
    "markdown": _gap_markdown,
    "table": _gap_terminal,
}


def render_gap(
    dataset: Dataset,
    results: Sequence[Assessment],
    fmt: str,
    lang: str,
    as_of: date,
    out: IO[str],
    without_data: int,
    shares: dict[str, float] | None = None,
) -> None:
    set_language(lang)
    GAP_FORMATS[fmt](GapView(dataset, results, lang, as_of, without_data, shares), out)


class ListView(NamedTuple):
    """What every format of kpi list is written from: one record per KPI."""

    dataset: Dataset
    records: list[dict[str, Any]]
    lang: str


LIST_COLUMNS = ("sector", "id", "name", "unit", "direction", "trend", "targets", "actuals")


def _list_json(v: ListView, out: IO[str]) -> None:
    sectors = [{"id": s.id, "name": s.name, "name_en": s.name_en} for s in v.dataset.sectors.values()]
    _dump_json({"plan": _plan_json(v.dataset), "sectors": sectors, "kpis": v.records}, out)


def _list_csv(v: ListView, out: IO[str]) -> None:
    _csv(v.records, LIST_COLUMNS, out)


def _shown_unit(record: dict[str, Any], lang: str) -> str:
    return str(record["unit_en"] or record["unit"]) if lang == "en" else str(record["unit"])


def _list_markdown(v: ListView, out: IO[str]) -> None:
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
            [md(r["sector"]), md(r["id"]), md(r["name"]), md(_shown_unit(r, v.lang)),
             "↑" if r["direction"] == "up" else "↓", _(r["trend"]), str(r["targets"]), str(r["actuals"])]
            for r in v.records
        ),
        out,
    )  # fmt: skip


def _list_terminal(v: ListView, out: IO[str]) -> None:
    from rich.table import Table

    console = make_console(out)
    if console.width < 80:
        _list_blocks(v, console)
        return
    table = Table(header_style="bold")
    table.add_column(_("KPI"), overflow="fold", ratio=1)
    table.add_column(_("Unit"), overflow="fold")
    table.add_column(_("Dir."), no_wrap=True)
    table.add_column(_("Targets"), justify="right", no_wrap=True)
    table.add_column(_("Actuals"), justify="right", no_wrap=True)
    for title, rows in _list_sectors(v):
        table.add_row(title)
        for r in rows:
            name = _text(r["id"])
            name.append(f"\n{display.printable(r['name'])}", style="dim")
            table.add_row(
                name,
                _text(_shown_unit(r, v.lang)),
                "↑" if r["direction"] == "up" else "↓",
                str(r["targets"]),
                str(r["actuals"]),
            )
    console.print(table)


def _list_sectors(v: ListView) -> list[tuple[Any, list[dict[str, Any]]]]:
    """kpi list's records by sector, each under its heading (the sector's name, then its id)."""
    by_sector: dict[str, list[dict[str, Any]]] = {}
    for r in v.records:
        by_sector.setdefault(r["sector"], []).append(r)
    out = []
    for sid, rows in by_sector.items():
        sector = v.dataset.sectors.get(sid)
        title = _text(sector.label(v.lang) if sector else sid, "bold underline")
        title.append(f"  {sid}", style="dim")
        out.append((title, rows))
    return out


def _list_blocks(v: ListView, console: Any) -> None:
    """kpi list in a narrow terminal: a KPI a block (its id, unit, direction and counts on one
    line, its name under it), as a table there would cut ids and words in pieces."""
    from rich.padding import Padding

    for title, rows in _list_sectors(v):
        console.print(title)
        for r in rows:
            head = _text(r["id"], "bold")
            head.append(
                "  "
                + display.printable(_shown_unit(r, v.lang))
                + " "
                + ("↑" if r["direction"] == "up" else "↓")
            )
            targets, actuals = _("Targets"), _("Actuals")
            counts = f"{targets}: {r['targets']} · {actuals}: {r['actuals']}"
            if head.cell_len + 2 + len(counts) <= console.width:
                head.append("  " + counts)
                counts = ""
            console.print(head)
            console.print(Padding(_text(r["name"], "dim"), (0, 0, 0, 2)))
            if counts:
                console.print(Padding(_text(counts), (0, 0, 0, 2)))


# The formats of kpi list, one writer each: Rich is loaded only by the table's.
LIST_FORMATS: dict[str, Callable[[ListView, IO[str]], None]] = {
    "json": _list_json,
    "csv": _list_csv,
    "markdown": _list_markdown,
    "table": _list_terminal,
}


def render_list(dataset: Dataset, kpis: Sequence[Kpi], fmt: str, lang: str, out: IO[str]) -> None:
    set_language(lang)
    counts = {kid: len(v) for kid, v in dataset.actuals_by_kpi().items()}
    records: list[dict[str, Any]] = [
        {
            "sector": k.sector,
            "id": k.id,
            "name": k.label(lang),
            "unit": k.unit,
            "unit_en": k.unit_en,
            "direction": k.direction,
            "trend": k.trend,
            "targets": len(k.targets),
            "actuals": counts.get(k.id, 0),
        }
        for k in kpis
    ]
    LIST_FORMATS[fmt](ListView(dataset, records, lang), out)
