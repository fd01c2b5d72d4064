"""Builders the tests share: a KPI, a target and a figure from a few words, and edit(), which
changes a piece of text and fails when the piece is not there (a str.replace that finds nothing
would leave a test testing the unchanged file)."""

from __future__ import annotations

from datetime import date

from kpi.model import Actual, Kpi, Target
from kpi.periods import parse_period


def target(period: str, value: float, stretch: float | None = None) -> Target:
    return Target(parse_period(period), value, stretch)


def actual(period: str, value: float, published: date | None = None, estimated: bool = False) -> Actual:
    return Actual("k", parse_period(period), value, "src", estimated=estimated, published=published)


def kpi(**kwargs: object) -> Kpi:
    base: dict[str, object] = {"id": "k", "sector": "s", "name": "K", "unit": "%"}
    base.update(kwargs)
    return Kpi(**base)  # type: ignore[arg-type]


def edit(text: str, old: str, new: str, count: int = -1) -> str:
    """text with old replaced by new; an AssertionError when old is not in text."""
    assert old in text, f"edit(): {old!r} is not in the text"
    return text.replace(old, new, count)
