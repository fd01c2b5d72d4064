"""Renderers: assessment results as a Rich table, JSON, CSV or Markdown.

Machine formats (JSON, CSV, Markdown) never import Rich. Every piece of data text goes
into Rich as a ``Text`` object, so a KPI called ``[bold]x[/]`` prints as written.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import IO, TYPE_CHECKING, Any, TypeAlias, cast

from kpi import display
from kpi.assess import Assessment, SectorSummary, Verdict, revisions
from kpi.briefing import attention_order
from kpi.i18n import N_, _, ngettext, set_language, tr
from kpi.model import Actual, Dataset, Kpi, Target
from kpi.statuses import LIGHT_WORDS, LIGHTS, STATUS_WORDS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# The words for people (English msgids); say them with status_word() in the current language.
STATUS_LABEL = STATUS_WORDS
LIGHT_LABEL = LIGHT_WORDS


def status_word(status: str) -> str:
    return _(STATUS_LABEL[status])


LIGHT_SYMBOL = {"green": "✔", "amber": "▲", "red": "✖", "grey": "○"}
LIGHT_EMOJI = {"green": "🟢", "amber": "🟡", "red": "🔴", "grey": "⚪"}
LIGHT_STYLE = {"green": "green", "amber": "yellow", "red": "red", "grey": "bright_black"}
ESTIMATE_MARK = "~"
# With more rows than this, the default status table shows only red and amber ones.
READABLE_ROWS = 20


# --- shared pieces -------------------------------------------------------------------


def _target_json(t: Target | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "period": t.period.text,
        "date": t.date.isoformat(),
        "value": t.value,
        "stretch": t.stretch,
        "derived": t.derived,
    }


def kpi_json(a: Assessment, lang: str) -> dict[str, Any]:
    """One KPI's assessment in the documented, stable JSON shape."""
    k, latest = a.kpi, a.latest
    return {
        "id": k.id,
        "sector": k.sector,
        "name": k.label(lang),
        "unit": k.unit,
        "direction": k.direction,
        "trend": k.trend,
        "milestone": _target_json(a.milestone),
        "latest": None
        if latest is None
        else {
            "period": latest.period.text,
            "date": latest.date.isoformat(),
            "value": latest.value,
            "estimated": latest.estimated,
            "source": latest.source,
        },
        "points": len(a.points),
        "attainment": _c(a.attainment),
        "gap": _c(a.gap),
        "progress": _c(a.progress),
        "expected": _c(a.expected),
        "projected": _c(a.projected),
        "projected_completion": a.projected_completion.isoformat() if a.projected_completion else None,
        "score": _c(a.score),
        "method": a.method,
        "ratio": _c(a.ratio),
        "status": a.status,
        "light": a.light,
        "trend_only": a.trend_only,
        "stale": a.stale,
        "no_target_for": a.wanted_milestone,
        "milestones_passed": [_verdict_json(v) for v in a.verdicts],
        "missed_milestones": [v.target.period.text for v in a.missed_before],
        "measure": k.measure,
        "yoy": _c(a.yoy),
        **_flow_json(a),
    }


def _flow_json(a: Assessment) -> dict[str, Any]:
    """A flow's year to date: the total, the share of the period it covers, the pace."""
    f = a.flow
    if f is None:
        return dict.fromkeys(
            ("ytd", "elapsed_share", "pace", "projection_basis", "needed_per_month", "so_far_per_month")
        )
    return {
        "ytd": {
            "total": _c(f.ytd.total),
            "through": f.ytd.through.isoformat(),
            "periods": [x.period.text for x in f.ytd.figures],
            "complete": f.ytd.complete,
        },
        "elapsed_share": _c(f.ytd.elapsed_share),
        "pace": _c(f.pace),
        "projection_basis": f.projection.basis if f.projection else None,
        "needed_per_month": _c(f.needed_per_month),
        "so_far_per_month": _c(f.so_far_per_month),
    }


def _c(x: float | None) -> float | None:
    """A computed number at 12 significant digits: 1.0275, not 1.0274999999999999 (stated values
    are written exactly as stated)."""
    return x if x is None or not math.isfinite(x) else float(f"{x:.12g}")


def _verdict_json(v: Verdict) -> dict[str, Any]:
    f = v.figure
    return {
        "period": v.target.period.text,
        "date": v.target.date.isoformat(),
        "value": v.target.value,
        "verdict": v.status,
        "figure": None if f is None else {"period": f.period.text, "value": f.value, "later": v.later},
        "gap": _c(v.gap),
    }


def _plan_json(dataset: Dataset) -> dict[str, Any]:
    p = dataset.plan
    return {"name": p.name, "name_en": p.name_en, "period": p.period}


