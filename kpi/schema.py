"""The format of targets.toml and actuals.toml, defined once.

The loader checks each table's keys and value types from these definitions (loader.checkers),
and `kpi schema` turns the same definitions into JSON Schema for editors (taplo, Even Better
TOML), so the two cannot drift. The schema checks shape only; what needs the whole plan (a
KPI's sector exists, a stretch lies beyond its target, a period parses) stays the loader's.
"""

from __future__ import annotations

from typing import Any

from kpi.model import METHODS

# A field is (kind, description); a kind is a name below or a tuple of allowed strings.
Kind = str | tuple[str, ...]
Field = tuple[Kind, str]

# The patterns the loader matches too (anchored here with \Z-free ^...$ for JSON Schema).
KPI_ID = r"^[a-z0-9_.-]+$"
SECTOR_ID = r"^[a-z][a-z0-9_]*$"
PLAN_PERIOD = r"^[0-9]{4}-[0-9]{4}$"
SAME_PERIOD = "same period last year"
PERIOD = r"^[0-9]{4}(-(H[12]|Q[1-4]|(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?))?$"

PLAN: dict[str, Field] = {
    "name": ("text", "The plan's name, as in the document that set it."),
    "name_en": ("text", "The plan's name in English."),
    "period": ("plan_period", 'The plan\'s period: first year-last year, e.g. "2021-2025".'),
    "lang": (("vi", "en"), "Language of what kpi prints for this plan."),
}
ASSESSMENT: dict[str, Field] = {
    "on_track": ("fraction", "Share of the progress needed at or above which a KPI is green."),
    "acceleration_needed": ("fraction", "Share at or above which a KPI is amber; below it, red."),
    "method": (METHODS, "How progress is judged: linear, compound or Open SDG's cagr."),
    "base_period": ("period", "The period progress is measured from (cagr's base year)."),
    "grade_without_target": ("boolean", "Grade a KPI by its trend even without a target."),
    "min_coverage": ("coverage", "Share of units with a figure for a combined value to be graded (1.0)."),
}
FILES: dict[str, Field] = {
    "actuals": ("globs", 'The actuals files, relative to targets.toml: "actuals/*.toml" or a list of them.'),
    "record_to": ("text", "The file kpi record and kpi import add figures to, one the actuals name."),
    "orgs": ("text", "A file of [[org]], [[merge]] and [[rename]] tables, relative to targets.toml."),
}
ORG: dict[str, Field] = {
    "id": ("org_id", "Unique id, e.g. hai-phong; a unit keeps it through a rename."),
    "name": ("text", "The unit's name (its current one)."),
    "name_en": ("text", "The unit's name in English."),
    "parent": ("org_id", "The id of the unit it belongs to; none for the root (the country)."),
    "valid_from": ("day", "The unit's first day, when it has not always existed."),
    "valid_until": ("day", 'The unit\'s last day ("đến hết ngày 30/6/2025").'),
    "code": ("text", "An official code, when a source gives one."),
    "note": ("string", "Anything a reader should know."),
}
MERGE: dict[str, Field] = {
    "date": ("day", "The first day of the unit merged into (2025-07-01)."),
    "from": ("org_ids", "The units merged: each is valid until the day before."),
    "into": ("org_id", "The unit they become: valid from the date."),
    "source": ("text", "The document that decides the merge."),
    "quote": ("text", "The fragment of the source stating it."),
}
RENAME: dict[str, Field] = {
    "org": ("org_id", "The unit renamed: its id and its figures stay."),
    "date": ("day", "The first day of the new name."),
    "from": ("text", "The name until the day before."),
    "source": ("text", "The document that decides the rename."),
    "quote": ("text", "The fragment of the source stating it."),
}
SECTOR: dict[str, Field] = {
    "name": ("text", "The sector's name."),
    "name_en": ("text", "The sector's name in English."),
    "note": ("string", "Anything a reader should know."),
    "owner": ("string", "The owner ([owners.ID]) of its KPIs, unless a rule or the KPI says otherwise."),
}
FREQUENCIES = ("monthly", "quarterly", "half-yearly", "annual", "irregular")
REPORTING: dict[str, Field] = {
    "frequency": (FREQUENCIES, "How often a figure is due."),
    "due": (
        "due",
        "When: { days = N } after the period, or { months = M, day = D } (day D of month M after).",
    ),
    "cutoff": (
        ("calendar", "15-14"),
        'A month from the 1st to its last day, or from the 15th to the 14th ("15-14").',
    ),
    "reporting_from": ("period", "The first period a figure is due for."),
    "next_release": ("day", "For an irregular KPI: when the next figure is expected."),
    "reported_by": (("plan", "units"), "units: every unit owes its own figure (with [[org]])."),
}
OWNER: dict[str, Field] = {
    "name": ("text", "The owner's name (a department, a unit)."),
    "name_en": ("text", "The owner's name in English."),
    "parent": ("text", "The owner it belongs to (a department's ministry)."),
    "contact": ("string", "Who to ask, free text."),
    "email": ("string", "Where reminders go, free text."),
    "from": ("day", "The first day it owns anything."),
    "until": ("day", "Its last day."),
    "successor": ("text", "The owner that takes over after its last day."),
}
OWNER_RULE: dict[str, Field] = {
    "pattern": ("text", 'KPI ids it matches: "digital.egov_*" (the last rule that matches wins).'),
    "owner": ("string", 'The owner; "" for explicitly unowned.'),
}
TARGET: dict[str, Field] = {
    "period": ("period", "The milestone: 2025, 2025-H1, 2025-Q3, 2025-06 or 2025-06-30."),
    "value": ("number", "The value to reach by the end of the period."),
    "stretch": ("number", "An ambition beyond the target."),
    "source": ("text", "The document that sets the target."),
    "quote": ("text", "The fragment of the source stating the target."),
    "note": ("string", "Anything a reader should know."),
    "derived": ("boolean", "Computed from what the source states, not stated itself."),
}
UNIT_TARGET: dict[str, Field] = {
    "kpi": ("kpi_id", "The KPI the target is for."),
    "org": ("org_id", "The unit the target is set for (an [[org]] id)."),
    **TARGET,
}
KPI: dict[str, Field] = {
    "id": ("kpi_id", "Unique id, e.g. telecom.fiber_households."),
    "sector": ("sector_id", "The id of a sector in [sectors]."),
    "name": ("text", "The KPI's name."),
    "name_en": ("text", "The KPI's name in English."),
    "unit": ("string", 'Shown after figures: "%", "tỷ đồng", "hạng".'),
    "unit_en": ("text", 'The unit in English: "billion VND", "rank".'),
    "direction": (("up", "down"), "up: higher is better; down: lower is better."),
    "trend": (("linear", "compound"), "How the projection extends the figures."),
    "method": (METHODS, "How progress is judged, for this KPI."),
    "base_period": ("period", "The period progress is measured from, for this KPI."),
    "measure": (("level", "flow"), "level: a state at a date; flow: an amount over a period (revenue)."),
    "derived_from": ("kpi_id", "The KPI this one is computed from (with formula)."),
    "formula": (("growth",), "growth: year-on-year growth of derived_from, in %."),
    "aggregate": (
        "aggregate",
        'How units combine: "sum", { ratio = ["num", "den"], factor = 100 }, { mean = "weight" }, "none".',
    ),
    "basis": (("units",), 'units: the KPI counts units ("59 provinces"); its series breaks at a merge.'),
    "org_targets": (("inherit",), "inherit: a unit without its own target is judged against the plan's."),
    "owner": ("string", 'Who reports it ([owners.ID]); "" for explicitly unowned.'),
    "owners": ("owners", "Owners over time: [{ owner, from, until }]."),
    **REPORTING,
    "min": ("number", "The smallest value a figure can take."),
    "max": ("number", "The largest value a figure can take."),
    "baseline": ("target", "The starting point: a period and value before the first target."),
    "targets": ("targets", "The targets at milestone periods."),
    "source": ("text", "The document that sets the KPI."),
    "quote": ("text", "The fragment of the source stating it."),
    "note": ("string", "Anything a reader should know."),
}
ACTUAL: dict[str, Field] = {
    "kpi": ("kpi_id", "The id of a KPI in targets.toml."),
    "period": ("period", "The period the figure is for."),
    "value": ("number", "The figure."),
    "estimated": ("boolean", 'The source calls it an estimate ("ước đạt").'),
    "published": ("date", "When the figure was reported, e.g. 2024-07-29 (without quotes)."),
    "source": ("text", "Where the figure comes from."),
    "quote": ("text", "The fragment of the source stating the figure."),
    "derived": ("boolean", "Computed from a stated change, not stated itself."),
    "note": ("string", "Anything a reader should know."),
    "cumulative": ("boolean", "A flow counted from 1 January to the end of the period."),
    "plan_share": ("share", "The figure as a share of the plan: 0.5 for 50 % of the annual plan."),
    "plan_period": ("period", "The plan period plan_share refers to (default: the figure's year)."),
    "change": ("number", "The stated change: 0.12 for up 12 %."),
    "change_from": ("change_from", 'What the change compares with: a year, or "same period last year".'),
    "org": ("org_id", "The unit the figure is for (an [[org]] id); none: the whole plan's."),
    "received": ("date", "When the figure reached the ministry (a unit's sheet), for timeliness."),
}
REQUIRED = {
    "plan": ("name",),
    "sector": ("name",),
    "target": ("period", "value"),
    "kpi": ("id", "sector", "name", "unit"),
    "actual": ("kpi", "period", "value", "source"),
    "org": ("id", "name"),
    "merge": ("date", "from", "into", "source"),
    "rename": ("org", "date", "from", "source"),
    "unit_target": ("kpi", "org", "period", "value", "source"),
    "owner": ("name",),
    "owner_rule": ("pattern", "owner"),
}
ORG_ID = r"^[a-z0-9][a-z0-9_.-]*$"


