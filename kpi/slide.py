"""`kpi status --format svg`: the status as a clean picture for a slide.

A light page with the plan's name and date, the light counts, and one row per KPI shown (the
red and amber ones first, as the table shows them). Hand-written SVG: no terminal chrome, no
web font and no network reference; the font stack names system fonts that carry precomposed
Vietnamese letters, and every text is in NFC form, so "Kế hoạch" never renders as "Kê ́hoạch".
"""

from collections.abc import Sequence
from datetime import date
from html import escape

from kpi import display
from kpi.assess import Assessment, SectorSummary
from kpi.briefing import attention_order
from kpi.i18n import _, ngettext
from kpi.model import Dataset
from kpi.render import LIGHT_LABEL, LIGHT_SYMBOL, READABLE_ROWS, latest_text, status_word, target_text
from kpi.statuses import LIGHTS

FONTS = '"Noto Sans", "Segoe UI", "DejaVu Sans", "Liberation Sans", Roboto, Arial, sans-serif'
COLOURS = {"green": "#1a7f37", "amber": "#9a6700", "red": "#cf222e", "grey": "#6e7781"}
FILLS = {"green": "#dafbe1", "amber": "#fff8c5", "red": "#ffebe9", "grey": "#f6f8fa"}
WIDTH = 1280
ROW = 34
NAME_CHARS = 46  # what the name column holds at 17 px before it is cut with …


def _t(text: str) -> str:
    return escape(display.printable(text))


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def status_svg(
    dataset: Dataset,
    results: Sequence[Assessment],
    summaries: Sequence[SectorSummary],
    lang: str,
    as_of: date,
    show_all: bool = False,
) -> str:
    counts = dict.fromkeys(LIGHTS, 0)
    for s in summaries:
        for light in LIGHTS:
            counts[light] += s.lights[light]
    shown = attention_order(results)
    more = 0
    what = ""
    if not show_all and len(shown) > READABLE_ROWS:
        attention = [a for a in shown if a.light in ("red", "amber")]
        shown = attention[:READABLE_ROWS]
        more = len(results) - len(shown)
        hidden = len(attention) - len(shown)
        what = _("{n} of them red or amber").format(n=hidden) if hidden else _("all green or grey")
    subtitle = (
        _("As of {date}").format(date=display.iso(as_of))
        + " · "
        + ngettext("{n} KPI", "{n} KPIs", len(results)).format(n=len(results))
    )
    top = 150
    height = top + 44 + ROW * len(shown) + (40 if more else 16)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family=\'{FONTS}\' role="img" '
        f'aria-label="{_t(dataset.plan.label(lang))}">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="40" y="52" font-size="26" font-weight="700" fill="#1f2328">'
        f"{_t(_cut(dataset.plan.label(lang), 80))}</text>",
        f'<text x="40" y="80" font-size="16" fill="#57606a">{_t(subtitle)}</text>',
    ]
    for n, light in enumerate(LIGHTS):
        x = 40 + n * 200
        fill, colour = FILLS[light], COLOURS[light]
        out.append(
            f'<rect x="{x}" y="98" width="184" height="38" rx="8" fill="{fill}" stroke="{colour}"/>'
            f'<text x="{x + 14}" y="124" font-size="20" font-weight="700" fill="{COLOURS[light]}">'
            f"{counts[light]}  {LIGHT_SYMBOL[light]} {_t(_(LIGHT_LABEL[light]))}</text>"
        )
    columns = ((40, "start", _("KPI")), (690, "end", _("Latest")), (900, "end", _("Target")),
               (1000, "end", _("Att.")), (1025, "start", _("Status")))  # fmt: skip
    y = top + 24
    for x, anchor, title in columns:
        out.append(
            f'<text x="{x}" y="{y}" font-size="15" font-weight="700" fill="#57606a" '
            f'text-anchor="{anchor}">{_t(title)}</text>'
        )
    out.append(f'<path d="M40,{y + 10} H{WIDTH - 40}" stroke="#d0d7de"/>')
    for n, a in enumerate(shown):
        y = top + 44 + ROW * n + 22
        latest, latest_period = latest_text(a)
        target, target_period = target_text(a.milestone, a.kpi.unit)
        cells = (
            (40, "start", _cut(a.kpi.label(lang), NAME_CHARS), "#1f2328"),
            (690, "end", f"{latest} ({latest_period})" if latest_period else latest, "#1f2328"),
            (900, "end", f"{target} ({target_period})" if target_period else target, "#1f2328"),
            (1000, "end", display.percent(a.attainment), "#1f2328"),
            (1025, "start", f"{LIGHT_SYMBOL[a.light]} {status_word(a.status)}", COLOURS[a.light]),
        )
        if n % 2:
            out.append(f'<rect x="32" y="{y - 23}" width="{WIDTH - 64}" height="{ROW}" fill="#f6f8fa"/>')
        for x, anchor, text, colour in cells:
            weight = ' font-weight="700"' if colour != "#1f2328" else ""
            out.append(
                f'<text x="{x}" y="{y}" font-size="17" fill="{colour}" text-anchor="{anchor}"{weight}>'
                f"{_t(text)}</text>"
            )
    if more:
        y = top + 44 + ROW * len(shown) + 24
        note = _("{n} more KPIs not shown ({what}); kpi status --all --format svg shows every row").format(
            n=more, what=what
        )
        out.append(f'<text x="40" y="{y}" font-size="15" fill="#57606a">{_t(note)}</text>')
    out.append("</svg>\n")
    return "\n".join(out)
