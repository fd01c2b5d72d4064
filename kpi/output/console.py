"""The terminal: Rich tables whose numbers, lights and ids are never cut, the two-line layout of
a narrow terminal, and a stream that drops Rich's padding when piped. Rich is imported here
(and lazily: `--format json` never loads it). Every piece of data text goes into Rich as a Text,
so a KPI called [bold]x[/] prints as written."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import IO, TYPE_CHECKING, Any, TypeAlias, cast

from kpi import display
from kpi.assess import Assessment, SectorSummary
from kpi.briefing import attention_order, readable_rows
from kpi.i18n import N_, _, ngettext
from kpi.model import Dataset
from kpi.statuses import LIGHT_WORDS, LIGHTS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text
from kpi.output.tables import (
    _plan_title,
    _summary_counts,
)
from kpi.output.words import (
    ESTIMATE_MARK,
    LIGHT_STYLE,
    LIGHT_SYMBOL,
    _status_text,
    latest_text,
    target_text,
)


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


def _status_table(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    lang: str,
    as_of: date,
    console: Console,
    show_all: bool,
    owners: dict[str, str] | None = None,
) -> None:
    """The status table; with owners (a plan that declares them), each KPI's owner under its id."""
    from rich.cells import cell_len
    from rich.table import Table

    console.print(_text(_plan_title(dataset, lang, as_of), "bold"))
    total = _summary_counts(summaries)
    rows = [(_text(s.name), s.lights, s.total) for s in summaries]
    whole = _text(_("Whole plan"), "bold")
    rows.append((whole, total, sum(total.values())))
    headers = [f"{LIGHT_SYMBOL[light]} {_(LIGHT_WORDS[light])}" for light in LIGHTS]
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

    shown, hidden, hidden_attention = readable_rows(results, show_all)
    footer = ""
    if hidden:
        what = (
            _("{n} of them red or amber").format(n=display.localize(f"{hidden_attention:,}"))
            if hidden_attention
            else _("all green or grey")
        )
        footer = _(
            "{n} more KPIs not shown ({what}); --all shows every row, "
            "--status LIGHT or --sector ID narrows the list."
        ).format(n=display.localize(f"{hidden:,}"), what=what)
    if shown:
        titles = tuple(_(t) for t in STATUS_TITLES)
        print_rows(
            console,
            titles,
            _kpi_table(dataset, attention_order(shown), lang, owners),
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


def _kpi_table(
    dataset: Dataset, results: Sequence[Assessment], lang: str, owners: dict[str, str] | None = None
) -> list[Row]:
    order = {sid: n for n, sid in enumerate(dataset.sectors)}
    by_sector: dict[str, list[Assessment]] = {}
    for a in results:
        by_sector.setdefault(a.kpi.sector, []).append(a)
    rows: list[Row] = []
    for sid in sorted(by_sector, key=lambda s: order.get(s, len(order))):
        sector = dataset.sectors.get(sid)
        rows.append(_text(sector.label(lang) if sector else sid, "bold underline"))
        rows.extend(_kpi_cells(a, lang, (owners or {}).get(a.kpi.id)) for a in by_sector[sid])
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
    """A KPI in two lines: its name (wrapped between words) and, at the right, its status;
    then its id, whole, and the figures, wrapped between items, never inside one."""
    from rich.cells import cell_len
    from rich.text import Text

    name, _sep, id_line = kpi.plain.partition("\n")
    width = console.width
    right = right.copy()
    right.plain = right.plain.split("\n")[0]
    room = width - right.cell_len - 2
    if room >= 8:
        # The name wraps between words: its first line beside the status, the rest below it.
        lines = _wrap_words(name, room, width)
        line = Text(lines[0])
        line.append(" " * (width - cell_len(lines[0]) - right.cell_len))
        line.append_text(right)
        console.print(line, no_wrap=True, overflow="ignore", crop=False)
        for rest in lines[1:]:
            console.print(Text(rest), no_wrap=True, overflow="ignore", crop=False)
    else:
        for part in _wrap_words(name, width, width):
            console.print(Text(part), no_wrap=True, overflow="ignore", crop=False)
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


def _wrap_words(text: str, first: int, width: int) -> list[str]:
    """Lines of at most first cells, then width cells, broken between words (a word longer
    than a line is cut across lines)."""
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    line = ""
    for word in text.split():
        limit = first if not lines else width
        if line and cell_len(line) + 1 + cell_len(word) <= limit:
            line += " " + word
            continue
        if line or (not lines and limit < cell_len(word) <= width):
            # A word too long for the first line's room, that a whole line holds, starts the
            # next line (the first keeps the status alone) rather than being cut.
            lines.append(line)
            limit = width
        line = word
        while cell_len(line) > limit:  # a word wider than the line: cut across lines
            head = chop_cells(line, max(limit, 1))[0]
            lines.append(head)
            line, limit = line[len(head) :], width
    lines.append(line)
    return lines


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
    name.append(f"\n{display.printable(a.kpi.id)} ({display.printable(a.kpi.unit_label(lang))})", style="dim")
    return name


def _kpi_cells(a: Assessment, lang: str, owner: str | None = None) -> list[Text]:
    from rich.text import Text

    unit = a.kpi.unit
    name = _kpi_name(a, lang)
    if owner is not None:
        name.append(f"\n{display.printable(owner)}", style="dim")
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


def _widest(texts: Iterable[str]) -> int:
    return max((len(line) for text in texts for line in text.split("\n")), default=1)


def _print_chart(console: Console, a: Assessment) -> None:
    from rich.text import Text

    from kpi.output.termchart import draw

    lines = draw(a, width=console.width)
    if not lines:
        return
    console.print()
    for cells in lines:
        line = Text(no_wrap=True, overflow="crop")
        for glyph, style in cells:
            line.append(glyph, style=style)
        console.print(line)
