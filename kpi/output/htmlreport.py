"""The shareable report: one self-contained HTML file, or Markdown for a git host.

The HTML carries everything inline (CSS and SVG; no scripts, fonts or requests), so it
opens from an e-mail attachment. Every figure's source and quote is in a tooltip on its
chart mark and in the footnotes under the chart.
"""

import io
from collections.abc import Sequence
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from kpi import __version__, display
from kpi.assess import Assessment, SectorSummary
from kpi.briefing import light_counts, needs_attention, without_figures
from kpi.i18n import _, set_language
from kpi.model import Dataset
from kpi.output import completeness
from kpi.output.svgchart import chart
from kpi.output.tables import markdown_table
from kpi.output.words import (
    ESTIMATE_MARK,
    LIGHT_EMOJI,
    LIGHT_SYMBOL,
    attention_facts,
    latest_text,
    status_word,
    target_text,
)
from kpi.statuses import LIGHT_WORDS, LIGHTS

if TYPE_CHECKING:
    from kpi.diff import Diff

FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif'
CSS = """
:root { --green: #1a7f37; --amber: #9a6700; --red: #cf222e; --grey: #6e7781; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: FONTS; margin: 0 auto; max-width: 1200px; padding: 16px; color: #1f2328;
       line-height: 1.45; overflow-wrap: break-word; }
h1 { font-size: 1.5rem; margin: 0 0 4px; } h2 { font-size: 1.2rem; margin: 28px 0 8px; }
h3 { font-size: 1rem; margin: 0 0 4px; } .muted { color: var(--grey); font-size: .9rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
.light { white-space: nowrap; font-weight: 600; }
.green { color: var(--green); } .amber { color: var(--amber); } .red { color: var(--red); }
.grey { color: var(--grey); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr));
         gap: 12px; margin-top: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px; min-width: 0; }
svg.chart { width: 100%; height: auto; display: block; margin: 6px 0; }
svg .axis, svg .tick { stroke: #8c959f; fill: none; stroke-width: 1; }
svg .grid { stroke: #d0d7de; stroke-width: 0.5; stroke-dasharray: 2 2; fill: none; }
svg .label { font: 10px FONTS; fill: #57606a; }
svg .plan { stroke: #0969da; stroke-width: 1.5; fill: none; stroke-dasharray: 1 3; stroke-linecap: round; }
svg .trend { stroke: #bf8700; stroke-width: 1.5; fill: none; stroke-dasharray: 5 4; }
svg .break { stroke: #57606a; stroke-width: 1; stroke-dasharray: 4 2; }
svg .target { fill: #8250df; } svg .stretch { fill: none; stroke: #8250df; stroke-width: 1.2; }
svg .actual { fill: #1f2328; } svg .estimate { fill: #fff; stroke: #1f2328; stroke-width: 1.5; }
svg .revised { stroke: #cf222e; stroke-width: 2; }
ol.sources { font-size: .8rem; color: #57606a; padding-left: 1.3em; margin: 4px 0 0;
             overflow-wrap: anywhere; }
td:first-child { min-width: 11em; } small.muted, .card .muted { overflow-wrap: anywhere; }
@media (max-width: 600px) { body { padding: 10px; } .word { display: none; } th, td { padding: 5px 4px; } }
.legend span { margin-right: 12px; white-space: nowrap; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; font-weight: 600; }
.tile b { font-size: 1.4rem; margin-right: 4px; }
ul.brief { margin: 4px 0 8px; padding-left: 1.2em; } ul.brief li { margin: 3px 0; }
.executive h3 { margin-top: 14px; }
@media (max-width: 600px) {
  table.kpis thead { display: none; }
  table.kpis, table.kpis tbody { display: block; }
  table.kpis tr { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); column-gap: 6px;
                  border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.kpis td { border: 0; padding: 2px 0; min-width: 0; text-align: left; }
  table.kpis td.status { order: -1; grid-column: 1 / -1; white-space: normal; }
  table.kpis td.name { grid-column: 1 / -1; }
  table.kpis td.num { white-space: nowrap; }
  table.kpis td.num::before { content: attr(data-label); display: block; color: var(--grey);
                              font-size: .75rem; }
  .scroll { overflow-x: visible; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; } th, td { padding: 3px 5px; } td:first-child { min-width: 0; }
  thead { display: table-header-group; }
  tr, .card, ul.brief li, .tiles { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .light { white-space: normal; }
  .cards { display: block; columns: 3; column-gap: 8px; }
  .card { display: inline-block; width: 100%; margin: 0 0 8px; padding: 6px; }
  ol.sources { font-size: 7pt; }
  .muted, small.muted { font-size: .85em; }
  a { color: inherit; text-decoration: none; }
}
""".replace("FONTS", FONTS)


