"""`kpi validate`: every problem reported, one precise line each, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builders import edit
from tests.conftest import ACTUALS, TARGETS, run


def validate(tmp_path: Path, targets: str = TARGETS, actuals: str | bytes = ACTUALS) -> tuple[int, str]:
    (tmp_path / "targets.toml").write_text(targets, encoding="utf-8")
    if isinstance(actuals, bytes):
        (tmp_path / "actuals.toml").write_bytes(actuals)
    else:
        (tmp_path / "actuals.toml").write_text(actuals, encoding="utf-8")
    result = run("validate", "--data-dir", str(tmp_path))
    return result.exit_code, result.output


def test_the_example_data_is_valid(data_dir: Path) -> None:
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 0
    assert result.output == "ok: 3 KPIs in 2 sectors, 4 actuals\n"


BAD_TARGETS = [
    ("syntax", edit(TARGETS, 'period = "2021-2025"', "period = 2021-2025 x"), "targets.toml:3:"),
    ("wrong type", edit(TARGETS, 'unit = "%"', "unit = 5"), '"unit" must be a string, not a number'),
    ("typo key", edit(TARGETS, "max = 100", "mx = 100"), 'unknown key "mx" (did you mean "max"?)'),
    (
        "typo in target",
        edit(TARGETS, '{ period = "2021", value = 60 }', '{ period = "2021", vaule = 60 }'),
        'unknown key "targets[1].vaule" (did you mean "value"?)',
    ),
    (
        "missing key",
        edit(TARGETS, 'name = "Cáp quang"\n', ""),
        'kpi "telecom.fiber" (kpi[1]): missing required key "name"',
    ),
    (
        "duplicate id",
        edit(TARGETS, 'id = "digital.rank"', 'id = "telecom.fiber"'),
        'kpi "telecom.fiber" (kpi[2]): duplicate KPI id: already declared at kpi[1]',
    ),
    (
        "undeclared sector",
        edit(TARGETS, 'sector = "telecom"', 'sector = "telecon"'),
        'sector "telecon" is not declared under [sectors] (did you mean "telecom"?)',
    ),
    (
        "bad period",
        edit(TARGETS, 'period = "2021", value = 60', 'period = "2024-Q5", value = 60'),
        "quarter must be Q1 to Q4",
    ),
    (
        "nan",
        edit(TARGETS, "value = 60", "value = nan"),
        '"targets[1].value" must be a finite number, not nan',
    ),
    ("inf", edit(TARGETS, "value = 60", "value = inf"), "must be a finite number, not inf"),
    (
        "above max",
        edit(TARGETS, "value = 80", "value = 180"),
        "targets[2] (2025) value 180 is above the KPI's max 100",
    ),
    (
        "stretch wrong side",
        edit(TARGETS, '{ period = "2025", value = 50 }', '{ period = "2025", value = 50, stretch = 60 }'),
        'stretch 60 must be below its value 50 for direction = "down"',
    ),
    (
        "two targets one period",
        edit(TARGETS, '{ period = "2021", value = 60 }', '{ period = "2025", value = 60 }'),
        'two targets for one period: targets[2] ("2025")',
    ),
    (
        "baseline not before",
        edit(TARGETS, "max = 100\n", 'max = 100\nbaseline = { period = "2021", value = 50 }\n'),
        'baseline period "2021" must be before the first target ("2021")',
    ),
    (
        "bad direction",
        edit(TARGETS, 'direction = "down"', 'direction = "lower"'),
        '"direction" must be "up" or "down"',
    ),
    (
        "bad trend",
        edit(TARGETS, 'trend = "compound"', 'trend = "exponential"'),
        '"trend" must be "linear" or "compound"',
    ),
    ("min above max", edit(TARGETS, "min = 0\n", "min = 200\n"), "min (200.0) is greater than max (100.0)"),
    ("no plan", edit(TARGETS, '[plan]\nname = "Test plan"\n', ""), "missing the [plan] table"),
    (
        "bad sector id",
        edit(TARGETS, "[sectors.digital]", "[sectors.Digital]"),
        'sector id "Digital" must match',
    ),
    (
        "bad kpi id",
        edit(TARGETS, 'id = "digital.rank"', 'id = "Digital Rank"'),
        'id "Digital Rank" must use only',
    ),
    ("kpi as table", edit(TARGETS, "[[kpi]]", "[kpi]", 1).split("[[kpi]]")[0], '"kpi" must be an array'),
    (
        "rank without direction",
        edit(TARGETS, 'direction = "down"\n', ""),
        'missing "direction" ("up" or "down")',
    ),
]


@pytest.mark.parametrize(("case", "targets", "message"), BAD_TARGETS, ids=[c[0] for c in BAD_TARGETS])
def test_bad_targets(tmp_path: Path, case: str, targets: str, message: str) -> None:
    code, output = validate(tmp_path, targets=targets)
    assert code == 1
    assert message in output
    assert "Traceback" not in output
    first = output.splitlines()[0]
    assert first.startswith(str(tmp_path / "targets.toml") + ":")


BAD_ACTUALS = [
    (
        "unknown kpi",
        edit(ACTUALS, 'kpi = "digital.rank"\nperiod = "2022"', 'kpi = "digital.ranks"\nperiod = "2022"'),
        'actual[3] (kpi "digital.ranks", period "2022"): '
        'unknown KPI "digital.ranks" (did you mean "digital.rank"?)',
    ),
    (
        "duplicate",
        edit(ACTUALS, 'period = "2024"', 'period = "2022"'),
        'actual[4] (kpi "digital.rank", period "2022"): '
        "duplicate: actual[3] already records this KPI and period",
    ),
    (
        "bad period",
        edit(ACTUALS, 'period = "2022"', 'period = "2024-13"', 1),
        'period: invalid period "2024-13"',
    ),
    ("bad day", edit(ACTUALS, 'period = "2022"', 'period = "2024-02-30"', 1), "2024-02 has days 01 to 29"),
    ("value above max", edit(ACTUALS, "value = 65", "value = 165"), "value 165 is above the KPI's max 100"),
    (
        "non-finite",
        edit(ACTUALS, "value = 65", "value = -inf"),
        '"value" must be a finite number, not -inf',
    ),
    ("string value", edit(ACTUALS, "value = 65", 'value = "65"'), '"value" must be a number, not "65"'),
    ("typo", edit(ACTUALS, "value = 65", "vaule = 65"), 'unknown key "vaule" (did you mean "value"?)'),
    ("missing source", edit(ACTUALS, 'source = "report"\n', "", 1), 'missing required key "source"'),
    (
        "quoted date",
        edit(ACTUALS, "published = 2024-07-29", 'published = "2024-07-29"'),
        '"published" must be a TOML date without quotes (published = 2024-07-29)',
    ),
    (
        "compound not positive",
        ACTUALS + '\n[[actual]]\nkpi = "digital.revenue"\nperiod = "2024"\nvalue = 0\nsource = "r"\n',
        'value 0 must be positive: the KPI has trend = "compound"',
    ),
    ("inline array", 'actual = [{ kpi = "telecom.fiber" }]\nother = 1\n', 'unknown top-level key "other"'),
    ("not an array", "actual = 3\n", '"actual" must be an array of [[actual]] tables'),
    (
        "bom",
        b"\xef\xbb\xbf" + ACTUALS.encode(),
        "actuals.toml:1:1: starts with a UTF-8 byte-order mark (BOM)",
    ),
    (
        "bad utf-8",
        ACTUALS.encode().replace(b"report", b"rep\xffort", 1),
        "actuals.toml:5:14: invalid UTF-8 (byte 0xff)",
    ),
]


@pytest.mark.parametrize(("case", "actuals", "message"), BAD_ACTUALS, ids=[c[0] for c in BAD_ACTUALS])
def test_bad_actuals(tmp_path: Path, case: str, actuals: str | bytes, message: str) -> None:
    code, output = validate(tmp_path, actuals=actuals)
    assert code == 1
    assert message in output
    assert "Traceback" not in output


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    targets = edit(edit(TARGETS, "max = 100", "mx = 100"), 'direction = "down"', 'direction = "lower"')
    actuals = edit(edit(ACTUALS, 'period = "2022"', 'period = "2024-13"', 1), "value = 67", "value = nan")
    code, output = validate(tmp_path, targets=targets, actuals=actuals)
    assert code == 1
    lines = output.splitlines()
    assert lines[-1] == "4 problems found."
    assert len(lines) == 5


def test_json_format(tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text(edit(TARGETS, "value = 60", "value = nan"), encoding="utf-8")
    (tmp_path / "actuals.toml").write_text("x = [", encoding="utf-8")
    result = run("validate", "--data-dir", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert [p["file"] for p in problems] == [str(tmp_path / "targets.toml"), str(tmp_path / "actuals.toml")]
    assert problems[0]["path"] == 'kpi "telecom.fiber" (kpi[1])'
    assert problems[0]["line"] == 21  # the line of targets = [...] in kpi[1]
    assert problems[1]["line"] == 1 and problems[1]["column"] == 6
    assert set(problems[0]) == {"file", "line", "column", "path", "message", "severity"}


def test_missing_unreadable_and_directory_files(tmp_path: Path) -> None:
    result = run("validate", "--targets", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.toml'}: file not found" in result.output
    (tmp_path / "dir.toml").mkdir()
    result = run("validate", "--targets", str(tmp_path / "dir.toml"))
    assert result.exit_code == 1
    assert "is a directory, not a file" in result.output


def test_missing_actuals_is_fine_unless_named(data_dir: Path) -> None:
    (data_dir / "actuals.toml").unlink()
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0
    named = run("validate", "--data-dir", str(data_dir), "--actuals", str(data_dir / "actuals.toml"))
    assert named.exit_code == 1
    assert "actuals.toml: file not found" in named.output


def test_files_are_found_in_a_parent_directory(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nested = data_dir / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert run("validate").exit_code == 0


def test_no_data_files_anywhere_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 1
    assert f"no targets.toml in {tmp_path.resolve()} or any parent directory" in result.output


def test_data_dir_from_the_environment(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    result = run("validate", env={"KPI_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0


def test_control_characters_in_messages_are_escaped(tmp_path: Path) -> None:
    code, output = validate(tmp_path, actuals=edit(ACTUALS, '"digital.rank"', '"\\u001b[31mx"', 1))
    assert code == 1
    assert "\x1b" not in output
    assert "\\x1b[31mx" in output


def test_files_found_from_the_working_folder_are_named_from_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data_dir / "actuals.toml").write_text(ACTUALS.replace("value = 65", "value = nan"), encoding="utf-8")
    (data_dir / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(data_dir / "deep" / "er")
    result = run("validate", "--lang", "en")
    assert result.exit_code == 1
    assert result.output.startswith(str(Path("..") / ".." / "actuals.toml") + ":"), result.output


def test_a_plan_period_that_is_not_one_is_reported_with_its_figures_checked(data_dir: Path) -> None:
    (data_dir / "targets.toml").write_text(
        edit(TARGETS, 'period = "2021-2025"', 'period = "2021/2025"'), encoding="utf-8"
    )
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert 'period "2021/2025" must look like "2021-2025"' in result.output
    assert "Traceback" not in result.output
