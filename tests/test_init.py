"""kpi init and kpi schema: a new plan from an empty folder, and the format for editors."""

from __future__ import annotations

import json
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
    # The command the actuals file's comment suggests works as written.
    value = "45,5" if lang == "vi" else "45.5"
    year = str(date.today().year)
    recorded = run("record", kpi_id, value, "--period", year, "--source", "s", "--data-dir", str(plan))
    assert recorded.exit_code == 0, recorded.output
    figures = tomllib.loads((plan / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    assert figures[0]["value"] == 45.5
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
        schema = actuals_schema() if set(doc) == {"actual"} else targets_schema() if "plan" in doc else None
        if schema is not None:
            assert _schema_ok(schema, text), text


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
