"""The plan's data as plain, immutable values: what the loader builds and the rest reads.

The values are NamedTuples rather than frozen dataclasses: `kpi validate` runs on every
commit and loads up to 10^5 actuals, and NamedTuples cost a sixth as much to define at
start-up and much less to build (a frozen dataclass sets each field through
object.__setattr__). These modules avoid `from __future__ import annotations`: with string
annotations NamedTuple compiles each one at import, which cost more than all the rest.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from kpi.periods import Period

if TYPE_CHECKING:
    from pathlib import Path

    from kpi.orgs import Orgs

Direction = Literal["up", "down"]
Trend = Literal["linear", "compound"]
Method = Literal["linear", "compound", "cagr"]
Measure = Literal["level", "flow"]
METHODS: tuple[Method, ...] = ("linear", "compound", "cagr")


class Plan(NamedTuple):
    name: str
    period: str | None = None
    name_en: str | None = None
    lang: str | None = None  # the language its reports are read in, when the plan says
    # [files]: the actuals files' patterns, relative to targets.toml (() when not declared:
    # actuals.toml beside it), and the file kpi record writes to.
    actuals: tuple[str, ...] = ()
    record_to: str | None = None
    orgs: str | None = None  # [files] orgs: the file of [[org]] tables, relative to targets.toml

    def label(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


class Thresholds(NamedTuple):
    """The plan's [assessment]: the bands (Eurostat / Open SDG use 0.95 and 0.60), the method
    every KPI uses unless it names its own, and whether KPIs without a target are graded."""

    on_track: float = 0.95
    acceleration_needed: float = 0.60
    method: Method = "linear"
    base_period: Period | None = None  # cagr's base year; default the first trend point's
    grade_without_target: bool = False
    # The share of units with a figure below which a combined value is partial: shown with its
    # coverage, never graded as if complete.
    min_coverage: float = 1.0


class Sector(NamedTuple):
    id: str
    name: str
    name_en: str | None = None
    owner: str | None = None  # its KPIs' owner, unless a rule or the KPI says otherwise

    def label(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


class Target(NamedTuple):
    """A milestone target, or the baseline the plan starts from."""

    period: Period
    value: float
    stretch: float | None = None
    source: str | None = None
    quote: str | None = None
    note: str | None = None
    derived: bool = False

    @property
    def date(self) -> date:
        return self.period.end


class Aggregate(NamedTuple):
    """How a KPI's figures for units combine into their parent's, independent of how a flow's
    periods add up: a sum (counts, amounts), a ratio of two sums (a percentage is Σnumerators /
    Σdenominators, never a sum or a plain mean of percentages), a weighted mean, or none (ranks,
    indices and growth rates never combine by accident)."""

    rule: Literal["sum", "ratio", "mean", "none"] = "none"
    kpis: tuple[str, ...] = ()  # ratio: (numerator, denominator); mean: (weight,)
    factor: float = 1.0  # ratio: 100 for a percentage


class Due(NamedTuple):
    """When a period's figure is due: days after its end, or day (clamped to the month's length)
    of the month months after its last month (0: that month; -1: the one before)."""

    days: int | None = None
    months: int | None = None
    day: int | None = None


class Reporting(NamedTuple):
    """A KPI's reporting calendar ([reporting] for the plan, overridden per KPI)."""

    frequency: str | None = None  # monthly, quarterly, half-yearly, annual, irregular
    due: Due | None = None
    cutoff: str | None = None  # "calendar" (the default) or "15-14": a month from the 15th to the 14th
    reporting_from: Period | None = None
    next_release: date | None = None
    reported_by: str | None = None  # "plan" (the default) or "units": every unit owes its figure


class Assignment(NamedTuple):
    """An owner holding a KPI over a span of days (None: open-ended)."""

    owner: str  # "" for explicitly unowned
    start: date | None = None
    end: date | None = None