def _sector_json(s: SectorSummary) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "kpis": s.total, "lights": s.lights, "statuses": s.statuses}


def _dump_json(obj: object, out: IO[str]) -> None:
    """Indented for a person at a terminal; one line otherwise (the C encoder)."""
    from kpi import jsonout

    out.write(jsonout.dumps(obj, indent=2 if out.isatty() else None))
    out.write("\n")


def latest_text(a: Assessment) -> tuple[str, str]:
    """The figure the KPI is judged on (a passed milestone's own figure, else the latest)."""
    judged = a.judged
    if judged is None:
        return "–", ""
    mark = ESTIMATE_MARK if judged.estimated else ""
    return mark + display.value(judged.value, a.kpi.unit), judged.period.text


def target_text(t: Target | None, unit: str) -> tuple[str, str]:
    if t is None:
        return "–", ""
    text = display.value(t.value, unit)
    if t.stretch is not None:
        text += "–" + display.value(t.stretch, unit)
    return text, t.period.text


TREND_WORDS = (N_("linear"), N_("compound"))  # KPI trends, said with _()
METHOD_LABEL = {
    "linear": N_("linear trend (least squares), score of the projected value"),
    "compound": N_("compound growth, score of the projected value"),
    "cagr": N_("Open SDG: observed vs required compound annual growth"),
}


def _measure_text(a: Assessment) -> str:
    if a.method == "cagr" or a.trend_only:
        return "–" if a.ratio is None or not math.isfinite(a.ratio) else display.localize(f"{a.ratio:.3f}")
    return "–" if a.score is None else display.localize(f"{a.score:.3f}")


def _status_text(a: Assessment) -> str:
    """The status in words, with what it must not hide: earlier milestones missed, an old
    latest figure, a grade on the trend alone, or no target for the milestone asked for."""
    if a.wanted_milestone:
        text = f"{LIGHT_SYMBOL[a.light]} " + _("no target for {period}").format(period=a.wanted_milestone)
    else:
        text = f"{LIGHT_SYMBOL[a.light]} {status_word(a.status)}"
    if a.trend_only:
        text += " " + _("(no target: trend only)")
    for v in a.missed_before:
        text += f"\n{LIGHT_SYMBOL['red']} " + _("missed {period}").format(period=v.target.period)
    if a.stale:
        text += "\n" + _("(latest figure is old)")
    return text


