"""The bundled plan: valid, complete in both languages, and every figure traceable to its source."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest

from kpi.loader import load, locate
from kpi.model import Dataset
from tests.conftest import REPO, SEEDS, run

NUMBER = re.compile(r"\d+(?:\.\d{3})*(?:,\d+)?(?:\s*triệu tỷ)?")


def numbers_in(quote: str) -> list[float]:
    """Figures in Vietnamese notation: '58.900' = 58900, '82,2' = 82.2, '3,7 triệu tỷ' = 3.7e6 tỷ."""
    found = []
    for match in NUMBER.findall(quote):
        scale = 1e6 if "triệu" in match else 1
        digits = match.split()[0] if scale != 1 else match
        found.append(float(digits.replace(".", "").replace(",", ".")) * scale)
    return found


def test_numbers_in_vietnamese_notation() -> None:
    assert numbers_in("đạt 58.900 tỷ đồng, tăng 9,3%") == [58900, 9.3]
    assert numbers_in("ước đạt 2.067.389 tỷ") == [2067389]
    assert numbers_in("trên 3,7 triệu tỷ đồng") == [3.7e6]


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    dataset, problems = load(locate(data_dir=REPO))
    assert problems == []
    return dataset


def test_bundled_data_validates() -> None:
    result = run("validate", "--data-dir", str(REPO))
    assert result.exit_code == 0, result.output


def test_sectors_and_names(bundled: Dataset) -> None:
    assert set(bundled.sectors) == {"postal", "telecom", "digital", "cybersecurity", "ict", "media"}
    for sector in bundled.sectors.values():
        assert sector.name and sector.name_en
    for kpi in bundled.kpis.values():
        assert kpi.name and kpi.name_en, kpi.id
        assert kpi.id.startswith(kpi.sector + "."), kpi.id
    assert {k.sector for k in bundled.kpis.values()} == set(bundled.sectors)


def _seeds() -> Path:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SEEDS} is missing in CI")
        pytest.skip(f"source documents not present at {SEEDS}")
    return SEEDS


def _entries(dataset: Dataset) -> list[tuple[str, str | None, str | None, list[float], bool, str | None]]:
    """(where, source, quote, figures, derived, note) for every target, baseline and actual."""
    entries = []
    for kpi in dataset.kpis.values():
        points = list(kpi.targets) + ([kpi.baseline] if kpi.baseline else [])
        for t in points:
            figures = [t.value] + ([t.stretch] if t.stretch is not None else [])
            entries.append(
                (
                    f"{kpi.id} target {t.period}",
                    t.source or kpi.source,
                    t.quote or kpi.quote,
                    figures,
                    t.derived,
                    t.note,
                )
            )
    for a in dataset.actuals:
        entries.append((f"{a.kpi} actual {a.period}", a.source, a.quote, [a.value], a.derived, a.note))
    return entries


def test_every_figure_cites_its_source_and_quotes_it(bundled: Dataset) -> None:
    seeds = _seeds()
    texts = {p.name: p.read_text(encoding="utf-8") for p in seeds.glob("*.txt")}
    entries = _entries(bundled)
    assert len(entries) > 100
    for where, source, quote, figures, derived, note in entries:
        assert source in texts, f"{where}: unknown source {source!r}"
        assert quote, f"{where}: no quote"
        assert quote in texts[source], f"{where}: quote not found in {source}: {quote!r}"
        if derived:
            # A derived figure is not in the quote; its note must show how it was obtained.
            assert note, f"{where}: derived without a note"
            for figure in figures:
                shown = f"{figure:g}" if figure != int(figure) else str(int(figure))
                # kpi's own derivations write figures grouped, to two decimals ("53,888.38").
                grouped = f"{figure:,.2f}".rstrip("0").rstrip(".")
                assert shown in note or f"{figure:.1f}" in note or grouped in note, (
                    f"{where}: {figure} not explained in {note!r}"
                )
        else:
            stated = numbers_in(quote)
            for figure in figures:
                assert any(math.isclose(figure, n, rel_tol=1e-9) for n in stated), (
                    f"{where}: {figure} is not a figure of the quote {quote!r} ({stated})"
                )


def test_published_dates_match_the_documents(bundled: Dataset) -> None:
    dates = {
        "003_a7c8de2e9ea47391.txt": "2021-01-12",
        "000_5eeee893be331b7a.txt": "2023-12-29",
        "004_a6ceb1a3bd08c305.txt": "2023-12-29",
        "001_7040d20867ab9bb1.txt": "2024-07-29",
        "002_55b8ba455d50c13f.txt": None,  # "end of 2024": no exact date
    }
    for a in bundled.actuals:
        if not a.position:  # computed by kpi: known when the figure it comes from is
            continue
        expected = dates[a.source]
        assert (a.published.isoformat() if a.published else None) == expected, f"{a.kpi} {a.period}"


ESTIMATE_WORDS = re.compile(r"(?<!\w)(ước|khoảng)(?!\w)", re.IGNORECASE)


def test_estimates_are_marked_exactly_where_the_text_says_so(bundled: Dataset) -> None:
    """ "ước đạt", "ước khoảng", "khoảng" mark an estimate; "hơn" and "gần" do not."""
    for a in bundled.actuals:
        if not a.position:  # computed by kpi from a rounded change: always approximate
            continue
        says_estimate = bool(ESTIMATE_WORDS.search(a.quote or ""))
        assert a.estimated == says_estimate, f"{a.kpi} {a.period}: estimated={a.estimated}, quote {a.quote!r}"
