"""`kpi status --format svg`: the status as a clean picture for a slide.

A light page with the plan's name and date, the light counts, and one row per KPI shown (the
red and amber ones first, as the table shows them). Hand-written SVG: no terminal chrome, no
web font and no network reference; the font stack names system fonts that carry precomposed
Vietnamese letters, and every text is in NFC form, so "Kế hoạch" never renders as "Kê ́hoạch".
"""

import unicodedata
from collections.abc import Sequence
from datetime import date
from html import escape

from kpi import display
from kpi.assess import Assessment, SectorSummary
from kpi.briefing import attention_order, readable_rows
from kpi.i18n import _, ngettext
from kpi.model import Dataset
from kpi.output.words import LIGHT_SYMBOL, latest_text, status_word, target_text
from kpi.statuses import LIGHT_WORDS, LIGHTS

FONTS = '"Noto Sans", "Segoe UI", "DejaVu Sans", "Liberation Sans", Roboto, Arial, sans-serif'
COLOURS = {"green": "#1a7f37", "amber": "#9a6700", "red": "#cf222e", "grey": "#6e7781"}
FILLS = {"green": "#dafbe1", "amber": "#fff8c5", "red": "#ffebe9", "grey": "#f6f8fa"}
WIDTH = 1280
ROW = 34
NAME_WIDTH = 470  # pixels of name at 17 px before it is cut with …


def _t(text: str) -> str:
    return escape(display.printable(text))


def _width(text: str, size: float, bold: bool = False) -> float:
    """About how wide a text is drawn at a font size: wide characters (CJK, emoji) take a full em,
    the rest a bit over half of one."""
    em = 0.0
    for char in display.printable(text):
        wide = unicodedata.east_asian_width(char) in "WF" or ord(char) >= 0x1F000
        em += 1.05 if wide else 0.0 if unicodedata.combining(char) else 0.56
    return em * size * (1.06 if bold else 1.0)


def _fit(text: str, room: float, size: float, bold: bool = False) -> str:
    """The text, cut with … to fit room pixels (after the NFC form: never inside a letter)."""
    text = " ".join(display.printable(text).split())
    if _width(text, size, bold) <= room:
        return text
    while text and _width(text + "…", size, bold) > room:
        text = text[:-1]
    return text.rstrip() + "…"


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
    shown, more, hidden = readable_rows(attention_order(results), show_all)
    what = _("{n} of them red or amber").format(n=hidden) if hidden else _("all green or grey")
    subtitle = (
        _("As of {date}").format(date=display.iso(as_of))
        + " · "
        + ngettext("{n} KPI", "{n} KPIs", len(results)).format(n=len(results))
    )
    rows = []
    for a in shown:
        latest, latest_period = latest_text(a)
        target, target_period = target_text(a.milestone, a.kpi.unit)
        rows.append(
            (
                _fit(a.kpi.label(lang), NAME_WIDTH, 17),
                f"{latest} ({latest_period})" if latest_period else latest,
                f"{target} ({target_period})" if target_period else target,
                display.percent(a.attainment),
                f"{LIGHT_SYMBOL[a.light]} {status_word(a.status)}",
                COLOURS[a.light],
            )
        )
    titles = (_("KPI"), _("Latest"), _("Target"), _("Att."), _("Status"))
    # Each column as wide as its widest text (measured roughly from the font size), so that long
    # figures and statuses never run into each other or off the picture.
    widths = [
        max([_width(titles[n], 15, bold=True)] + [_width(str(r[n]), 17, bold=n == 4) for r in rows])
        for n in range(5)
    ]
    gap = 28
    name_end = 40 + widths[0]
    latest_x = name_end + gap + widths[1]
    target_x = latest_x + gap + widths[2]
    att_x = target_x + gap + widths[3]
    status_x = att_x + gap
    width = max(WIDTH, int(status_x + widths[4] + 40))
    top = 150
    height = top + 44 + ROW * len(shown) + (40 if more else 16)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONTS}\' role="img" '
        f'aria-label="{_t(dataset.plan.label(lang))}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="40" y="52" font-size="26" font-weight="700" fill="#1f2328">'
        f"{_t(_fit(dataset.plan.label(lang), width - 80, 26, bold=True))}</text>",
        f'<text x="40" y="80" font-size="16" fill="#57606a">{_t(subtitle)}</text>',
    ]
    for n, light in enumerate(LIGHTS):
        tile = 40 + n * 200
        fill, colour = FILLS[light], COLOURS[light]
        out.append(
            f'<rect x="{tile}" y="98" width="184" height="38" rx="8" fill="{fill}" stroke="{colour}"/>'
            f'<text x="{tile + 14}" y="124" font-size="20" font-weight="700" fill="{COLOURS[light]}">'
            f"{counts[light]}  {LIGHT_SYMBOL[light]} {_t(_(LIGHT_WORDS[light]))}</text>"
        )
    places = ((40, "start"), (latest_x, "end"), (target_x, "end"), (att_x, "end"), (status_x, "start"))
    y = top + 24
    for (x, anchor), title in zip(places, titles, strict=True):
        out.append(
            f'<text x="{x:.0f}" y="{y}" font-size="15" font-weight="700" fill="#57606a" '
            f'text-anchor="{anchor}">{_t(title)}</text>'
        )
    out.append(f'<path d="M40,{y + 10} H{width - 40}" stroke="#d0d7de"/>')
    for n, row in enumerate(rows):
        y = top + 44 + ROW * n + 22
        if n % 2:
            out.append(f'<rect x="32" y="{y - 23}" width="{width - 64}" height="{ROW}" fill="#f6f8fa"/>')
        colour = row[5]
        for column, ((x, anchor), text) in enumerate(zip(places, row[:5], strict=True)):
            fill, weight = (colour, ' font-weight="700"') if column == 4 else ("#1f2328", "")
            out.append(
                f'<text x="{x:.0f}" y="{y}" font-size="17" fill="{fill}" text-anchor="{anchor}"{weight}>'
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
