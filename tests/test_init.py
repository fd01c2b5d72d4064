"""kpi init and kpi schema: a new plan from an empty folder, and the format for editors."""

from __future__ import annotations

import json
import shlex
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kpi.schema import actuals_schema, schema_text, targets_schema
from tests.conftest import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_init_then_validate_status_record_show(tmp_path: Path, lang: str) -> None:
    plan = tmp_path / "plan"
    out = run("init", str(plan), "--lang", lang)
    assert out.exit_code == 0, out.output
    assert "kpi validate --data-dir" in out.output and "kpi show" in out.output
    targets = (plan / "targets.toml").read_text(encoding="utf-8")
    assert targets.startswith("#:schema ./schema/targets.schema.json\n")
    assert f'lang = "{lang}"' in targets
    assert f'period = "{date.today().year}-{date.today().year + 4}"' in targets
    assert json.loads((plan / "schema" / "targets.schema.json").read_text()) == targets_schema()
    assert run("validate", "--data-dir", str(plan)).exit_code == 0
    status = run("status", "--data-dir", str(plan), "--lang", lang, "--format", "json")
    assert status.exit_code == 0
    assert {k["status"] for k in json.loads(status.output)["kpis"]} == {"no_data"}
    kpi_id = "chung.ty_le_dvc_truc_tuyen" if lang == "vi" else "general.online_services"
    # The command the actuals file's comment suggests works as written, and counts today.
    header = (plan / "actuals.toml").read_text(encoding="utf-8")
    suggested = next(line for line in header.splitlines() if line.startswith("#   kpi record"))
    recorded = run(*shlex.split(suggested[len("#   kpi ") :]), "--data-dir", str(plan), "--lang", lang)
    assert recorded.exit_code == 0, recorded.output
    figures = tomllib.loads((plan / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    assert figures[0]["value"] == 45.5 and figures[0]["kpi"] == kpi_id
    status = run("status", "--data-dir", str(plan), "--format", "json")
    assert {k["id"]: k["status"] for k in json.loads(status.output)["kpis"]}[kpi_id] != "no_data"
    assert run("show", kpi_id, "--data-dir", str(plan)).exit_code == 0


def test_init_comments_are_in_the_language(tmp_path: Path) -> None:
    run("init", str(tmp_path / "vi"), "--lang", "vi")
    run("init", str(tmp_path / "en"), "--lang", "en")
    vi = (tmp_path / "vi" / "targets.toml").read_text(encoding="utf-8")
    en = (tmp_path / "en" / "targets.toml").read_text(encoding="utf-8")
    assert "càng cao càng tốt" in vi and "higher is better" not in vi
    assert "higher is better" in en and "càng cao" not in en


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "actuals.toml").write_text("# mine\n", encoding="utf-8")
    out = run("init", str(tmp_path), "--lang", "en")
    assert out.exit_code == 1
    assert "actuals.toml already exists" in out.output and "nothing was written" in out.output
    assert (tmp_path / "actuals.toml").read_text(encoding="utf-8") == "# mine\n"
    assert not (tmp_path / "targets.toml").exists()


def test_init_example_shows_something_at_once(tmp_path: Path) -> None:
    out = run("init", str(tmp_path), "--example", "--lang", "en")
    assert out.exit_code == 0, out.output
    assert run("validate", "--data-dir", str(tmp_path)).exit_code == 0
    status = run("status", "--data-dir", str(tmp_path), "--as-of", "2025-06-30", "--format", "json")
    lights = {k["light"] for k in json.loads(status.output)["kpis"]}
    assert lights - {"grey"}, "the example should give some KPIs a colour"
    for command in (("gap",), ("show", "telecom.fiber_households"), ("report", "--format", "html")):
        result = run(*command, "--data-dir", str(tmp_path), "--as-of", "2025-06-30")
        assert result.exit_code == 0, (command, result.output)


def test_the_example_is_the_bundled_data() -> None:
    """Nothing in the example is made up: each figure and KPI is the bundled one, unchanged."""
    targets = tomllib.loads((ROOT / "kpi" / "example" / "targets.toml").read_text(encoding="utf-8"))
    actuals = tomllib.loads((ROOT / "kpi" / "example" / "actuals.toml").read_text(encoding="utf-8"))
    bundled_t = tomllib.loads((ROOT / "targets.toml").read_text(encoding="utf-8"))
    bundled_a = tomllib.loads((ROOT / "actuals.toml").read_text(encoding="utf-8"))
    for kpi in targets["kpi"]:
        assert kpi in bundled_t["kpi"]
    for figure in actuals["actual"]:
        assert figure in bundled_a["actual"]
    assert len(actuals["actual"]) >= 5


def test_no_targets_file_says_kpi_init_creates_one(tmp_path: Path) -> None:
    out = run("status", "--data-dir", str(tmp_path / "nowhere"))
    assert out.exit_code == 1 and "kpi init" in out.output
    assert out.output.count("\n") == 2  # the problem, then the count


# --- schema ----------------------------------------------------------------------------


def test_committed_schemas_are_generated() -> None:
    for which in ("targets", "actuals"):
        committed = (ROOT / "schema" / f"{which}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(which), "run kpi schema targets|actuals -o schema/..."
        assert run("schema", which).output == committed


def _as_json(value: Any) -> Any:
    """TOML's values as an editor's schema checker sees them: dates as ISO strings."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _schema_ok(schema: dict[str, Any], text: str) -> bool:
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return not list(validator.iter_errors(_as_json(tomllib.loads(text))))


def test_the_schema_accepts_the_bundled_data_readme_and_starters(tmp_path: Path) -> None:
    assert _schema_ok(targets_schema(), (ROOT / "targets.toml").read_text(encoding="utf-8"))
    assert _schema_ok(actuals_schema(), (ROOT / "actuals.toml").read_text(encoding="utf-8"))
    run("init", str(tmp_path / "a"), "--lang", "vi")
    assert _schema_ok(targets_schema(), (tmp_path / "a" / "targets.toml").read_text(encoding="utf-8"))
    # Every TOML example in the README that the loader accepts, the schema accepts.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```toml\n")[1:]
    assert blocks
    for block in blocks:
        text = block.split("```", 1)[0]
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue  # a fragment shown for its syntax error
        if "plan" in doc:  # a whole targets.toml: both must accept it
            (tmp_path / "targets.toml").write_text(text, encoding="utf-8")
            (tmp_path / "actuals.toml").write_text("", encoding="utf-8")
            assert run("validate", "--data-dir", str(tmp_path)).exit_code == 0, text
            assert _schema_ok(targets_schema(), text), text
        elif set(doc) == {"actual"}:
            assert _schema_ok(actuals_schema(), text), text


KPI = (
    '[plan]\nname = "P"\nperiod = "2021-2025"\n\n[sectors.s]\nname = "S"\n\n'
    '[[kpi]]\nid = "s.a"\nsector = "s"\nname = "A"\nunit = "%"\n'
)
ACTUAL = '[[actual]]\nkpi = "s.a"\nperiod = "2024"\nvalue = 1\nsource = "x"\n'

# Shape errors, each of which both the loader and the schema must refuse (and the clean ones
# both accept): the same inputs through both, verdicts compared.
TARGET_CASES = [
    KPI,
    KPI + 'direction = "sideways"\n',
    KPI + 'measure = "stock"\n',
    KPI + 'trend = "exponential"\n',
    KPI + 'method = "magic"\n',
    KPI + "min = true\n",
    KPI + 'targets = [{ period = "2025" }]\n',
    KPI + 'targets = [{ period = "2025", value = 1, colour = "red" }]\n',
    KPI + 'targets = [{ period = "2025", value = 1, stretch = 2 }]\n',
    KPI + 'direction = "up"\ntargets = [{ period = "2025", value = 1, stretch = 2 }]\n',
    KPI + 'targets = [{ period = "2025-Q5", value = 1 }]\n',
    KPI + 'colour = "red"\n',
    KPI.replace('unit = "%"\n', ""),
    KPI.replace('name = "A"', 'name = "  "'),
    KPI + '\n[assessment]\nmethod = "cagr"\n',
    KPI + '\n[assessment]\nmethod = "fast"\n',
    KPI + '\n[assessment]\non_track = "high"\n',
    KPI.replace('[plan]\nname = "P"\n', '[plan]\nname = "P"\nlang = "fr"\n'),
    KPI.replace('[plan]\nname = "P"\n', "[plan]\n"),
    KPI + "\n[extra]\nx = 1\n",
    KPI.replace('[sectors.s]\nname = "S"', '[sectors.S]\nname = "S"'),
    KPI.replace('id = "s.a"', 'id = "S.A"'),
    KPI.replace('id = "s.a"', 'id = "s a"'),
    KPI.replace('period = "2021-2025"', 'period = "2021/2025"'),
    KPI + 'base_period = "xyz"\n',
    KPI + "\n[assessment]\non_track = -1\n",
    KPI + 'formula = "growth"\n',
    KPI + 'measure = "flow"\ndirection = "down"\n',
    KPI + 'measure = "flow"\ndirection = "up"\n',
]
ACTUAL_CASES = [
    ACTUAL,
    ACTUAL + "estimated = true\npublished = 2024-07-29\n",
    ACTUAL + "estimated = 1\n",
    ACTUAL + 'published = "hôm qua"\n',
    ACTUAL.replace("value = 1\n", 'value = "1"\n'),
    ACTUAL.replace("value = 1\n", ""),
    ACTUAL.replace('source = "x"\n', ""),
    ACTUAL.replace('period = "2024"', 'period = "2024-13"'),
    ACTUAL + 'colour = "red"\n',
    ACTUAL + 'plan_period = "2024-Q9"\n',
    '[[actual]]\nkpi = "s.a"\n\n[other]\nx = 1\n',
    ACTUAL.replace('kpi = "s.a"', 'kpi = "S.A"'),
    ACTUAL + "plan_share = -0.5\n",
    ACTUAL + 'change = 0.1\nchange_from = "last year"\n',
    ACTUAL + "change = 0.1\n",
]


@pytest.mark.parametrize("case", range(len(TARGET_CASES) + len(ACTUAL_CASES)))
def test_schema_and_loader_agree(tmp_path: Path, case: int) -> None:
    if case < len(TARGET_CASES):
        targets, actuals, schema = TARGET_CASES[case], "", targets_schema()
        checked = targets
    else:
        targets, actuals, schema = KPI, ACTUAL_CASES[case - len(TARGET_CASES)], actuals_schema()
        checked = actuals
    (tmp_path / "targets.toml").write_text(targets, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(actuals, encoding="utf-8")
    loader_ok = run("validate", "--data-dir", str(tmp_path)).exit_code == 0
    assert _schema_ok(schema, checked) == loader_ok, checked


def test_the_printed_next_commands_work_as_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_DATA_DIR", str(ROOT))  # another plan in the environment must not win
    out = run("init", str(tmp_path / "ex"), "--example")
    commands = [line.split()[1:] for line in out.output.splitlines() if line.startswith("  kpi ")]
    assert len(commands) == 3
    for command in commands:
        assert run(*command).exit_code == 0, command
    status = next(c for c in commands if c[0] == "status")
    doc = json.loads(run(*status, "--format", "json").output)
    assert len(doc["kpis"]) == 7 and {k["light"] for k in doc["kpis"]} - {"grey"}


def test_init_writes_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "p" / "schema").mkdir(parents=True)
    (tmp_path / "p" / "schema").chmod(0o555)
    try:
        out = run("init", str(tmp_path / "p"))
    finally:
        (tmp_path / "p" / "schema").chmod(0o755)
    assert out.exit_code == 1 and "read-only" in out.output
    assert sorted(p.name for p in (tmp_path / "p").rglob("*")) == ["schema"]


def test_init_into_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    out = run("init", str(tmp_path / "f"))
    assert out.exit_code == 1 and "is a file, not a folder; nothing was written" in out.output
    assert (tmp_path / "f").read_text(encoding="utf-8") == "x"


def test_the_init_hint_only_for_a_targets_toml(tmp_path: Path) -> None:
    assert "kpi init" not in run("validate", "--targets", str(tmp_path / "t.toml")).output
    assert "kpi init" in run("validate", "--data-dir", str(tmp_path)).output
