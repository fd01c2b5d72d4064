"""Revisions of figures, correcting and deleting them, and `kpi diff` between dates and commits."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from datetime import date
from pathlib import Path

import pytest
import tomli_w

from kpi.assess import assess_kpi
from kpi.model import Actual, Kpi, Target
from kpi.periods import parse_period
from tests.builders import edit
from tests.conftest import ACTUALS, TARGETS, run

K = Kpi("k", "s", "K", "%", targets=(Target(parse_period("2025"), 80),))


def fig(period: str, value: float, published: date, estimated: bool = False) -> Actual:
    return Actual("k", parse_period(period), value, "s", estimated, published)


# --- which revision counts ----------------------------------------------------------------


def test_estimate_then_final_figure() -> None:
    estimate = fig("2024", 70, date(2024, 12, 20), estimated=True)
    final = fig("2024", 82, date(2025, 3, 1))
    before = assess_kpi(K, [estimate, final], date(2025, 1, 15))
    after = assess_kpi(K, [estimate, final], date(2025, 3, 1))
    assert before.latest == estimate and after.latest == final


def test_two_revisions_three_dates_and_a_flipped_status() -> None:
    first = fig("2024", 82, date(2025, 1, 10))
    second = fig("2024", 79, date(2025, 4, 10))
    k = K._replace(targets=(Target(parse_period("2024"), 80),))
    order = [second, first]  # the file's order never matters
    assert assess_kpi(k, order, date(2025, 1, 1)).status == "no_data"
    between = assess_kpi(k, order, date(2025, 2, 1))
    assert between.latest == first and between.status == "achieved"
    after = assess_kpi(k, order, date(2025, 5, 1))
    assert after.latest == second and after.status == "missed"  # the revision flips the verdict


# --- the files ---------------------------------------------------------------------------------

REVISED = edit(
    ACTUALS,
    'period = "2024"\nvalue = 67\nsource = "report"\n',
    'period = "2024"\nvalue = 67\npublished = 2025-01-10\nsource = "report"\n',
)


def test_a_revision_needs_distinct_published_dates(data_dir: Path) -> None:
    revision = (
        '\n[[actual]]\nkpi = "digital.rank"\nperiod = "2024"\nvalue = 65'
        '\npublished = 2025-03-01\nsource = "r2"\n'
    )
    (data_dir / "actuals.toml").write_text(REVISED + revision, encoding="utf-8")
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0
    same = revision.replace("2025-03-01", "2025-01-10")
    (data_dir / "actuals.toml").write_text(REVISED + same, encoding="utf-8")
    result = run("validate", "--data-dir", str(data_dir))
    assert (
        result.exit_code == 1 and "duplicate: actual[4] already records this KPI and period" in result.output
    )
    (data_dir / "actuals.toml").write_text(ACTUALS + revision, encoding="utf-8")  # the first has no date
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 1


def test_an_early_revision_that_is_no_estimate_warns(data_dir: Path) -> None:
    early = (
        '\n[[actual]]\nkpi = "digital.rank"\nperiod = "2024"\nvalue = 66'
        '\npublished = 2024-12-01\nsource = "r"\n'
    )
    (data_dir / "actuals.toml").write_text(REVISED + early, encoding="utf-8")
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 0
    assert (
        "warning: a revision published on 2024-12-01, before its period ended, should be estimated"
        in result.output
    )


RANK = ("record", "digital.rank")


def test_record_adds_a_revision_and_refuses_an_older_one(data_dir: Path) -> None:
    (data_dir / "actuals.toml").write_text(REVISED, encoding="utf-8")
    args = ("--period", "2024", "--source", "final", "--data-dir", str(data_dir))
    added = run(*RANK, "65", *args, "--published", "2025-03-01")
    assert added.exit_code == 0, added.output
    assert "revised digital.rank 2024: 67 → 65 (-3.0 %)" in added.output
    assert (data_dir / "actuals.toml").read_text(encoding="utf-8").startswith(REVISED)
    older = run(*RANK, "64", *args, "--published", "2025-02-01")
    assert older.exit_code == 1 and "a revision must be published after the latest one" in older.output
    undated = run(*RANK, "64", *args)
    assert undated.exit_code == 1 and "or --published with a later date to add a revision" in undated.output
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0
    doc = json.loads(run("show", "digital.rank", "--data-dir", str(data_dir), "--format", "json").output)
    assert [r["value"] for r in doc["revisions"]["2024"]] == [67, 65]
    table = run(
        "show", "digital.rank", "--data-dir", str(data_dir), "--lang", "en", env={"COLUMNS": "120"}
    ).output
    assert "revises 67" in table and "◉" in table  # the revised point has its own glyph
    assert [(a["value"], a["published"]) for a in doc["actuals"] if a["period"] == "2024"] == [
        (67, "2025-01-10"),
        (65, "2025-03-01"),
    ]


def test_replace_keeps_the_fields_not_given_and_says_what_changed(data_dir: Path) -> None:
    text = edit(
        ACTUALS,
        'period = "2024-05"\nvalue = 82.2\npublished = 2024-07-29\nsource = "report"\n',
        'period = "2024-05"\nvalue = 82.2\npublished = 2024-07-29\nsource = "report"\n'
        'quote = "đạt 82,2%"\nnote = "n"\n',
    )
    (data_dir / "actuals.toml").write_text(text, encoding="utf-8")
    args = (
        "record",
        "telecom.fiber",
        "82.4",
        "--period",
        "2024-05",
        "--replace",
        "--data-dir",
        str(data_dir),
    )
    dry = run(*args, "--dry-run")
    assert dry.exit_code == 0
    assert (
        "# replaces:\n[[actual]]" in dry.output
        and "value = 82.2" in dry.output
        and "value = 82.4" in dry.output
    )
    assert (data_dir / "actuals.toml").read_text(encoding="utf-8") == text
    result = run(*args)
    assert result.exit_code == 0 and "changed: value" in result.output
    new = (data_dir / "actuals.toml").read_text(encoding="utf-8")
    assert 'value = 82.4\npublished = 2024-07-29\nsource = "report"\nquote = "đạt 82,2%"\nnote = "n"\n' in new
    assert new.replace("82.4", "82.2", 1) == text  # only that line changed


def test_delete_removes_one_figure_and_keeps_every_other_byte(data_dir: Path) -> None:
    (data_dir / "actuals.toml").write_text(REVISED, encoding="utf-8")
    args = ("record", "digital.rank", "--period", "2022", "--delete", "--data-dir", str(data_dir))
    result = run(*args)
    assert result.exit_code == 0 and "deleted digital.rank 2022 = 73" in result.output
    block = '[[actual]]\nkpi = "digital.rank"\nperiod = "2022"\nvalue = 73\nsource = "report"\n\n'
    assert (data_dir / "actuals.toml").read_text(encoding="utf-8") == REVISED.replace(block, "")
    again = run(*args)
    assert again.exit_code == 1 and 'no figure of digital.rank for period "2022" to delete' in again.output
    with_value = run(
        "record", "digital.rank", "1", "--period", "2024", "--delete", "--data-dir", str(data_dir)
    )
    assert with_value.exit_code == 2


def test_delete_one_revision_of_several(data_dir: Path) -> None:
    (data_dir / "actuals.toml").write_text(REVISED, encoding="utf-8")
    run(
        *RANK,
        "65",
        "--period",
        "2024",
        "--source",
        "r",
        "--published",
        "2025-03-01",
        "--data-dir",
        str(data_dir),
    )
    ambiguous = run("record", "digital.rank", "--period", "2024", "--delete", "--data-dir", str(data_dir))
    assert ambiguous.exit_code == 1 and "has 2 revisions; say which with --published" in ambiguous.output
    chosen = run("record", "digital.rank", "--period", "2024", "--delete", "--published", "2025-03-01",
                 "--data-dir", str(data_dir))  # fmt: skip
    assert chosen.exit_code == 0
    assert (data_dir / "actuals.toml").read_text(encoding="utf-8") == REVISED


# --- kpi diff between dates ------------------------------------------------------------------


def test_diff_between_dates(data_dir: Path) -> None:
    revision = (
        '\n[[actual]]\nkpi = "telecom.fiber"\nperiod = "2024-05"\nvalue = 70\npublished = 2025-03-01\n'
        'source = "r"\n'
    )
    (data_dir / "actuals.toml").write_text(ACTUALS + revision, encoding="utf-8")
    args = ("diff", "--from", "2025-02-01", "--to", "2025-04-01", "--data-dir", str(data_dir))
    doc = json.loads(run(*args, "--format", "json").output)
    assert [(f["kpi"], f["period"], f["before"]["value"], f["after"]["value"]) for f in doc["figures"]] == [
        ("telecom.fiber", "2024-05", 82.2, 70)
    ]
    [status] = doc["statuses"]
    assert status["kpi"] == "telecom.fiber" and status["worse"] and doc["worse"]
    assert (status["before"]["light"], status["after"]["light"]) == ("green", "amber")
    table = run(*args, "--lang", "en")
    assert "Revised figures" in table.output and "telecom.fiber 2024-05: 82.2 → 70.0" in table.output
    assert "✔ achieved → ▲ acceleration needed" in table.output
    assert run(*args, "--fail-on-worse").exit_code == 1
    assert run("diff", "--from", "2025-02-01", "--to", "2025-02-02", "--fail-on-worse", "--data-dir",
               str(data_dir)).exit_code == 0  # fmt: skip
    md = run(*args, "--format", "markdown", "--lang", "vi").output
    assert md.startswith("## ") and "🟢 Đã đạt → 🟡 Cần tăng tốc" in md
    due = json.loads(run("diff", "--from", "2025-06-30", "--to", "2026-01-15", "--data-dir", str(data_dir),
                         "--format", "json").output)  # fmt: skip
    assert {d["kpi"] for d in due["became_due"]} == {"telecom.fiber", "digital.rank"}


# --- kpi diff between commits -----------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "plan"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "targets.toml").write_text(TARGETS, encoding="utf-8")
    git(repo, "add", "targets.toml")
    git(repo, "commit", "-qm", "targets only: no actuals.toml yet")
    (repo / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    git(repo, "add", "actuals.toml")
    git(repo, "commit", "-qm", "figures")
    git(repo, "tag", "v1")
    return repo


@needs_git
def test_diff_against_a_revision(repo: Path) -> None:
    # an edit: a deleted figure, a changed target, a renamed KPI
    text = edit(
        ACTUALS, '[[actual]]\nkpi = "digital.rank"\nperiod = "2022"\nvalue = 73\nsource = "report"\n\n', ""
    )
    (repo / "actuals.toml").write_text(text, encoding="utf-8")
    targets = edit(
        edit(TARGETS, "value = 80 }", "value = 85 }"), 'id = "digital.revenue"', 'id = "digital.sales"'
    )
    (repo / "targets.toml").write_text(targets, encoding="utf-8")
    args = ("diff", "v1", "--as-of", "2025-06-30", "--data-dir", str(repo))
    doc = json.loads(run(*args, "--format", "json").output)
    assert doc["from"] == {"revision": "v1", "as_of": "2025-06-30"}
    assert doc["to"] == {"revision": None, "as_of": "2025-06-30"}
    deleted = [f for f in doc["figures"] if f["after"] is None]
    assert [(f["kpi"], f["period"]) for f in deleted] == [("digital.rank", "2022")]
    assert [(t["kpi"], t["before"]["value"], t["after"]["value"]) for t in doc["targets"]] == [
        ("telecom.fiber", 80.0, 85.0)
    ]
    renamed = {s["kpi"]: s for s in doc["statuses"]}
    assert renamed["digital.revenue"]["after"] is None and renamed["digital.sales"]["before"] is None
    table = run(*args, "--lang", "en").output
    assert "What changed from v1 to the working tree" in table and "Deleted figures" in table


@needs_git
def test_diff_between_two_revisions_and_a_file_missing_then(repo: Path) -> None:
    result = run(
        "diff", "HEAD~1", "HEAD", "--as-of", "2025-06-30", "--data-dir", str(repo), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert (
        len([f for f in doc["figures"] if f["before"] is None]) == 4
    )  # actuals.toml did not exist at HEAD~1


@needs_git
def test_diff_revision_errors(repo: Path, tmp_path: Path) -> None:
    unknown = run("diff", "no-such-rev", "--data-dir", str(repo))
    assert unknown.exit_code == 2 and 'unknown git revision "no-such-rev"' in unknown.output
    option = run("diff", "--", "--output=/tmp/x", "--data-dir", str(repo))
    assert option.exit_code == 2
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "targets.toml").write_text(TARGETS, encoding="utf-8")
    result = run("diff", "HEAD", "--data-dir", str(outside))
    assert result.exit_code == 2 and "is not in a git repository" in result.output
    assert run("diff", "--data-dir", str(repo)).exit_code == 2  # neither --from nor a revision


def test_diff_between_dates_says_them_in_json() -> None:
    doc = json.loads(run("diff", "--from", "2024-06-30", "--to", "2024-12-31", "--format", "json").output)
    assert doc["from"] == {"revision": None, "as_of": "2024-06-30"}
    assert doc["to"] == {"revision": None, "as_of": "2024-12-31"}


def test_diff_from_after_to_is_a_usage_error() -> None:
    out = run("diff", "--from", "2025-01-01", "--to", "2024-01-01")
    assert out.exit_code == 2 and "--from 2025-01-01 is after --to 2024-01-01" in out.output


@pytest.mark.parametrize("timeout", ["-1", "nan", "inf"])
def test_lock_timeout_must_be_a_sane_number(timeout: str) -> None:
    out = run("record", "telecom.fiber_households", "1", "--period", "2024", "--lock-timeout", timeout)
    assert out.exit_code == 2 and "--lock-timeout" in out.output


@needs_git
def test_fail_on_worse_cannot_be_passed_by_hiding(repo: Path) -> None:
    args = ("--as-of", "2025-06-30", "--data-dir", str(repo))
    lights = {
        k["id"]: k["light"] for k in json.loads(run("status", *args, "--format", "json").output)["kpis"]
    }
    lit = sorted(k for k, light in lights.items() if light != "grey")
    assert lit, lights
    doc = tomllib.loads(ACTUALS)
    # Delete every figure of a KPI with a light: it turns grey, which is worse.
    kept = [a for a in doc["actual"] if a["kpi"] != lit[0]]
    (repo / "actuals.toml").write_text(tomli_w.dumps({"actual": kept}), encoding="utf-8")
    assert run("diff", "v1", *args, "--fail-on-worse").exit_code == 1
    (repo / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    assert run("diff", "v1", *args, "--fail-on-worse").exit_code == 0