def _light(a: Assessment) -> str:
    return f'<span class="light {a.light}">{LIGHT_SYMBOL[a.light]} {escape(status_word(a.status))}</span>'


def _t(text: str) -> str:
    return escape(display.printable(text))


def html(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    lang: str,
    as_of: date,
    changes: "Diff | None" = None,
    since: date | None = None,
) -> str:
    set_language(lang)
    title = dataset.plan.label(lang)
    estimate = _("estimate")
    out = [
        "<!doctype html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_t(title)} — {display.iso(as_of)}</title>",
        f"<style>{CSS}{_page_css(title, as_of)}</style></head><body>",
        f"<header><h1>{_t(title)}</h1>",
        '<p class="muted">'
        + _t(
            _("As of {date} · {n} KPIs · made by kpi {version}").format(
                date=display.iso(as_of), n=len(results), version=__version__
            )
        )
        + "</p>",
        '<p class="legend muted">'
        + "".join(f'<span class="{x}">{LIGHT_SYMBOL[x]} {_t(_(LIGHT_WORDS[x]))}</span>' for x in LIGHTS)
        + f"<span>{ESTIMATE_MARK} {_t(estimate)}</span></p></header>",
        _executive(results, lang, changes, since),
        "<section><h2>" + _t(_("Summary")) + "</h2>",
        _summary_table(summaries),
        "</section>",
        completeness.html(dataset, as_of, lang),
    ]
    by_sector: dict[str, list[Assessment]] = {}
    for a in results:
        by_sector.setdefault(a.kpi.sector, []).append(a)
    for summary in summaries:
        rows = by_sector.get(summary.id, [])
        out.append(f'<section id="{escape(summary.id)}"><h2>{_t(summary.name)}</h2>')
        out.append(_kpi_table(rows, lang))
        cards = [_card(a, lang) for a in rows if a.known or a.kpi.targets]
        out.append('<div class="cards">' + "".join(cards) + "</div></section>")
    out.append("</body></html>\n")
    return "\n".join(out)


def _executive(results: Sequence[Assessment], lang: str, changes: "Diff | None", since: date | None) -> str:
    """The first page for a meeting: the light counts, what needs attention (one line each, worst
    first), the targets without any figure, and what changed since a date."""
    counts = light_counts(results)
    tiles = "".join(
        f'<div class="tile {x}"><b>{counts[x]}</b> {LIGHT_SYMBOL[x]} {_t(_(LIGHT_WORDS[x]))}</div>'
        for x in LIGHTS
    )
    glance = _t(_("At a glance"))
    out = [f'<section class="executive"><h2>{glance}</h2><div class="tiles">{tiles}</div>']
    attention = needs_attention(results)
    heading = _t(_("Needs attention"))
    out.append(f"<h3>{heading} ({len(attention)})</h3>")
    if attention:
        out.append('<ul class="brief">' + "".join(_attention_line(a, lang) for a in attention) + "</ul>")
    else:
        none = _t(_("No KPI is red or amber."))
        out.append(f'<p class="muted">{none}</p>')
    without = without_figures(results)
    heading = _t(_("Targets without any figure"))
    out.append(f"<h3>{heading} ({len(without)})</h3>")
    if without:
        items = []
        for a in without:
            target, period = target_text(a.milestone or a.kpi.targets[-1], a.kpi.unit)
            items.append(
                f"<li><b>{_t(a.kpi.label(lang))}</b> <small class='muted'>{_t(a.kpi.id)}</small> — "
                + _t(
                    _("target {value} ({period})").format(
                        value=display.with_unit(target, a.kpi.unit_label(lang)), period=period
                    )
                )
                + "</li>"
            )
        out.append('<ul class="brief">' + "".join(items) + "</ul>")
    if changes is not None and since is not None:
        heading = _t(_("Changed since {date}").format(date=display.iso(since)))
        out.append(f"<h3>{heading}</h3>")
        out.append(_changes(changes, lang))
    out.append("</section>")
    return "".join(out)


