"""The dataset cache: faster on a repeat, never stale, never in the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kpi import cache, loader
from kpi.loader import load, locate
from tests.builders import edit
from tests.conftest import ACTUALS, TARGETS, run


@pytest.fixture
def always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "CACHE_MIN_BYTES", 0)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def test_a_repeat_load_comes_from_the_cache(
    data_dir: Path, private_cache: Path, always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, problems = load(locate(data_dir=data_dir))
    assert problems == [] and len(entries(private_cache)) == 2  # targets.toml, actuals.toml
    monkeypatch.setattr(loader, "check_file", _never)
    monkeypatch.setattr(loader, "check_targets", _never)
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


def test_a_file_with_errors_is_never_cached(data_dir: Path, private_cache: Path, always: None) -> None:
    (data_dir / "actuals.toml").write_text(edit(ACTUALS, "value = 65", "value = nan"), encoding="utf-8")
    load(locate(data_dir=data_dir))
    assert len(entries(private_cache)) == 1  # targets.toml's alone
    _, problems = load(locate(data_dir=data_dir))
    assert problems and problems[0].file == str(data_dir / "actuals.toml")


def test_a_corrupt_entry_is_ignored_and_replaced(data_dir: Path, private_cache: Path, always: None) -> None:
    first, _ = load(locate(data_dir=data_dir))
    for entry in entries(private_cache):
        content_key = entry.read_bytes().split(b"\n")[0]
        entry.write_bytes(content_key + b"\nnot a pickle")
    again, problems = load(locate(data_dir=data_dir))
    assert problems == [] and again.actuals == first.actuals
    assert all(b"not a pickle" not in entry.read_bytes() for entry in entries(private_cache))


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


def test_the_key_covers_the_contents_and_the_names() -> None:
    base = cache.key([b"t", b"a"])
    assert base != cache.key([b"t", b"b"]) != cache.key([b"u", b"a"])
    assert cache.key([b"t", None]) != cache.key([b"t", b""])
    assert cache.key([b"ta", b""]) != cache.key([b"t", b"a"])
    assert cache.key([b"t"], ["a", "bc"]) != cache.key([b"t"], ["ab", "c"]) != cache.key([b"t"])


def _never(*args: object) -> None:
    raise AssertionError("checked again: the cache was not used")


def test_editing_one_actuals_file_of_several_checks_that_file_alone(
    data_dir: Path, private_cache: Path, always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data_dir / "targets.toml").write_text(
        '[files]\nactuals = "figures/*.toml"\n' + TARGETS, encoding="utf-8"
    )
    (data_dir / "actuals.toml").unlink()
    (data_dir / "figures").mkdir()
    one = '[[actual]]\nkpi = "telecom.fiber"\nperiod = "{year}"\nvalue = 65\nsource = "report"\n'
    for year in (2022, 2023, 2024):
        (data_dir / "figures" / f"{year}.toml").write_text(one.format(year=year), encoding="utf-8")
    first, problems = load(locate(data_dir=data_dir))
    assert problems == [] and [a.period.text for a in first.actuals] == ["2022", "2023", "2024"]
    edited = data_dir / "figures" / "2023.toml"
    edited.write_text(edit(edited.read_text(encoding="utf-8"), "value = 65", "value = 67"), encoding="utf-8")
    checked: list[str] = []
    real = loader.check_file

    def spy(targets: Any, name: str, data: bytes | None, problems: list[Any]) -> Any:
        checked.append(Path(name).name)
        return real(targets, name, data, problems)

    monkeypatch.setattr(loader, "check_file", spy)
    monkeypatch.setattr(loader, "check_targets", _never)
    again, problems = load(locate(data_dir=data_dir))
    assert checked == ["2023.toml"] and problems == []
    assert [a.value for a in again.actuals] == [65, 67, 65]
    # What needs every file is checked on every run: a figure another file already records.
    (data_dir / "figures" / "2024.toml").write_text(one.format(year=2022), encoding="utf-8")
    _, problems = load(locate(data_dir=data_dir))
    assert [p.file for p in problems] == [str(data_dir / "figures" / "2024.toml")]
    assert "2022.toml actual[1] already records" in str(problems[0].message)


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


@pytest.mark.parametrize(
    ("value", "off"), [("1", True), ("yes", True), ("0", False), ("false", False), ("", False)]
)
def test_kpi_no_cache_reads_as_a_switch(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, off: bool
) -> None:
    monkeypatch.setenv("KPI_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("KPI_NO_CACHE", value)
    assert (cache.folder() is None) is off
