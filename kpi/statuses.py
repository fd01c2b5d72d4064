"""The assessment's vocabulary: statuses, their traffic lights, and which light is worse.

A module of its own, with no imports, so the command line can offer these as choices
without loading the assessment.
"""

STATUSES = (
    "achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "moving_away",
    "insufficient_data",
    "no_data",
    "no_target",
)
LIGHTS = ("green", "amber", "red", "grey")
LIGHT_OF = {
    "achieved": "green",
    "on_track": "green",
    "acceleration_needed": "amber",
    "limited_progress": "red",
    "moving_away": "red",
    "insufficient_data": "grey",
    "no_data": "grey",
    "no_target": "grey",
}
# Worse lights sort first: what needs attention leads.
LIGHT_RANK = {"red": 0, "amber": 1, "green": 2, "grey": 3}
