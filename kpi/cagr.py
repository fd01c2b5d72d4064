"""Open SDG's progress measure (the "CAGR" method, after Statistics Canada), in pure Python.

This follows ``sdg/ProgressMeasure.py`` of open-sdg/sdg-build (MIT licence, copyright (c) 2018
Office for National Statistics), as read at commit 139fede74ba534d2ed8b9eee4cd878b41f54cb67: its
``SeriesProgress`` class for one series, with the same defaults, the same arithmetic in the same
order, the same zero substitutions, bands and score. ``tests/test_cagr_conformance.py`` checks it
against a fixture that ``tests/conformance/regenerate.py`` makes by running the real code.

What Open SDG does, and so what this does:

* Data: values that are NaN are dropped; the current year is the latest year left, whatever the
  base year. Years may have gaps: growth is compounded over the actual number of years between
  the base year and the current year.
* Base year: 2015 unless given. If the base year has no value, the next later year with one is
  used; data before the base year is ignored. Target year: 2030 unless given.
* A target of 0 is taken as 0.001. A base value of 0 is taken as 0.001 when computing growth
  (but the sign of the base and the limit scaling still see 0).
* Not graded (no category) when the base and current values have opposite signs, or when the
  base year is the current year (a single year of data from the base year on).
* Achieved: the current value is at or beyond the target (``>=`` going up, ``<=`` going down),
  checked before anything else, so a series can be "target_achieved" without a ratio.
* With a target: ``ratio = sign * direction * cagr_o / abs(cagr_r)``, where
  ``cagr = (value / base_value) ** (1 / (year - base_year)) - 1``, ``sign`` is -1 for a negative
  base value, and bands are ratio >= 0.95 substantial, >= 0.6 moderate, >= 0 limited, else
  deterioration.
* Without a target (fixed rates): ``ratio = sign * direction * cagr_o`` with bands 1.5 % and 0.5 %
  a year and 0. Near a ``limit`` the bands are multiplied by ``1 - (b/l) ** 4.44`` when
  ``|b| <= |l|``, by ``1 - ((2l - b)/l) ** 4.44`` when ``|l| < |b| < 2|l|``, by 1 otherwise
  (b the base value, l the limit). A limit is ignored when there is a target.
* ``progress_thresholds`` overrides any of those bands, as Open SDG's option of that name does.
* The score (in [-5, 5] with the default bands; 5 when achieved), and the category Open SDG's
  indicator pages show, which it derives from the score (:func:`category_from_score`). The score's
  formulas are fixed to the default bands and its coefficients (7.1429, 4.2857, 4.1667) rounded,
  so just under the 0.95 and 0.6 ratio bands, or with custom bands, the two categories differ.

Quirks of Open SDG's code that are reproduced, not fixed:

* A target on the other side of zero from the base value: when the base year was found as given,
  Open SDG's Python floats make the required growth a complex number and it divides by its
  modulus, so a ratio and a category come out; when the base year had to be moved to a later
  year, numpy makes it NaN and there is no category (the ratio is NaN).
* A target equal to the base value: the required growth is 0 and the ratio is +-infinity.

Deliberate differences, where Open SDG raises an exception and this returns no category:

* All data before the base year (e.g. a single value from 2014 with the default base year):
  Open SDG fails with pandas' ``ValueError`` instead of grading.
* The target year equal to the base year: Open SDG raises ``ZeroDivisionError`` (or, when the
  base year was moved, raises the quotient to an infinite power).

Duplicate years make both raise (this raises ``ValueError``).

Open SDG's inputs that are not here: year ranges such as "2015-2016" (Open SDG keeps the first
four characters; pass the first year), the choice of series, unit, disaggregation and progress
column in a table (pass the one series), and averaging several series into one indicator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

from kpi.i18n import msg
from kpi.statuses import Status

DEFAULT_BASE_YEAR = 2015
DEFAULT_TARGET_YEAR = 2030
ZERO_SUBSTITUTE = 0.001  # Open SDG's stand-in for a target or base value of 0
LIMIT_EXPONENT = 4.44  # "a" in Open SDG's limit coefficient
FIXED_RATE_THRESHOLDS: Mapping[str, float] = {"high": 0.015, "med": 0.005, "low": 0}
TARGET_THRESHOLDS: Mapping[str, float] = {"high": 0.95, "med": 0.6, "low": 0}

CATEGORIES = (
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
)
# Open SDG's categories in this tool's vocabulary (kpi.statuses). Open SDG calls its third band
# "limited_progress" (there is no "negligible_progress" in ProgressMeasure.py).
STATUS_OF: dict[str, Status] = {
    "target_achieved": "achieved",
    "substantial_progress": "on_track",
    "moderate_progress": "acceleration_needed",
    "limited_progress": "limited_progress",
    "deterioration": "moving_away",
}


class CagrResult(NamedTuple):
    category: str | None
    """Open SDG's category for the series (one of CATEGORIES), or None where it gives
    "not_available" (or fails)."""
    ratio: float | None
    """Open SDG's progress value, compared with the bands: with a target the observed/required
    growth ratio, without one the observed growth rate, both times sign and direction (so
    positive is good). None where Open SDG computes none; may be NaN or infinite as in Open SDG."""
    observed_cagr: float | None
    """Compound annual growth rate of the value from the base year to the current year."""
    required_cagr: float | None
    """Compound annual growth rate needed from the base year to reach the target by the target
    year (None without a target, or where it is not a real number)."""
    base_year: int | None
    current_year: int | None
    reason: str
    """One sentence saying how the category was decided."""
    score: float | None = None
    """Open SDG's score in [-5, 5] (5 when the target is achieved), or None."""