def _property(kind: Kind, description: str) -> dict[str, Any]:
    if isinstance(kind, tuple):
        out: dict[str, Any] = {"enum": list(kind)}
    else:
        kinds: dict[str, dict[str, Any]] = {
            "text": {"type": "string", "pattern": r"\S"},
            "string": {"type": "string"},
            "number": {"type": "number"},
            "boolean": {"type": "boolean"},
            # TOML's local date (published = 2024-07-29); taplo checks it as a date string.
            "date": {"type": "string", "format": "date"},
            "day": {"type": "string", "format": "date"},
            "period": {"type": "string", "pattern": PERIOD},
            "plan_period": {"type": "string", "pattern": PLAN_PERIOD},
            "kpi_id": {"type": "string", "pattern": KPI_ID},
            "sector_id": {"type": "string", "pattern": SECTOR_ID},
            "fraction": {"type": "number", "minimum": 0},
            "coverage": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            "share": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
            "change_from": {"type": "string", "pattern": f"^([0-9]{{4}}|{SAME_PERIOD})$"},
            "globs": {
                "anyOf": [
                    {"type": "string", "pattern": r"\S"},
                    {"type": "array", "items": {"type": "string", "pattern": r"\S"}, "minItems": 1},
                ]
            },
            "org_id": {"type": "string", "pattern": ORG_ID},
            "due": {
                "type": "object",
                "properties": {
                    "days": {"type": "integer"},
                    "months": {"type": "integer"},
                    "day": {"type": "integer"},
                },
                "additionalProperties": False,
            },
            "owners": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "owner": {"type": "string"},
                        "from": {"type": "string", "format": "date"},
                        "until": {"type": "string", "format": "date"},
                    },
                    "required": ["owner"],
                    "additionalProperties": False,
                },
            },
            "org_ids": {"type": "array", "items": {"type": "string", "pattern": ORG_ID}, "minItems": 1},
            "aggregate": {
                "anyOf": [
                    {"enum": ["sum", "none"]},
                    {
                        "type": "object",
                        "properties": {
                            "ratio": {
                                "type": "array",
                                "items": {"type": "string"},
                                "minItems": 2,
                                "maxItems": 2,
                            },
                            "factor": {"type": "number"},
                        },
                        "required": ["ratio"],
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "properties": {"mean": {"type": "string"}},
                        "required": ["mean"],
                        "additionalProperties": False,
                    },
                ]
            },
            "target": {"$ref": "#/definitions/target"},
            "targets": {"type": "array", "items": {"$ref": "#/definitions/target"}},
        }
        out = kinds[kind]
    return {**out, "description": description}