class Owner(NamedTuple):
    id: str
    name: str
    name_en: str | None = None
    parent: str | None = None
    contact: str | None = None
    email: str | None = None
    start: date | None = None
    end: date | None = None  # its last day
    successor: str | None = None

    def label(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


class Kpi(NamedTuple):
    id: str
    sector: str
    name: str
    unit: str
    direction: Direction = "up"
    trend: Trend = "linear"
    name_en: str | None = None
    min: float | None = None
    max: float | None = None
    baseline: Target | None = None
    targets: tuple[Target, ...] = ()
    source: str | None = None
    quote: str | None = None
    note: str | None = None
    position: int = 0  # 1-based position among the [[kpi]] tables, for messages
    method: Method | None = None  # None: trend = "compound" means compound, else the plan's
    base_period: Period | None = None
    # A level is read at a date (a rate, share, rank, stock); a flow is an amount per period that
    # adds up over the year (revenue, budget payments, exports): judged year to date.
    measure: Measure = "level"
    derived_from: str | None = None  # formula = "growth": year-on-year growth of that KPI, in %
    formula: str | None = None
    aggregate: Aggregate = Aggregate()
    basis: str | None = None  # "units": counts units, so its series breaks at a merge
    org_targets: str | None = None  # "inherit": units without a target are judged on the plan's
    # basis = "units": the days a merger changed what it counts; its trend starts again there.
    breaks: tuple[date, ...] = ()
    owners: tuple[Assignment, ...] = ()  # owner = "x" is one open-ended assignment
    reporting: Reporting | None = None  # its own calendar; None: the plan's
    unit_en: str | None = None

    def label(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name

    def unit_label(self, lang: str) -> str:
        """The unit as a reader of that language reads it; figures are still formatted by the
        stated unit ("hạng" is whole, "%" has one decimal)."""
        return (self.unit_en or self.unit) if lang == "en" else self.unit

    def method_in(self, plan: "Thresholds") -> Method:
        """The method that assesses this KPI: its own, else its trend's, else the plan's."""
        if self.method is not None:
            return self.method
        return "compound" if self.trend == "compound" else plan.method

    @property
    def sign(self) -> int:
        return 1 if self.direction == "up" else -1


class Actual(NamedTuple):
    kpi: str
    period: Period
    value: float
    source: str
    estimated: bool = False
    published: date | None = None
    quote: str | None = None
    derived: bool = False
    note: str | None = None
    position: int = 0  # 1-based position among the [[actual]] tables (0: computed by kpi)
    cumulative: bool = False  # a flow's figure from the start of the year ("lũy kế")
    plan_share: float | None = None  # "đạt 50% kế hoạch năm 2024": the share of the plan it is
    plan_period: Period | None = None  # that plan's period; default the figure's year
    change: float | None = None  # "tăng 9,3% so với năm 2022": 0.093
    change_from: str | None = None  # "2022", or "same period last year"
    file: str = ""  # the actuals file it is in, as problems name it ("": not from a file)
    org: str | None = None  # the unit it is for (an Orgs id); None: the plan's root, the country
    received: date | None = None  # when it reached the ministry: for timeliness

    @property
    def start(self) -> date:
        """The first day the figure covers: a cumulative flow figure counts from 1 January."""
        return self.period.end.replace(month=1, day=1) if self.cumulative else self.period.start

    @property
    def date(self) -> date:
        return self.period.end


@dataclass(slots=True)
class Dataset:
    plan: Plan
    thresholds: Thresholds
    sectors: dict[str, Sector]
    kpis: dict[str, Kpi]
    actuals: list[Actual]
    targets_path: "Path | None" = None
    actuals_paths: "tuple[Path, ...]" = ()  # the actuals files it was read from
    orgs: "Orgs" = field(default_factory=lambda: _no_orgs())
    # The figures for units below the root ([[actual]] org = ...); actuals holds the root's.
    unit_actuals: list[Actual] = field(default_factory=list)
    # The targets set for units ([[target]] kpi, org, ...), by (KPI, unit), in date order.
    unit_targets: dict[tuple[str, str], tuple[Target, ...]] = field(default_factory=dict)
    rollup: Any = field(default=None, repr=False)  # kpi.rollup.Rollup, when units have figures
    # The reporting cycle: the plan's calendar, its owners, and the rules that give KPIs owners.
    reporting: Reporting | None = None
    owners: dict[str, Owner] = field(default_factory=dict)
    owner_rules: tuple[tuple[str, str], ...] = ()  # (pattern, owner), the last match wins
    _by_kpi: dict[str, list[Actual]] | None = field(default=None, repr=False)

    def actuals_by_kpi(self) -> dict[str, list[Actual]]:
        """Actuals grouped by KPI id, built once: the assessment stays O(n)."""
        if self._by_kpi is None:
            grouped: dict[str, list[Actual]] = {}
            for actual in self.actuals:
                grouped.setdefault(actual.kpi, []).append(actual)
            self._by_kpi = grouped
        return self._by_kpi


def _no_orgs() -> "Orgs":
    from kpi.orgs import NO_ORGS

    return NO_ORGS
