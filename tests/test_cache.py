"""The dataset cache: faster on a repeat, never stale, never in the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi import cache
from kpi.loader import load, locate
from tests.builders import edit
from tests.conftest import ACTUALS, run


@pytest.fixture
def always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "CACHE_MIN_BYTES", 0)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def test_a_repeat_load_comes_from_the_cache(data_dir: Path, private_cache: Path, always: None) -> None:
    first, problems = load(locate(data_dir=data_dir))
    assert problems == [] and len(entries(private_cache)) == 1
    second, _ = load(locate(data_dir=data_dir))
    assert second.kpis == first.kpis and second.actuals == first.actuals
    assert second.plan == first.plan and second.sectors == first.sectors


def test_any_change_to_either_file_is_a_miss(data_dir: Path, always: None) -> None:
    load(locate(data_dir=data_dir))
    (data_dir / "actuals.toml").write_text(edit(ACTUALS, "value = 65", "value = 66"), encoding="utf-8")
    changed, _ = load(locate(data_dir=data_dir))
    assert changed.actuals[0].value == 66
    (data_dir / "actuals.toml").write_text(edit(ACTUALS, "value = 65", "value = nan"), encoding="utf-8")
    _, problems = load(locate(data_dir=data_dir))
    assert problems, "invalid data is reported, never hidden by a cached clean load"


def test_problems_are_never_cached(data_dir: Path, private_cache: Path, always: None) -> None:
    (data_dir / "actuals.toml").write_text(edit(ACTUALS, "value = 65", "value = nan"), encoding="utf-8")
    load(locate(data_dir=data_dir))
    assert entries(private_cache) == []


def test_a_corrupt_entry_is_ignored_and_replaced(data_dir: Path, private_cache: Path, always: None) -> None:
    first, _ = load(locate(data_dir=data_dir))
    [entry] = entries(private_cache)
    content_key = entry.read_bytes().split(b"\n")[0]
    entry.write_bytes(content_key + b"\nnot a pickle")
    again, problems = load(locate(data_dir=data_dir))
    assert problems == [] and again.actuals == first.actuals
    assert entry.read_bytes() != content_key + b"\nnot a pickle"


def test_small_plans_and_kpi_no_cache_skip_it(
    data_dir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(locate(data_dir=data_dir))  # far under CACHE_MIN_BYTES
    assert entries(private_cache) == []
    monkeypatch.setattr(cache, "CACHE_MIN_BYTES", 0)
    monkeypatch.setenv("KPI_NO_CACHE", "1")
    load(locate(data_dir=data_dir))
    assert entries(private_cache) == []


def test_an_unwritable_cache_folder_is_not_an_error(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, always: None
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("KPI_CACHE_DIR", str(blocker / "cache"))
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 0


def test_the_key_covers_version_layout_and_both_files() -> None:
    base = cache.key(b"t", b"a")
    assert base != cache.key(b"t", b"b") != cache.key(b"u", b"a")
    assert cache.key(b"t", None) != cache.key(b"t", b"")
    assert cache.key(b"ta", b"") != cache.key(b"t", b"a")


def test_a_warning_is_named_as_the_run_that_reads_it_names_the_file(
    data_dir: Path, private_cache: Path, always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A warning, not an error: a clean load with it is cached.
    (data_dir / "actuals.toml").write_text(
        edit(ACTUALS, 'source = "report"', 'source = "report"\npublished = 2020-01-01'), encoding="utf-8"
    )
    (data_dir / "sub").mkdir()
    monkeypatch.chdir(data_dir)
    _, here = load(locate())
    monkeypatch.chdir(data_dir / "sub")
    _, below = load(locate())
    assert here and {p.file for p in here} == {"actuals.toml"}
    assert {p.file for p in below} == {str(Path("..") / "actuals.toml")}