def _object(fields: dict[str, Field], required: tuple[str, ...], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {key: _property(*field) for key, field in fields.items()},
        "required": list(required),
        "additionalProperties": False,
    }


def targets_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "kpi targets.toml",
        "description": "A sector plan: the plan, its sectors, KPIs and their targets.",
        "type": "object",
        "properties": {
            "plan": _object(PLAN, REQUIRED["plan"], "The plan."),
            "assessment": _object(ASSESSMENT, (), "How attainment becomes a traffic light."),
            "files": _object(FILES, (), "Where the plan's figures are: one or several actuals files."),
            "sectors": {
                "type": "object",
                "description": "One table per sector; the key is the sector's id.",
                "propertyNames": {"pattern": SECTOR_ID},
                "additionalProperties": {"$ref": "#/definitions/sector"},
            },
            "kpi": {"type": "array", "description": "The KPIs.", "items": {"$ref": "#/definitions/kpi"}},
            "org": {
                "type": "array",
                "description": "The organisations figures come from.",
                "items": _object(ORG, REQUIRED["org"], "A unit."),
            },
            "merge": {
                "type": "array",
                "description": "Units merged into one.",
                "items": _object(MERGE, REQUIRED["merge"], "A merge."),
            },
            "rename": {
                "type": "array",
                "description": "Units renamed.",
                "items": _object(RENAME, REQUIRED["rename"], "A rename."),
            },
            "reporting": _object(
                REPORTING, (), "The reporting calendar every KPI follows unless it says otherwise."
            ),
            "owners": {
                "type": "object",
                "description": "Who reports the figures; the key is the owner's id.",
                "additionalProperties": _object(OWNER, REQUIRED["owner"], "An owner."),
            },
            "owner_rule": {
                "type": "array",
                "description": "Owners by KPI id pattern.",
                "items": _object(OWNER_RULE, REQUIRED["owner_rule"], "A rule."),
            },
            "target": {
                "type": "array",
                "description": "Targets set for units.",
                "items": _object(UNIT_TARGET, REQUIRED["unit_target"], "A unit's target."),
            },
        },
        "required": ["plan"],
        "additionalProperties": False,
        "definitions": {
            "sector": _object(SECTOR, REQUIRED["sector"], "A sector."),
            "target": _object(TARGET, REQUIRED["target"], "A target at a milestone period."),
            # A KPI with targets must say which way is better.
            "kpi": {
                **_object(KPI, REQUIRED["kpi"], "A KPI."),
                "dependencies": {
                    "targets": ["direction"],
                    "baseline": ["direction"],
                    "derived_from": ["formula"],
                    "formula": ["derived_from"],
                },
                # A flow is judged on the amount reached so far: only direction = "up".
                "if": {"properties": {"measure": {"const": "flow"}}, "required": ["measure"]},
                "then": {"properties": {"direction": {"const": "up"}}},
            },
        },
    }


def actuals_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "kpi actuals.toml",
        "description": "The figures, each with its period, source and quote.",
        "type": "object",
        "properties": {
            "actual": {
                "type": "array",
                "description": "One table per figure.",
                "items": {
                    **_object(ACTUAL, REQUIRED["actual"], "A figure."),
                    "dependencies": {"change": ["change_from"], "change_from": ["change"]},
                },
            }
        },
        "additionalProperties": False,
    }


def schema_text(which: str) -> str:
    import json  # not at the top: the loader imports this module on every kpi validate

    schema = targets_schema() if which == "targets" else actuals_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def schema_files() -> dict[str, bytes]:
    """The files kpi init and schema/ hold, by name."""
    return {f"{which}.schema.json": schema_text(which).encode("utf-8") for which in ("targets", "actuals")}