def _attention_line(a: Assessment, lang: str) -> str:
    text = attention_facts(a)
    return (
        f"<li>{_light(a)} <b>{_t(a.kpi.label(lang))}</b> <small class='muted'>{_t(a.kpi.id)}</small>"
        f"<br><span class='muted'>{_t(text)}</span></li>"
    )


def change_items(changes: "Diff", lang: str) -> list[tuple[str, str]]:
    """What changed, one (what, how) pair per line: a KPI's status, then each new or revised figure.
    The HTML, Markdown and Word reports say the same."""
    items = []
    for c in changes.statuses:
        was = "–" if c.before is None else f"{LIGHT_SYMBOL[c.before.light]} {status_word(c.before.status)}"
        now = "–" if c.after is None else f"{LIGHT_SYMBOL[c.after.light]} {status_word(c.after.status)}"
        items.append((c.kpi.label(lang), f"{was} → {now}"))
    for f in changes.figures:
        if f.after is None:
            continue
        value = display.value(f.after.value)
        if f.before is None:
            text = _("{kpi} {period}: new figure {value}").format(kpi=f.kpi, period=f.period, value=value)
        else:
            text = _("{kpi} {period}: revised {old} → {new}").format(
                kpi=f.kpi, period=f.period, old=display.value(f.before.value), new=value
            )
        what, _sep, how = text.partition(": ")
        items.append((what, how))
    return items


def _changes(changes: "Diff", lang: str) -> str:
    items = [f"<li><b>{_t(what)}</b>: {_t(how)}</li>" for what, how in change_items(changes, lang)]
    if not items:
        nothing = _t(_("Nothing changed."))
        return f'<p class="muted">{nothing}</p>'
    return '<ul class="brief">' + "".join(items) + "</ul>"


