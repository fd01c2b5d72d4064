"""The words and marks people read for a KPI's state: the lights' symbols, the status in words,
the figure and target as shown, a method's name. The same in every output."""

from __future__ import annotations

import math

from kpi import display
from kpi.assess import Assessment
from kpi.i18n import N_, _
from kpi.model import Target
from kpi.statuses import STATUS_WORDS


def status_word(status: str) -> str:
    return _(STATUS_WORDS[status])


LIGHT_SYMBOL = {"green": "✔", "amber": "▲", "red": "✖", "grey": "○"}


LIGHT_EMOJI = {"green": "🟢", "amber": "🟡", "red": "🔴", "grey": "⚪"}


LIGHT_STYLE = {"green": "green", "amber": "yellow", "red": "red", "grey": "bright_black"}


ESTIMATE_MARK = "~"


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


def attention_facts(a: Assessment) -> str:
    """A red or amber KPI in one line for the meeting's first page: the figure it is judged on,
    the target, the attainment, and the milestones it already missed (never hidden)."""
    latest, latest_period = latest_text(a)
    target, target_period = target_text(a.milestone, a.kpi.unit)
    facts = [
        _("latest {value} ({period})").format(value=latest, period=latest_period)
        if latest_period
        else _("no figure"),
        _("target {value} ({period})").format(value=target, period=target_period) if target_period else "",
        _("attainment {share}").format(share=display.percent(a.attainment))
        if a.attainment is not None
        else "",
    ]
    missed = " ".join(v.target.period.text for v in a.missed_before)
    if missed:
        facts.append(_("missed {periods}").format(periods=missed))
    return " · ".join(f for f in facts if f)


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


PROJECTION_BASIS = {
    "seasonality": N_("last year's shape"),
    "run rate": N_("run rate"),
    "complete": N_("the period is complete"),
}
