"""The shareable report: one self-contained HTML file, or Markdown for a git host.

The HTML carries everything inline (CSS and SVG; no scripts, fonts or requests), so it
opens from an e-mail attachment. Every figure's source and quote is in a tooltip on its
chart mark and in the footnotes under the chart.
"""

import io
from collections.abc import Sequence
from datetime import date
from html import escape

from kpi import __version__, display
from kpi.assess import Assessment, SectorSummary
from kpi.i18n import _, set_language
from kpi.model import Dataset
from kpi.render import (
    ESTIMATE_MARK,
    LIGHT_EMOJI,
    LIGHT_LABEL,
    LIGHT_SYMBOL,
    latest_text,
    markdown_table,
    status_word,
    target_text,
)
from kpi.statuses import LIGHTS
from kpi.svg import chart

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
svg .target { fill: #8250df; } svg .stretch { fill: none; stroke: #8250df; stroke-width: 1.2; }
svg .actual { fill: #1f2328; } svg .estimate { fill: #fff; stroke: #1f2328; stroke-width: 1.5; }
svg .revised { stroke: #cf222e; stroke-width: 2; }
ol.sources { font-size: .8rem; color: #57606a; padding-left: 1.3em; margin: 4px 0 0;
             overflow-wrap: anywhere; }
td:first-child { min-width: 11em; } small.muted, .card .muted { overflow-wrap: anywhere; }
@media (max-width: 600px) { body { padding: 10px; } .word { display: none; } th, td { padding: 5px 4px; } }
.legend span { margin-right: 12px; white-space: nowrap; }
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
) -> str:
    set_language(lang)
    title = dataset.plan.label(lang)
    out = [
        "<!doctype html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_t(title)} — {display.iso(as_of)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>{_t(title)}</h1>",
        '<p class="muted">'
        + _t(
            _("As of {date} · {n} KPIs · made by kpi {version}").format(
                date=display.iso(as_of), n=len(results), version=__version__
            )
        )
        + "</p>",
        '<p class="legend muted">'
        + "".join(f'<span class="{x}">{LIGHT_SYMBOL[x]} {_t(_(LIGHT_LABEL[x]))}</span>' for x in LIGHTS)
        + f"<span>{ESTIMATE_MARK} {_t(_('estimate'))}</span></p></header>",
        "<section><h2>" + _t(_("Summary")) + "</h2>",
        _summary_table(summaries),
        "</section>",
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


def _summary_table(summaries: Sequence[SectorSummary]) -> str:
    head = "".join(
        f'<th class="num {x}">{LIGHT_SYMBOL[x]}<span class="word"> {_t(_(LIGHT_LABEL[x]))}</span></th>'
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
    rows.append(
        f"<tr><td><b>{_t(_('Whole plan'))}</b></td>{cells}"
        f'<td class="num"><b>{sum(totals.values())}</b></td></tr>'
    )
    return (
        f'<div class="scroll"><table><thead><tr><th>{_t(_("Sector"))}</th>{head}'
        f'<th class="num">{_t(_("KPIs"))}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _kpi_table(results: Sequence[Assessment], lang: str) -> str:
    rows = []
    for a in results:
        unit = a.kpi.unit
        latest, latest_period = latest_text(a)
        target, target_period = target_text(a.milestone, unit)
        rows.append(
            "<tr>"
            f"<td>{_t(a.kpi.label(lang))}<br><small class='muted'>{_t(a.kpi.id)} · {_t(unit)}</small></td>"
            f'<td class="num">{_t(latest)}<br><small class="muted">{latest_period}</small></td>'
            f'<td class="num">{_t(target)}<br><small class="muted">{target_period}</small></td>'
            f'<td class="num">{display.percent(a.attainment)}</td>'
            f'<td class="num">{_t(display.value(a.gap, unit))}</td>'
            f'<td class="num">{_t(display.value(a.projected, unit))}</td>'
            f"<td>{_light(a)}</td></tr>"
        )
    head = (
        f'<tr><th>{_t(_("KPI"))}</th><th class="num">{_t(_("Latest"))}</th>'
        f'<th class="num">{_t(_("Target"))}</th><th class="num">{_t(_("Attainment"))}</th>'
        f'<th class="num">{_t(_("Gap"))}</th><th class="num">{_t(_("Projected"))}</th>'
        f"<th>{_t(_('Status'))}</th></tr>"
    )
    return f'<div class="scroll"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'


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
        f'<div class="muted">{_t(k.id)} · {_t(k.unit)} · {_light(a)}</div>'
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
) -> str:
    set_language(lang)
    md = display.markdown_text
    title = dataset.plan.label(lang)
    lines: list[str] = [
        f"# {md(title)}",
        "",
        md(_("As of {date} · {n} KPIs").format(date=display.iso(as_of), n=len(results))),
        "",
    ]

    sink = io.StringIO()
    totals = dict.fromkeys(LIGHTS, 0)
    for s in summaries:
        for x in LIGHTS:
            totals[x] += s.lights[x]
    markdown_table(
        [_("Sector"), *(f"{LIGHT_EMOJI[x]} {_(LIGHT_LABEL[x])}" for x in LIGHTS), _("KPIs")],
        [
            *([md(s.name), *(str(s.lights[x]) for x in LIGHTS), str(s.total)] for s in summaries),
            ["**" + _("Whole plan") + "**", *(str(totals[x]) for x in LIGHTS), str(sum(totals.values()))],
        ],
        sink,
    )
    lines.append(sink.getvalue())
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
