"""The assessment's vocabulary: statuses, their traffic lights, which light is worse, and the
words people read for them (English msgids; kpi/i18n.py says them in the user's language).

A module of its own, importing only typing, so the command line can offer these as choices
without loading the assessment.
"""

from typing import Literal, get_args


def N_(msgid: str) -> str:
    """Marks a msgid for extraction (the same as kpi.i18n.N_, without importing it)."""
    return msgid


Status = Literal[
    "achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "moving_away",
    "missed",
    "awaiting_final",
    "insufficient_data",
    "no_data",
    "no_target",
]
Light = Literal["green", "amber", "red", "grey"]

# In the order of the status rules; the same words as the types above, never a second list.
STATUSES: tuple[Status, ...] = get_args(Status)
LIGHTS: tuple[Light, ...] = get_args(Light)
LIGHT_OF: dict[Status, Light] = {
    "achieved": "green",
    "on_track": "green",
    "acceleration_needed": "amber",
    "limited_progress": "red",
    "moving_away": "red",
    # A milestone whose date has passed: its figure met it, or did not; or no figure for its
    # period is known yet. Grey, not amber: a colour is a verdict, and there is none to give
    # until the figure arrives (the latest figure and the projection are shown as estimates).
    "missed": "red",
    "awaiting_final": "grey",
    "insufficient_data": "grey",
    "no_data": "grey",
    "no_target": "grey",
}
# Worse lights sort first: what needs attention leads.
LIGHT_RANK = {"red": 0, "amber": 1, "green": 2, "grey": 3}

STATUS_WORDS = {
    "achieved": N_("achieved"),
    "on_track": N_("on track"),
    "acceleration_needed": N_("acceleration needed"),
    "limited_progress": N_("limited progress"),
    "moving_away": N_("moving away"),
    "missed": N_("missed"),
    "awaiting_final": N_("awaiting final figure"),
    "insufficient_data": N_("insufficient data"),
    "no_data": N_("no data"),
    "no_target": N_("no target"),
}
LIGHT_WORDS = {"green": N_("green"), "amber": N_("amber"), "red": N_("red"), "grey": N_("grey")}