def progress(
    series: Sequence[tuple[int, float]],
    *,
    direction: Literal["up", "down"],
    target: float | None = None,
    target_year: int | None = None,
    base_year: int | None = None,
    limit: float | None = None,
    progress_thresholds: Mapping[str, float] | None = None,
) -> CagrResult:
    """Grade one annual series the way Open SDG's progress measure does.

    ``series`` is (year, value) pairs in any order. ``direction`` "up" is Open SDG's
    ``direction: positive``, "down" its ``negative`` (its default). ``target_year`` defaults to
    2030 and ``base_year`` to 2015, as in Open SDG. ``limit`` (used only without a target) is the
    natural bound of the value, e.g. 100 for a percentage going up. ``progress_thresholds``
    overrides any of the bands by name ("high", "med", "low").
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    toward = 1 if direction == "up" else -1
    asked_target = target
    if target == 0:
        target = ZERO_SUBSTITUTE
    by_target = target is not None
    to_year = DEFAULT_TARGET_YEAR if target_year is None else target_year
    asked_base = DEFAULT_BASE_YEAR if base_year is None else base_year

    points: dict[int, float] = {}
    for year, raw in series:
        number = float(raw)
        if math.isnan(number):
            continue
        if int(year) in points:
            raise ValueError(f"two values for the year {year}")
        points[int(year)] = number
    if not points:
        return CagrResult(None, None, None, None, None, None, "There is no data to grade.")

    current_year = max(points)
    current_value = points[current_year]
    base_moved = asked_base not in points
    if base_moved:
        later = [year for year in points if year > asked_base]
        if not later:
            return CagrResult(
                None,
                None,
                None,
                None,
                None,
                current_year,
                f"There is no data in or after the base year {asked_base}, so it cannot be graded.",
            )
        from_year = min(later)
    else:
        from_year = asked_base
    base_value = points[from_year]

    sign = -1 if base_value < 0 else 1
    thresholds = _thresholds(by_target, base_value, limit, progress_thresholds)
    achieved = target is not None and (
        (toward == -1 and current_value <= target) or (toward == 1 and current_value >= target)
    )

    value: float | None = None
    observed: float | None = None
    required: float | None = None
    start = ZERO_SUBSTITUTE if base_value == 0 else base_value
    zero_note = msg(" (a base value of 0 counts as 0.001)") if base_value == 0 else ""
    why: str
    if (start > 0 and current_value < 0) or (start < 0 and current_value > 0):
        why = msg(
            "The base value {base:g} ({from_year}) and the current value {current:g} ({year}) have "
            "opposite signs, so the growth rate cannot be graded.",
            base=base_value,
            from_year=str(from_year),
            current=current_value,
            year=str(current_year),
        )
    elif from_year > current_year or current_year - from_year < 1:
        why = msg(
            "There is only one year of data from the base year {year} on, and growth needs two.",
            year=str(from_year),
        )
    elif target is not None and to_year == from_year:
        why = msg(
            "The target year {year} is the base year, so no growth rate can reach the target.",
            year=str(to_year),
        )
    else:
        observed = _growth(current_value, start, current_year, from_year)
        if target is None:
            value = sign * toward * observed
            why = msg(
                "With no target, a change of {observed:+.2%} a year since {year}{zero_note} is compared with "
                "Open SDG's fixed bands of {high:.2%} and {med:.2%} a year{limit_note}.",
                observed=observed,
                year=str(from_year),
                zero_note=zero_note,
                high=thresholds["high"],
                med=thresholds["med"],
                limit_note=_limit_note(thresholds, limit),
            )
        else:
            required, modulus = _required_growth(target, start, to_year, from_year, base_moved)
            value = _divide(sign * toward * observed, modulus)
            why = _target_reason(
                observed, required, value, asked_target or 0.0, to_year, from_year, zero_note
            )

    category = _band(value, thresholds, achieved)
    if achieved:
        why = msg(
            "The {year} value {value:g} has reached the target {target:g}.",
            year=str(current_year),
            value=current_value,
            target=asked_target,
        )
    return CagrResult(
        category,
        value,
        observed,
        required,
        from_year,
        current_year,
        why,
        _score(value, thresholds, achieved, by_target),
    )


def category_from_score(score: float | None, target_achieved: bool = False) -> str | None:
    """Open SDG's category derived from a score, as its indicator pages show it.

    This is ``get_progress_status_from_score``: 2.5 to 5 substantial, 0 to 2.5 moderate, -2.5 to
    0 limited, -5 to -2.5 deterioration; None for no score (Open SDG's "not_available").
    """
    if target_achieved:
        return "target_achieved"
    if score is None:
        return None
    if 2.5 <= score <= 5:
        return "substantial_progress"
    if 0 <= score < 2.5:
        return "moderate_progress"
    if -2.5 <= score < 0:
        return "limited_progress"
    if -5 <= score < -2.5:
        return "deterioration"
    return None


def _growth(value: float, base_value: float, year: int, base_year: int) -> float:
    """Open SDG's growth_calculation, for a non-negative quotient of values."""
    compounded: float = (value / base_value) ** (1 / (year - base_year))
    return compounded - 1


def _required_growth(
    target: float, base_value: float, target_year: int, base_year: int, base_moved: bool
) -> tuple[float | None, float]:
    """The growth needed to reach the target, and the modulus Open SDG divides by."""
    quotient = target / base_value
    exponent = 1 / (target_year - base_year)
    if quotient < 0 and not exponent.is_integer():
        if base_moved:
            # Open SDG's base year is then a numpy integer, and numpy's power gives NaN.
            return None, math.nan
        # A Python float to a fractional power is complex: Open SDG takes the modulus.
        return None, abs(complex(quotient) ** exponent - 1)
    needed = _growth(target, base_value, target_year, base_year)
    return needed, abs(needed)


def _divide(numerator: float, denominator: float) -> float:
    """Division as numpy does it: by zero gives an infinity (or NaN for 0/0) with no error."""
    if denominator == 0:
        if numerator == 0 or math.isnan(numerator):
            return math.nan
        return math.copysign(math.inf, numerator)
    return numerator / denominator


def _thresholds(
    by_target: bool, base_value: float, limit: float | None, custom: Mapping[str, float] | None
) -> dict[str, float]:
    """Open SDG's get_progress_thresholds: default bands, overridden, scaled near a limit."""
    if by_target:
        # A limit is ignored when there is a target.
        return {**TARGET_THRESHOLDS, **(custom or {})}
    bands = {**FIXED_RATE_THRESHOLDS, **(custom or {})}
    if limit is not None:
        base = abs(base_value)
        bound = abs(limit)
        if base >= 2 * bound:
            coefficient = 1.0
        elif base <= bound:
            coefficient = 1 - (base / bound) ** LIMIT_EXPONENT
        else:
            coefficient = 1 - ((2 * bound - base) / bound) ** LIMIT_EXPONENT
        for key in ("high", "med", "low"):
            bands[key] *= coefficient
        bands["coefficient"] = coefficient
    return bands


def _band(value: float | None, thresholds: Mapping[str, float], achieved: bool) -> str | None:
    """Open SDG's get_progress_status, with None for its "not_available"."""
    high = float(thresholds["high"])
    med = float(thresholds["med"])
    low = float(thresholds["low"])
    if achieved:
        return "target_achieved"
    if value is not None:
        if value >= high:
            return "substantial_progress"
        if med <= value < high:
            return "moderate_progress"
        if low <= value < med:
            return "limited_progress"
        if value < low:
            return "deterioration"
    return None


def _score(
    value: float | None, thresholds: Mapping[str, float], achieved: bool, by_target: bool
) -> float | None:
    """Open SDG's get_score: 5 when achieved, else piecewise linear in the progress value."""
    if achieved:
        return 5.0
    if value is None:
        return None
    high = thresholds["high"]
    med = thresholds["med"]
    low = thresholds["low"]
    if not by_target:
        coefficient = thresholds.get("coefficient", 1)
        if value < low:
            return max(125 * value - 2.5, -5.0)
        if coefficient == 0:
            # The base value is at the limit and held: Open SDG counts that as substantial.
            return 5.0
        if value >= high:
            return min(500 * value / coefficient - 5, 5.0)
        if value >= med:
            return 250 * value / coefficient - 1.25
        if value >= low:
            return 500 * value / coefficient - 2.5
        return None
    # Open SDG's four branches, kept as they are (the first two and the last two are the same line).
    if value >= high:
        return min((7.1429 * value) - 4.2857, 5.0)
    if value >= med:
        return min((7.1429 * value) - 4.2857, 5.0)
    if value >= low:
        return max((4.1667 * value) - 2.5, -5.0)
    if value < low:
        return max((4.1667 * value) - 2.5, -5.0)
    return None  # NaN


def _limit_note(thresholds: Mapping[str, float], limit: float | None) -> str:
    if limit is None:
        return ""
    return msg(
        " (scaled by {coefficient:.3g} near the limit {limit:g})",
        coefficient=thresholds["coefficient"],
        limit=limit,
    )


def _target_reason(
    observed: float,
    required: float | None,
    ratio: float,
    target: float,
    target_year: int,
    base_year: int,
    zero_note: str,
) -> str:
    if required is None:
        if math.isnan(ratio):
            return msg(
                "The target {target:g} is on the other side of zero from the base value, so Open SDG's "
                "required growth rate is undefined and it cannot grade.",
                target=target,
            )
        return msg(
            "The target {target:g} is on the other side of zero from the base value, so Open SDG divides "
            "the growth rate by the size of a complex required rate, giving {ratio:.2f}.",
            target=target,
            ratio=ratio,
        )
    if required == 0:
        return msg(
            "The target {target:g} equals the base value, so any change since {year} counts as infinitely "
            "fast, toward or away from it.",
            target=target,
            year=str(base_year),
        )
    return msg(
        "The value changed {observed:+.2%} a year since {year}{zero_note}, against the {required:+.2%} a "
        "year needed to reach {target:g} by {target_year}: {ratio:.2f} of the pace needed.",
        observed=observed,
        year=str(base_year),
        zero_note=zero_note,
        required=required,
        target=target,
        target_year=str(target_year),
        ratio=ratio,
    )