def _css_string(text: str) -> str:
    """Text as a CSS string: every character that is not a letter, digit or space escaped, so
    that nothing in a plan's name can end the string or the style sheet."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def _page_css(title: str, as_of: date) -> str:
    """Printed pages: A4, the plan and as-of date at the top, page numbers at the bottom."""
    header = _css_string(display.printable(f"{title} — {display.iso(as_of)}"))
    return (
        "@page { size: A4; margin: 14mm 11mm 14mm; "
        f"@top-left {{ content: {header}; font: 8pt {FONTS}; color: #57606a; }} "
        '@bottom-right { content: counter(page) " / " counter(pages); '
        f"font: 8pt {FONTS}; color: #57606a; }} }}"
    )


def _summary_table(summaries: Sequence[SectorSummary]) -> str:
    head = "".join(
        f'<th class="num {x}">{LIGHT_SYMBOL[x]}<span class="word"> {_t(_(LIGHT_WORDS[x]))}</span></th>'
        for x in LIGHTS
    )
    rows = []
    totals = dict.fromkeys(LIGHTS, 0)
    for s in summaries:
        for x in LIGHTS:
            totals[x] += s.lights[x]
        cells = "".join(f'<td class="num">{s.lights[x]}</td>' for x in LIGHTS)
        rows.append(
            f'<tr><td><a href="#{escape(s.id)}">{_t(s.name)}</a></td>{cells}'
            f'<td class="num">{s.total}</td></tr>'
        )
    cells = "".join(f'<td class="num"><b>{totals[x]}</b></td>' for x in LIGHTS)
    whole, sector, kpis = _t(_("Whole plan")), _t(_("Sector")), _t(_("KPIs"))
    rows.append(f'<tr><td><b>{whole}</b></td>{cells}<td class="num"><b>{sum(totals.values())}</b></td></tr>')
    return (
        f'<div class="scroll"><table><thead><tr><th>{sector}</th>{head}'
        f'<th class="num">{kpis}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _kpi_table(results: Sequence[Assessment], lang: str) -> str:
    labels = [_t(_("Latest")), _t(_("Target")), _t(_("Attainment")), _t(_("Gap")), _t(_("Projected"))]
    kpi, status = _t(_("KPI")), _t(_("Status"))
    rows = []
    for a in results:
        unit = a.kpi.unit
        latest, latest_period = latest_text(a)
        target, target_period = target_text(a.milestone, unit)
        rows.append(
            "<tr>"
            f"<td class='name'>{_t(a.kpi.label(lang))}<br>"
            f"<small class='muted'>{_t(a.kpi.id)} · {_t(a.kpi.unit_label(lang))}</small></td>"
            f'<td class="num" data-label="{labels[0]}">{_t(latest)}<br>'
            f'<small class="muted">{latest_period}</small></td>'
            f'<td class="num" data-label="{labels[1]}">{_t(target)}<br>'
            f'<small class="muted">{target_period}</small></td>'
            f'<td class="num" data-label="{labels[2]}">{display.percent(a.attainment)}</td>'
            f'<td class="num" data-label="{labels[3]}">{_t(display.value(a.gap, unit))}</td>'
            f'<td class="num" data-label="{labels[4]}">{_t(display.value(a.projected, unit))}</td>'
            f'<td class="status">{_light(a)}</td></tr>'
        )
    head = (
        f'<tr><th>{kpi}</th><th class="num">{labels[0]}</th><th class="num">{labels[1]}</th>'
        f'<th class="num">{labels[2]}</th><th class="num">{labels[3]}</th><th class="num">{labels[4]}</th>'
        f"<th>{status}</th></tr>"
    )
    return (
        f'<div class="scroll"><table class="kpis"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _card(a: Assessment, lang: str) -> str:
    k = a.kpi
    notes = []
    for t in k.targets:
        source, quote = t.source or k.source, t.quote or k.quote
        value = target_text(t, k.unit)[0]
        derived = " " + _("(derived)") if t.derived else ""
        notes.append(
            _footnote(
                _("Target {period}: {value}").format(period=t.period, value=value) + derived, source, quote
            )
        )
    for x in a.known:
        mark = ESTIMATE_MARK if x.estimated else ""
        derived = " " + _("(derived)") if x.derived else ""
        notes.append(
            _footnote(f"{x.period}: {mark}{display.value(x.value, k.unit)}{derived}", x.source, x.quote)
        )
    return (
        f'<article class="card"><h3>{_t(k.label(lang))}</h3>'
        f'<div class="muted">{_t(k.id)} · {_t(k.unit_label(lang))} · {_light(a)}</div>'
        f"{chart(a)}"
        f'<ol class="sources">{"".join(notes)}</ol></article>'
    )


def _footnote(what: str, source: str | None, quote: str | None) -> str:
    text = f"<li>{_t(what)}"
    if source:
        text += f" — {_t(source)}"
    if quote:
        text += f": <q>{_t(quote)}</q>"
    return text + "</li>"


def markdown(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    lang: str,
    as_of: date,
    changes: "Diff | None" = None,
    since: date | None = None,
) -> str:
    set_language(lang)
    md = display.markdown_text
    title = dataset.plan.label(lang)
    lines: list[str] = [
        f"# {md(title)}",
        "",
        md(_("As of {date} · {n} KPIs").format(date=display.iso(as_of), n=len(results))),
        "",
        *_markdown_first_page(results, lang, changes, since),
    ]

    sink = io.StringIO()
    totals = dict.fromkeys(LIGHTS, 0)
    for s in summaries:
        for x in LIGHTS:
            totals[x] += s.lights[x]
    markdown_table(
        [_("Sector"), *(f"{LIGHT_EMOJI[x]} {_(LIGHT_WORDS[x])}" for x in LIGHTS), _("KPIs")],
        [
            *([md(s.name), *(str(s.lights[x]) for x in LIGHTS), str(s.total)] for s in summaries),
            ["**" + _("Whole plan") + "**", *(str(totals[x]) for x in LIGHTS), str(sum(totals.values()))],
        ],
        sink,
    )
    lines.append(sink.getvalue())
    lines += completeness.markdown(dataset, as_of, lang)
    by_sector: dict[str, list[Assessment]] = {}
    for a in results:
        by_sector.setdefault(a.kpi.sector, []).append(a)
    for s in summaries:
        sink = io.StringIO()
        rows = []
        for a in by_sector.get(s.id, []):
            latest, latest_period = latest_text(a)
            target, target_period = target_text(a.milestone, a.kpi.unit)
            rows.append(
                [
                    f"{md(a.kpi.label(lang))}<br>`{a.kpi.id}`",
                    f"{md(latest)} ({latest_period})" if latest_period else "–",
                    f"{md(target)} ({target_period})" if target_period else "–",
                    display.percent(a.attainment),
                    md(display.value(a.gap, a.kpi.unit)),
                    f"{LIGHT_EMOJI[a.light]} {status_word(a.status)}",
                ]
            )
        markdown_table(
            [_("KPI"), _("Latest"), _("Target"), _("Attainment"), _("Gap"), _("Status")], rows, sink
        )
        lines += ["", f"## {md(s.name)}", "", sink.getvalue()]
    lines += [
        "",
        md(_("{mark} marks an estimate. Sources and quotes: kpi show KPI_ID.").format(mark=ESTIMATE_MARK)),
        "",
    ]
    return "\n".join(lines)


def _markdown_first_page(
    results: Sequence[Assessment], lang: str, changes: "Diff | None", since: date | None
) -> list[str]:
    """The meeting's first page in Markdown: what the HTML report's first page says."""
    md = display.markdown_text
    counts = light_counts(results)
    lines = [" · ".join(f"{LIGHT_EMOJI[x]} {md(_(LIGHT_WORDS[x]))}: {counts[x]}" for x in LIGHTS), ""]
    attention = needs_attention(results)
    heading = _("Needs attention")
    lines += [f"## {md(heading)} ({len(attention)})", ""]
    for a in attention:
        status = f"{LIGHT_EMOJI[a.light]} {status_word(a.status)}"
        lines.append(f"- {md(status)} **{md(a.kpi.label(lang))}** `{a.kpi.id}` — {md(attention_facts(a))}")
    without = without_figures(results)
    heading = _("Targets without any figure")
    lines += ["", f"## {md(heading)} ({len(without)})", ""]
    for a in without:
        target, period = target_text(a.milestone or a.kpi.targets[-1], a.kpi.unit)
        what = _("target {value} ({period})").format(
            value=display.with_unit(target, a.kpi.unit_label(lang)), period=period
        )
        lines.append(f"- **{md(a.kpi.label(lang))}** `{a.kpi.id}` — {md(what)}")
    if changes is not None and since is not None:
        heading = _("Changed since {date}").format(date=display.iso(since))
        lines += ["", f"## {md(heading)}", ""]
        items = change_items(changes, lang)
        lines += [f"- **{md(what)}**: {md(how)}" for what, how in items] or [md(_("Nothing changed."))]
    return [*lines, ""]