class _Trimmed(io.TextIOBase):
    """A stream that drops the spaces Rich pads each line with to the console's width: a table
    piped to a file or another program carries no trailing spaces."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.partial = ""

    def write(self, text: str) -> int:
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        if lines:
            self.out.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self.partial:  # a line without its end yet: written as it is, nothing dropped
            self.out.write(self.partial)
            self.partial = ""
        self.out.flush()

    def isatty(self) -> bool:
        return False


def make_console(out: IO[str]) -> Console:
    from rich.console import Console

    stream = out if out.isatty() else cast("IO[str]", _Trimmed(out))
    console = Console(file=stream, highlight=False, emoji=False)
    if console.width < 1:  # COLUMNS=0 or garbage: not a width to lay anything out in
        console.width = 80
    console.on_broken_pipe = _reader_gone  # type: ignore[method-assign]
    return console


def _reader_gone() -> None:
    """The reader (`kpi status | head`) stopped reading. Rich would exit 1 here; the command
    line decides instead (0, or 1 when a check such as --fail-on has already failed)."""
    raise BrokenPipeError


def _text(value: str, style: str = "") -> Text:
    from rich.text import Text

    return Text(display.excerpt(value), style=style)


# --- kpi status ----------------------------------------------------------------------

STATUS_COLUMNS = (
    "sector",
    "id",
    "name",
    "unit",
    "latest",
    "latest_period",
    "estimated",
    "target",
    "stretch",
    "target_period",
    "attainment",
    "gap",
    "projected",
    "method",
    "ratio",
    "status",
    "light",
    "stale",
    "missed_milestones",
)


def status_records(results: Sequence[Assessment], lang: str) -> list[dict[str, Any]]:
    rows = []
    for a in results:
        m, latest = a.milestone, a.judged  # the figure the attainment and gap are about
        rows.append(
            {
                "sector": a.kpi.sector,
                "id": a.kpi.id,
                "name": a.kpi.label(lang),
                "unit": a.kpi.unit,
                "latest": None if latest is None else latest.value,
                "latest_period": None if latest is None else latest.period.text,
                "estimated": None if latest is None else latest.estimated,
                "target": None if m is None else m.value,
                "stretch": None if m is None else m.stretch,
                "target_period": None if m is None else m.period.text,
                "attainment": _c(a.attainment),
                "gap": _c(a.gap),
                "projected": _c(a.projected),
                "method": a.method,
                "ratio": _c(a.ratio),
                "status": a.status,
                "light": a.light,
                "stale": a.stale,
                "missed_milestones": " ".join(v.target.period.text for v in a.missed_before),
            }
        )
    return rows


def _csv(records: list[dict[str, Any]], columns: Sequence[str], out: IO[str]) -> None:
    from kpi import csvout

    csvout.write(records, columns, out)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], out: IO[str]) -> None:
    out.write("| " + " | ".join(header) + " |\n")
    out.write("|" + "|".join("---" for _ in header) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(row) + " |\n")


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
    if fmt == "json":
        _dump_json(
            {
                "as_of": as_of.isoformat(),
                "plan": _plan_json(dataset),
                "kpis": [kpi_json(a, lang) for a in results],
                "sectors": [_sector_json(s) for s in summaries],
            },
            out,
        )
    elif fmt == "csv":
        _csv(status_records(results, lang), STATUS_COLUMNS, out)
    elif fmt == "markdown":
        _status_markdown(dataset, results, summaries, lang, as_of, out)
    elif fmt == "svg":
        from kpi.slide import status_svg

        out.write(status_svg(dataset, results, summaries, lang, as_of, show_all))
    else:
        _status_table(dataset, results, summaries, lang, as_of, make_console(out), show_all)


def _summary_counts(summaries: Sequence[SectorSummary]) -> dict[str, int]:
    total = dict.fromkeys(LIGHTS, 0)
    for s in summaries:
        for light, n in s.lights.items():
            total[light] += n
    return total


def _plan_title(dataset: Dataset, lang: str, as_of: date) -> str:
    return _("{plan} — as of {date}").format(
        plan=display.one_line(dataset.plan.label(lang)), date=display.iso(as_of)
    )


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


def _status_table(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    lang: str,
    as_of: date,
    console: Console,
    show_all: bool,
) -> None:
    from rich.cells import cell_len
    from rich.table import Table

    console.print(_text(_plan_title(dataset, lang, as_of), "bold"))
    total = _summary_counts(summaries)
    rows = [(_text(s.name), s.lights, s.total) for s in summaries]
    whole = _text(_("Whole plan"), "bold")
    rows.append((whole, total, sum(total.values())))
    headers = [f"{LIGHT_SYMBOL[light]} {_(LIGHT_LABEL[light])}" for light in LIGHTS]
    digits = max(len(f"{n:,}") for *_rest, n in rows)
    widths = [max(cell_len(h), digits) for h in headers]
    summary = Table(box=None, pad_edge=False, header_style="bold")
    summary.add_column(_("Sector"), overflow="fold", min_width=SECTOR_COLUMN_MIN)
    for light, header, width in zip(LIGHTS, headers, widths, strict=True):
        summary.add_column(_text(header, LIGHT_STYLE[light]), justify="right", no_wrap=True, min_width=width)
    summary.add_column(_("KPIs"), justify="right", no_wrap=True, min_width=max(digits, cell_len(_("KPIs"))))
    if _fits(console, summary):
        for name, lights, n in rows:
            summary.add_row(
                name,
                *(display.localize(f"{lights[x]:,}") for x in LIGHTS),
                display.localize(f"{n:,}"),
                style=name.style,
            )
        console.print(summary)
    else:  # narrow: one line of counts under each sector's name
        from rich.text import Text

        for name, lights, n in rows:
            console.print(name)
            line = Text("  ")
            for light in LIGHTS:
                line.append(
                    f"{LIGHT_SYMBOL[light]} {display.localize(f'{lights[light]:,}')}",
                    style=LIGHT_STYLE[light],
                )
                line.append("  ")
            line.append("/ " + ngettext("{n} KPI", "{n} KPIs", n).format(n=display.localize(f"{n:,}")))
            console.print(line, no_wrap=True, overflow="ignore", crop=False)

    shown = list(results)
    if not show_all and len(shown) > READABLE_ROWS:
        # Many KPIs: the ones needing attention, worst first, as many as a screen holds.
        attention = attention_order(a for a in results if a.light in ("red", "amber"))
        shown = attention[:READABLE_ROWS]
        hidden_attention = len(attention) - len(shown)
        hidden = len(results) - len(shown)
        what = (
            _("{n} of them red or amber").format(n=display.localize(f"{hidden_attention:,}"))
            if hidden_attention
            else _("all green or grey")
        )
        footer = _(
            "{n} more KPIs not shown ({what}); --all shows every row, "
            "--status LIGHT or --sector ID narrows the list."
        ).format(n=display.localize(f"{hidden:,}"), what=what)
    else:
        footer = ""
    if shown:
        titles = tuple(_(t) for t in STATUS_TITLES)
        print_rows(
            console,
            titles,
            _kpi_table(dataset, attention_order(shown), lang),
            wrap_last=True,
            compact=_status_compact,
        )
    if footer:
        console.print(_text(footer, "dim"))
    if any(a.latest is not None and a.latest.estimated for a in shown):
        console.print(_text(_("{mark} marks an estimate.").format(mark=ESTIMATE_MARK), "dim"))


STATUS_TITLES = (N_("Latest"), N_("Target"), N_("Att."), N_("Gap"), N_("Proj."), N_("Status"))


def _figure(cell: Text) -> str:
    """A value cell ("67", then "2024" on its own line) as one item: "67 (2024)"."""
    value, _sep, period = cell.plain.partition("\n")
    return f"{value} ({period})" if period else value


def _gap_compact(row: list[Text]) -> tuple[Text, list[str]]:
    """A gap row in two lines: the light and gap at the right; the figures and the pace."""
    _name, latest, target, gap, needed, trend, reached = row
    share = gap.plain.partition("\n")[2]
    gap_word = _("Gap")
    short = f"{gap_word} {share}" if share and share != "–" else ""
    details = [_figure(latest), f"→ {_figure(target)}", short]
    for title, cell in ((_("Need/yr"), needed), (_("Trend/yr"), trend), (_("Reached"), reached)):
        if cell.plain not in ("", "–"):
            details.append(f"{title} {cell.plain}")
    return gap, [d for d in details if d]


def _status_compact(row: list[Text]) -> tuple[Text, list[str]]:
    """A status row in two lines: the status at the right; latest → target and attainment."""
    _name, latest, target, attainment, _gap, _projected, status = row
    word, *flags = status.plain.split("\n")
    # A passed milestone's verdict goes beside the status, never hidden; an old figure is said
    # on the figure itself, so that the KPI keeps to two lines.
    old = _("(latest figure is old)")
    value, _sep, period = latest.plain.partition("\n")
    stale = _("old")
    shown = f"{value} ({period}, {stale})" if old in flags and period else _figure(latest)
    right = status.copy()
    right.plain = "  ".join([word, *(f for f in flags if f != old)])
    figures = [shown] if target.plain == "–" else [shown, f"→ {_figure(target)}"]
    att = _("Att.")
    reached = [f"{att} {attainment.plain}"] if attainment.plain != "–" else []
    return right, figures + reached


def _kpi_table(dataset: Dataset, results: Sequence[Assessment], lang: str) -> list[Row]:
    order = {sid: n for n, sid in enumerate(dataset.sectors)}
    by_sector: dict[str, list[Assessment]] = {}
    for a in results:
        by_sector.setdefault(a.kpi.sector, []).append(a)
    rows: list[Row] = []
    for sid in sorted(by_sector, key=lambda s: order.get(s, len(order))):
        sector = dataset.sectors.get(sid)
        rows.append(_text(sector.label(lang) if sector else sid, "bold underline"))
        rows.extend(_kpi_cells(a, lang) for a in by_sector[sid])
    return rows


# A table row: the KPI's cells, or a section title (a sector) as one Text.
Row: TypeAlias = "list[Text] | Text"
KPI_COLUMN_MIN = 14
SECTOR_COLUMN_MIN = 16


def print_rows(
    console: Console,
    titles: Sequence[str],
    rows: Sequence[Any],
    wrap_last: bool = False,
    compact: Callable[[list[Text]], tuple[Text, list[str]]] | None = None,
) -> None:
    """A KPI table whose numbers, lights and KPI ids are never cut or folded.

    The KPI column is at least as wide as the longest id (an id is copied into kpi show) and
    its names may wrap; with wrap_last the last column (a status in words) may wrap too; every
    other column is as wide as its widest cell. When that does not fit the console, each KPI
    takes two lines (compact gives, for a row, what goes right of its name and the figures
    after its id), or without compact a short list of "title: value" lines.
    """
    from rich.cells import cell_len
    from rich.text import Text

    data = [r for r in rows if not isinstance(r, Text)]
    widths = []
    for n, title in enumerate(titles, 1):
        cells = [r[n] for r in data]
        if wrap_last and n == len(titles):
            # Words wrap, but a status should read in one or two lines: up to 16 columns.
            words = [w for c in cells for w in c.plain.split()] + title.split()
            lines = [line for c in cells for line in c.plain.split("\n")]
            widths.append(max(max(map(cell_len, words)) + 2, min(max(map(cell_len, lines), default=0), 16)))
        else:
            lines = [line for c in cells for line in c.plain.split("\n")] + title.split("\n")
            widths.append(max(cell_len(line) for line in lines))
    ids = [r[0].plain.partition("\n")[2].split(" ")[0] for r in data]
    table = _data_table(max([KPI_COLUMN_MIN, *map(cell_len, ids)]))
    for n, (title, width) in enumerate(zip(titles, widths, strict=True), 1):
        last = wrap_last and n == len(titles)
        table.add_column(
            title,
            justify="left" if last else "right",
            no_wrap=not last,
            min_width=width,
            # A status in words wraps on a narrow terminal so the KPI names wrap less.
            max_width=width if last and console.width < 120 else None,
            overflow="fold",  # never reached by a number: its column is as wide as its widest
        )
    # Rich's own measure of the table before any row: every column at its minimum (the KPI
    # column folds its names down to KPI_COLUMN_MIN), borders and padding included.
    if _fits(console, table):
        for row in rows:
            if isinstance(row, Text):
                table.add_row(row, end_section=False)
            else:
                table.add_row(*row)
        console.print(table)
        return
    for row in rows:
        if isinstance(row, Text):
            console.print(row)
            continue
        if compact is not None:
            _compact_row(console, row[0], *compact(row))
            continue
        console.print(row[0])
        for title, cell in zip(titles, row[1:], strict=True):
            line = Text(f"  {title.replace(chr(10), ' ')}: ", style="dim")
            line.append_text(cell.copy())
            line.plain = line.plain.replace("\n", " ")
            console.print(line, no_wrap=True, overflow="ignore", crop=False)


def _compact_row(console: Console, kpi: Text, right: Text, details: list[str]) -> None:
    """A KPI in two lines: its name (cut with … to leave room) and, at the right, its status;
    then its id, whole, and the figures, wrapped between items, never inside one."""
    from rich.cells import cell_len, set_cell_size
    from rich.text import Text

    name, _sep, id_line = kpi.plain.partition("\n")
    width = console.width
    right = right.copy()
    right.plain = right.plain.split("\n")[0]
    room = width - right.cell_len - 2
    if room >= 8:
        shown = name if cell_len(name) <= room else set_cell_size(name, room - 1) + "…"
        line = Text(shown)
        line.append(" " * (width - cell_len(shown) - right.cell_len))
        line.append_text(right)
        console.print(line, no_wrap=True, overflow="ignore", crop=False)
    else:
        console.print(Text(name if cell_len(name) <= width else set_cell_size(name, width - 1) + "…"))
        console.print(right, no_wrap=True, overflow="ignore", crop=False)
    line = Text("  ")
    line.append(id_line.split(" ")[0], style="dim")
    for n, item in enumerate(details):
        # "→ target" follows its figure with a space, and may start the next line on its own.
        separator = "  " if n == 0 else " " if item.startswith("→ ") else " · "
        if line.cell_len + len(separator) + cell_len(item) > width:
            console.print(line, no_wrap=True, overflow="ignore", crop=False)
            line = Text("    " + item)
        else:
            line.append(separator + item)
    console.print(line, no_wrap=True, overflow="ignore", crop=False)


def _fits(console: Console, table: Any) -> bool:
    """Whether the table, at every column's minimum width, fits the console (Rich's own measure)."""
    from rich.measure import Measurement

    unbounded = console.options.update_width(1_000_000)  # Measurement.get clamps to the width given
    return Measurement.get(console, unbounded, table).minimum <= console.width


def _data_table(kpi_width: int = KPI_COLUMN_MIN) -> Any:
    """A table whose first column is the KPI: no vertical rules, so that more of the data fits."""
    from rich import box
    from rich.table import Table

    table = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column(_("KPI"), overflow="fold", min_width=kpi_width, ratio=1)
    return table


def _kpi_name(a: Assessment, lang: str) -> Text:
    # One line of name, then the id: a name with a line break must not push the id out.
    name = _text(" ".join(a.kpi.label(lang).split()))
    name.append(f"\n{display.printable(a.kpi.id)} ({display.printable(a.kpi.unit)})", style="dim")
    return name


def _kpi_cells(a: Assessment, lang: str) -> list[Text]:
    from rich.text import Text

    unit = a.kpi.unit
    name = _kpi_name(a, lang)
    latest, latest_period = latest_text(a)
    target, target_period = target_text(a.milestone, unit)
    latest_cell = Text(display.printable(latest))
    if latest_period:
        latest_cell.append(f"\n{latest_period}", style="dim")
    target_cell = Text(display.printable(target))
    if target_period:
        target_cell.append(f"\n{target_period}", style="dim")
    return [
        name,
        latest_cell,
        target_cell,
        Text(display.percent(a.attainment)),
        Text(display.value(a.gap, unit)),
        Text(display.value(a.projected, unit)),
        Text(_status_text(a), style=LIGHT_STYLE[a.light]),
    ]


# --- kpi gap ---------------------------------------------------------------------------

GAP_COLUMNS = (
    "sector",
    "id",
    "name",
    "unit",
    "latest",
    "latest_period",
    "target",
    "target_period",
    "gap",
    "gap_pct",
    "required_per_year",
    "overdue",
    "trend_per_year",
    "projected_completion",
    "status",
    "light",
)


def gap_records(results: Sequence[Assessment], lang: str) -> list[dict[str, Any]]:
    rows = []
    for a in results:
        m, latest = a.milestone, a.judged  # the figure the attainment and gap are about
        assert m is not None and latest is not None
        rows.append(
            {
                "sector": a.kpi.sector,
                "id": a.kpi.id,
                "name": a.kpi.label(lang),
                "unit": a.kpi.unit,
                "latest": latest.value,
                "latest_period": latest.period.text,
                "target": m.value,
                "target_period": m.period.text,
                "gap": _c(a.gap),
                "gap_pct": _c(a.relative_gap),
                "required_per_year": _c(a.required_per_year),
                "overdue": a.overdue,
                "trend_per_year": _c(a.trend_per_year),
                "projected_completion": a.projected_completion.isoformat()
                if a.projected_completion
                else None,
                "status": a.status,
                "light": a.light,
            }
        )
    return rows


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


# --- kpi show --------------------------------------------------------------------------


def show_json(dataset: Dataset, a: Assessment, lang: str) -> dict[str, Any]:
    k = a.kpi
    known = {id(x) for x in a.known}  # a set: a KPI may have 10^4 figures
    figures = sorted(dataset.actuals_by_kpi().get(k.id, ()), key=lambda x: (x.date, x.published or x.date))
    previous: dict[int, Actual] = {}  # id of a revision -> the revision before it
    for history in revisions(figures).values():
        for before, after in itertools.pairwise(history):
            previous[id(after)] = before
    entry = kpi_json(a, lang)
    entry.update(
        name_vi=k.name,
        name_en=k.name_en,
        min=k.min,
        max=k.max,
        note=k.note,
        source=k.source,
        quote=k.quote,
        baseline=_point_json(k.baseline, k) if k.baseline else None,
        targets=[_point_json(t, k) for t in k.targets],
        actuals=[
            {
                "period": x.period.text,
                "date": x.date.isoformat(),
                "value": x.value,
                "estimated": x.estimated,
                "derived": x.derived,
                "published": x.published.isoformat() if x.published else None,
                "known": id(x) in known,
                "source": x.source,
                "quote": x.quote,
                "note": x.note,
                "revises": previous[id(x)].value if id(x) in previous else None,
            }
            for x in figures
        ],
        revisions={
            history[-1].period.text: [
                {
                    "value": x.value,
                    "published": x.published.isoformat() if x.published else None,
                    "estimated": x.estimated,
                    "source": x.source,
                }
                for x in history
            ]
            for history in revisions(figures).values()
            if len(history) > 1
        },
        slope_per_year=a.slope,
        rate_per_year=a.rate,
        required_per_year=a.required_per_year,
        rules=list(a.reasons),
    )
    return entry


def _point_json(t: Target, k: Kpi) -> dict[str, Any]:
    entry = _target_json(t) or {}
    entry.update(
        derived=t.derived,
        source=t.source or k.source,
        quote=t.quote or k.quote,
        note=t.note,
    )
    return entry


def render_show(dataset: Dataset, a: Assessment, fmt: str, lang: str, out: IO[str]) -> None:
    set_language(lang)
    if fmt == "json":
        _dump_json({"as_of": a.as_of.isoformat(), **show_json(dataset, a, lang)}, out)
        return
    data = show_json(dataset, a, lang)
    k = a.kpi
    unit = k.unit
    facts = [
        (_("Sector"), dataset.sectors[k.sector].label(lang) if k.sector in dataset.sectors else k.sector),
        (_("Name"), k.name),
        (_("English"), k.name_en or "–"),
        (_("Unit"), unit),
        (_("Direction"), _("up (higher is better)") if k.direction == "up" else _("down (lower is better)")),
        (_("Trend"), _(k.trend)),
    ]
    if k.min is not None or k.max is not None:
        facts.append((_("Bounds"), f"{display.value(k.min, unit)} … {display.value(k.max, unit)}"))
    if k.note:
        facts.append((_("Note"), k.note))
    m = a.milestone
    numbers = [
        (_("As of"), display.iso(a.as_of)),
        (
            _("Milestone"),
            _("{value} in {period}").format(value=target_text(m, unit)[0], period=m.period) if m else "–",
        ),
        (_("Latest"), " ".join(latest_text(a)).strip()),
        (_("Attainment"), display.percent(a.attainment)),
        (_("Gap"), display.value(a.gap, unit)),
    ]
    if a.flow is None:
        numbers += _level_facts(a, unit)
    numbers += [
        *_flow_facts(a, unit),
        (_("Projected at milestone"), display.value(a.projected, unit)),
        *([] if a.flow is not None else [(_("Projected completion"), display.iso(a.projected_completion))]),
        (
            _("Method"),
            _("year to date against the period's target (a flow)")
            if a.flow is not None
            else _(METHOD_LABEL[a.method]) + (" — " + _("no target: trend only") if a.trend_only else ""),
        ),
        (
            _("Projected / target")
            if a.flow is not None
            else _("Score")
            if a.method != "cagr" and not a.trend_only
            else _("Ratio (observed / required growth)")
            if not a.trend_only
            else _("Growth in the desired direction"),
            _measure_text(a),
        ),
        (_("Status"), _status_text(a)),
    ]
    later = ", " + _("later")
    for verdict in a.verdicts:
        f = verdict.figure
        figure = (
            _("no figure yet")
            if f is None
            else f"{display.value(f.value, unit)} ({f.period}{later if verdict.later else ''})"
        )
        numbers.append(
            (
                _("Milestone {period}").format(period=verdict.target.period),
                f"{target_text(verdict.target, unit)[0]}: {figure} → {status_word(verdict.status)}",
            )
        )
    if fmt == "markdown":
        md = display.markdown_text
        out.write(f"## {md(k.id)} — {md(k.label(lang))}\n\n")
        markdown_table(["", ""], ([label, md(v)] for label, v in facts + numbers), out)
        out.write("\n### " + _("Targets") + "\n\n")
        markdown_table(
            [_("Period"), _("Value"), _("Source"), _("Quote")],
            (
                [
                    t["period"],
                    md(target_text(k.targets[i], unit)[0]),
                    md(t["source"] or "–"),
                    md(t["quote"] or "–"),
                ]
                for i, t in enumerate(data["targets"])
            ),
            out,
        )
        out.write("\n### " + _("Actuals") + "\n\n")
        markdown_table(
            [_("Period"), _("Value"), _("Published"), _("Source"), _("Quote")],
            (
                [
                    x["period"],
                    (ESTIMATE_MARK if x["estimated"] else "") + md(display.value(x["value"], unit)),
                    x["published"] or "–",
                    md(x["source"]),
                    md(x["quote"] or "–"),
                ]
                for x in data["actuals"]
            ),
            out,
        )
        out.write("\n### " + _("Rules") + "\n\n" + "".join(f"- {md(tr(r))}\n" for r in a.reasons))
        return

    from rich.table import Table

    console = make_console(out)
    heading = _text(k.label(lang), "bold")
    heading.append(f"  {display.printable(k.id)}", style="dim")
    console.print(heading)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, v in facts:
        grid.add_row(label, _text(v))
    console.print(grid)
    _print_chart(console, a)

    from rich import box

    derived = _("derived: ")
    # Numbers are never folded: their column is as wide as the widest; the quotes wrap.
    narrow = console.width < 70
    console.print(_text("\n" + _("Targets"), "bold underline"))
    targets = Table(header_style="bold", box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD)
    rows = ([("baseline", k.baseline)] if k.baseline else []) + [(t.period.text, t) for t in k.targets]
    targets.add_column(_("Period"), no_wrap=True)
    targets.add_column(
        _("Value"),
        justify="right",
        no_wrap=True,
        min_width=_widest(target_text(t, unit)[0] for _p, t in rows),
    )
    targets.add_column(_("Source / quote"), overflow="fold", ratio=1)
    for label, t in rows:
        point = _point_json(t, k)
        provenance = _text(point["source"] or "–")
        if point["quote"]:
            provenance.append(f"\n“{display.excerpt(point['quote'])}”")
        if t.derived or t.note:
            provenance.append(
                "\n" + (derived if t.derived else "") + display.excerpt(tr(t.note or "")), style="dim"
            )
        targets.add_row(
            label if label != "baseline" else _("{period} (baseline)").format(period=t.period),
            _text(target_text(t, unit)[0]),
            provenance,
        )
    if rows:
        console.print(targets)
    else:
        console.print(_text(_("none: a tracked indicator"), "dim"))

    console.print(_text("\n" + _("Actuals"), "bold underline"))
    if data["actuals"]:
        actuals = Table(header_style="bold", box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD)
        values = [
            (ESTIMATE_MARK if x["estimated"] else "") + display.value(x["value"], unit)
            for x in data["actuals"]
        ]
        actuals.add_column(_("Period") + ("\n" + _("Published") if narrow else ""), no_wrap=True)
        actuals.add_column(_("Value"), justify="right", no_wrap=True, min_width=_widest(values))
        if not narrow:
            actuals.add_column(_("Published"), no_wrap=True)
        actuals.add_column(_("Source / quote"), overflow="fold", ratio=1)
        for x in data["actuals"]:
            mark = ESTIMATE_MARK if x["estimated"] else ""
            provenance = _text(x["source"])
            if x["quote"]:
                provenance.append(f"\n“{display.excerpt(x['quote'])}”")
            if x["derived"] or x["note"]:
                provenance.append(
                    "\n" + (derived if x["derived"] else "") + display.excerpt(tr(x["note"] or "")),
                    style="dim",
                )
            published = display.iso(date.fromisoformat(x["published"])) if x["published"] else "–"
            if x["revises"] is not None:
                published += "\n" + _("revises {value}").format(value=display.value(x["revises"], unit))
            if not x["known"]:
                published += "\n" + _("(not counted at as-of)")
            value = _text(mark + display.value(x["value"], unit))
            if narrow:
                actuals.add_row(_text(f"{x['period']}\n{published}"), value, provenance)
            else:
                actuals.add_row(x["period"], value, _text(published), provenance)
        console.print(actuals)
        if any(x["estimated"] for x in data["actuals"]):
            console.print(_text(_("{mark} marks an estimate.").format(mark=ESTIMATE_MARK), "dim"))
    else:
        console.print(_text(_("none yet"), "dim"))

    console.print(_text("\n" + _("Assessment"), "bold underline"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, v in numbers:
        grid.add_row(label, _text(v, LIGHT_STYLE[a.light] if label == _("Status") else ""))
    console.print(grid)
    console.print(_text("\n" + _("Status rules, in order"), "bold underline"))
    for reason in a.reasons:
        console.print(_text(f"  {tr(reason)}"))


def _level_facts(a: Assessment, unit: str) -> list[tuple[str, str]]:
    """kpi show's lines for a level's trend toward its milestone."""
    if a.slope is not None:
        trend = _("{change} per year (least squares over {n} points)").format(
            change=display.signed(a.slope, unit), n=len(a.points)
        )
    elif a.rate is not None:
        trend = _("{rate}% per year (compound)").format(rate=display.localize(f"{a.rate * 100:+.2f}"))
    else:
        trend = "–"
    return [
        (_("Progress"), display.percent(a.progress)),
        (_("Expected (plan path)"), display.value(a.expected, unit)),
        (_("Trend"), trend),
        (_("Needed per year"), display.signed(a.required_per_year, unit) if a.required_per_year else "–"),
    ]


def _flow_facts(a: Assessment, unit: str) -> list[tuple[str, str]]:
    """kpi show's lines for a flow's year to date, and any KPI's change on a year before."""
    facts = []
    f = a.flow
    if f is not None:
        spans = ", ".join(x.period.text for x in f.ytd.figures)
        facts += [
            (
                _("Year to date"),
                _("{total} ({spans})").format(total=display.value(f.ytd.total, unit), spans=spans),
            ),
            (_("Share of the period elapsed"), display.percent(f.ytd.elapsed_share)),
            (
                _("Pace (attainment / share elapsed)"),
                "–" if f.pace is None else display.localize(f"{f.pace:.2f}"),
            ),
            (
                _("Projected total"),
                "–"
                if f.projection is None
                else f"{display.value(f.projection.value, unit)} ({_(PROJECTION_BASIS[f.projection.basis])})",
            ),
            (_("Needed per month"), display.signed(f.needed_per_month, unit)),
            (_("So far per month"), display.signed(f.so_far_per_month, unit)),
        ]
    if a.yoy is not None:
        facts.append((_("Change on a year before"), display.localize(f"{a.yoy * 100:+.1f}") + "%"))
    return facts


PROJECTION_BASIS = {
    "seasonality": N_("last year's shape"),
    "run rate": N_("run rate"),
    "complete": N_("the period is complete"),
}


def _widest(texts: Iterable[str]) -> int:
    return max((len(line) for text in texts for line in text.split("\n")), default=1)


def _print_chart(console: Console, a: Assessment) -> None:
    from rich.text import Text

    from kpi.termchart import draw

    lines = draw(a, width=console.width)
    if not lines:
        return
    console.print()
    for cells in lines:
        line = Text(no_wrap=True, overflow="crop")
        for glyph, style in cells:
            line.append(glyph, style=style)
        console.print(line)


# --- kpi list ---------------------------------------------------------------------------


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
