"""Organisations: the units figures come from (the country, its provinces, a ministry's units),
each valid over a span of days, with the merges that ended some and began others.

A unit is known by its id, never by its name: after Viet Nam's 2025 merger the new Hải Phòng
reuses a former unit's name, and Huế was renamed with its territory unchanged. Parent links are
written, never inferred from ids. Splits are out of scope (2025 needs none).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class Org(NamedTuple):
    id: str
    name: str
    parent: str | None = None  # None: the root (the country)
    name_en: str | None = None
    valid_from: date | None = None  # None: since always
    valid_until: date | None = None  # the last valid day ("đến hết ngày 30/6/2025"); None: still
    code: str | None = None
    # Earlier names, each with its last day: (2024-12-31, "Tỉnh Thừa Thiên Huế").
    former_names: tuple[tuple[date, str], ...] = ()
    position: int = 0  # 1-based among the [[org]] tables, for messages

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def name_on(self, day: date, lang: str = "vi") -> str:
        """The name the unit had on that day (its current one in English, which has no history)."""
        if lang == "en" and self.name_en:
            return self.name_en
        for until, name in sorted(self.former_names):
            if day <= until:
                return name
        return self.name


class Merge(NamedTuple):
    day: date  # the first day of the unit merged into (1 July 2025)
    sources: tuple[str, ...]  # the units merged, valid until the day before
    into: str
    source: str
    quote: str | None = None


class Orgs(NamedTuple):
    """The organisation tree: every unit by id, the root, and the merges between them."""

    units: dict[str, Org]
    root: str
    merges: tuple[Merge, ...] = ()

    def children(self, org: str, day: date) -> list[Org]:
        """The units directly under org that are valid on day."""
        return [u for u in self.units.values() if u.parent == org and u.valid_on(day)]

    def valid(self, day: date) -> list[Org]:
        return [u for u in self.units.values() if u.valid_on(day)]

    def merged_into(self, org: str) -> Merge | None:
        """The merge that created org, when one did."""
        return next((m for m in self.merges if m.into == org), None)

    def merged_from(self, org: str) -> Merge | None:
        """The merge that ended org, when one did."""
        return next((m for m in self.merges if org in m.sources), None)

    def depth(self, org: str) -> int:
        n, unit = 0, self.units.get(org)
        while unit is not None and unit.parent is not None and n <= len(self.units):
            n, unit = n + 1, self.units.get(unit.parent)
        return n

    def by_name(self, name: str, day: date) -> list[Org]:
        """The units valid on day whose id, code or name is name: the name it had that day first,
        else any of its names ("Huế" for Thừa Thiên Huế in 2024), with or without "Tỉnh",
        "Thành phố" or "TP" before it."""
        wanted = _folded(name)
        valid = [u for u in self.units.values() if u.valid_on(day)]
        exact = [
            u for u in valid if wanted in {_folded(u.id), _folded(u.code or ""), _folded(u.name_on(day))}
        ]
        if exact:
            return exact
        return [
            u
            for u in valid
            if wanted in {_folded(n) for n in (u.name, u.name_en or "", *(n for _d, n in u.former_names))}
        ]


_KINDS = ("tỉnh ", "thành phố ", "tp. ", "tp.", "tp ")
_SHORT = {"hcm": "hồ chí minh"}  # TP.HCM


def _folded(text: str) -> str:
    """A name as compared: case and spacing aside, without the unit's kind before it."""
    folded = " ".join(text.casefold().split())
    for kind in _KINDS:
        if folded.startswith(kind):
            folded = folded[len(kind) :].strip()
            break
    return _SHORT.get(folded, folded)


NO_ORGS = Orgs({}, "")
