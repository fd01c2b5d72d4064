"""A plan whose figures are in several actuals files: [files] actuals, --actuals given often,
duplicates across files, and the one file kpi record and kpi import write to."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kpi.datafiles import expand, matches
from tests.conftest import TARGETS, run

FIGURE = '[[actual]]\nkpi = "telecom.fiber"\nperiod = "{period}"\nvalue = {value}\nsource = "{source}"\n'


def figure(period: str, value: float, source: str = "report", published: str | None = None) -> str:
    text = FIGURE.format(period=period, value=value, source=source)
    return text + (f"published = {published}\n" if published else "") + "\n"


@pytest.fixture
def plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """targets.toml naming actuals.toml and units/*.toml; three files of figures."""
    (tmp_path / "targets.toml").write_text(
        '[files]\nactuals = ["actuals.toml", "units/*.toml"]\n\n' + TARGETS, encoding="utf-8"
    )
    (tmp_path / "units").mkdir()
    (tmp_path / "actuals.toml").write_text(figure("2022", 65), encoding="utf-8")
    (tmp_path / "units" / "hanoi.toml").write_text(figure("2023", 70, "hn"), encoding="utf-8")
    (tmp_path / "units" / "danang.toml").write_text(figure("2021", 61, "dn"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def values(*args: str) -> dict[str, float]:
    result = run("show", "telecom.fiber", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {a["period"]: a["value"] for a in json.loads(result.output)["actuals"]}


def test_the_figures_of_every_file_the_patterns_name_count(plan: Path) -> None:
    assert values() == {"2021": 61, "2022": 65, "2023": 70}
    result = run("validate")
    assert result.exit_code == 0 and "3 actuals" in result.output


def test_each_pattern_finds_its_files_sorted_and_never_a_hidden_one(plan: Path) -> None:
    (plan / "units" / ".#hanoi.toml").write_text("not = [toml", encoding="utf-8")
    (plan / "units" / "sub").mkdir()
    (plan / "units" / "sub" / "deep.toml").write_text("not = [toml", encoding="utf-8")
    found = [
        (path.relative_to(plan).as_posix(), pattern) for path, pattern in expand(plan, ("units/*.toml",))
    ]
    assert found == [("units/danang.toml", "units/*.toml"), ("units/hanoi.toml", "units/*.toml")]
    assert run("validate").exit_code == 0  # a wildcard never crosses a / nor names a dot file
    assert matches(plan / "units" / "x.toml", plan, ("units/*.toml",))
    assert not matches(plan / "units" / "sub" / "deep.toml", plan, ("units/*.toml",))
    assert not matches(plan / "units" / ".x.toml", plan, ("units/*.toml",))
    assert matches(plan / "units" / ".x.toml", plan, ("units/.*.toml",))


def test_every_problem_names_its_own_file(plan: Path) -> None:
    (plan / "units" / "hanoi.toml").write_text(figure("2023", 170), encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert result.output.startswith(str(Path("units") / "hanoi.toml") + ":4:1: actual[1]"), result.output


def test_a_figure_two_files_record_is_a_duplicate_naming_both(plan: Path) -> None:
    (plan / "units" / "hanoi.toml").write_text(figure("2023", 70) + figure("2022", 66), encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    [line] = [x for x in result.output.splitlines() if "duplicate" in x]
    assert line.startswith(str(Path("units") / "hanoi.toml") + ":7:1: actual[2]")
    assert "duplicate: actuals.toml actual[1] already records this KPI and period" in line


def test_the_same_day_in_another_form_in_another_file_is_two_figures_for_one_day(plan: Path) -> None:
    (plan / "units" / "hanoi.toml").write_text(figure("2022-12", 66), encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert 'two figures for one day: actuals.toml actual[1] (period "2022")' in result.output


def test_a_revision_in_another_file_is_allowed_when_both_have_their_dates(plan: Path) -> None:
    (plan / "actuals.toml").write_text(figure("2022", 65, published="2023-02-01"), encoding="utf-8")
    (plan / "units" / "hanoi.toml").write_text(figure("2022", 66, published="2023-06-01"), encoding="utf-8")
    assert run("validate").exit_code == 0
    assert values()["2022"] == 66  # the later revision counts


def test_actuals_given_several_times_are_the_plan_s_figures(data_dir: Path) -> None:
    (data_dir / "more.toml").write_text(figure("2023", 70), encoding="utf-8")
    args = ["--data-dir", str(data_dir), "--actuals", str(data_dir / "actuals.toml")]
    both = values(*args, "--actuals", str(data_dir / "more.toml"))
    assert both["2023"] == 70 and both["2022"] == 65
    result = run("validate", "--actuals", str(data_dir / "missing.toml"), "--data-dir", str(data_dir))
    assert result.exit_code == 1 and "missing.toml" in result.output


@pytest.mark.parametrize(
    ("files", "wanted"),
    [
        ('actuals = "/srv/kpi/*.toml"', "must be relative to targets.toml"),
        ('actuals = "units/**/*.toml"', "** is not supported"),
        ("actuals = []", "must be a file pattern or a non-empty array of them"),
        ('actuals = ["units/*.toml"]\nrecord_to = "other/x.toml"', 'record_to "other/x.toml" is not one of'),
        ('actuals = ["units/*.toml"]\nrecord_to = "units/*.toml"', "must name one file, not a pattern"),
        ('actuals = "units/*.toml"\nrecord = "units/x.toml"', 'unknown key "record"'),
        ('actuals = ["a\\u0000.toml"]', "holds a NUL character"),
        ('orgs = "o\\u0000.toml"', "holds a NUL character"),
        ('actuals = ["*.toml"]\nrecord_to = "targets.toml"', 'record_to "targets.toml" is targets.toml or'),
    ],
)
def test_a_wrong_files_table_is_an_error(plan: Path, files: str, wanted: str) -> None:
    (plan / "targets.toml").write_text(f"[files]\n{files}\n\n{TARGETS}", encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert wanted in result.output and "targets.toml" in result.output


def test_a_pattern_that_matches_nothing_is_a_warning_and_a_named_file_must_exist(plan: Path) -> None:
    (plan / "targets.toml").write_text(
        '[files]\nactuals = "provinces/*.toml"\n\n' + TARGETS, encoding="utf-8"
    )
    result = run("validate")
    assert result.exit_code == 0 and '"provinces/*.toml" matches no file' in result.output
    (plan / "targets.toml").write_text('[files]\nactuals = "figures.toml"\n\n' + TARGETS, encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1 and "figures.toml" in result.output


def test_record_writes_to_record_to(plan: Path) -> None:
    text = (plan / "targets.toml").read_text(encoding="utf-8")
    (plan / "targets.toml").write_text(
        text.replace('"units/*.toml"]\n', '"units/*.toml"]\nrecord_to = "units/hue.toml"\n'), encoding="utf-8"
    )
    result = run("record", "telecom.fiber", "74", "--period", "2024", "--source", "hue")
    assert result.exit_code == 0, result.output
    assert "units/hue.toml" in result.output
    assert 'period = "2024"' in (plan / "units" / "hue.toml").read_text(encoding="utf-8")
    assert values()["2024"] == 74


def test_record_with_several_files_and_no_rule_asks_which(plan: Path) -> None:
    before = {p: p.read_bytes() for p in plan.rglob("*.toml")}
    result = run("record", "telecom.fiber", "74", "--period", "2024", "--source", "x")
    assert result.exit_code == 2
    assert "the plan's actuals are actuals.toml, units/*.toml" in result.output
    assert "--actuals" in result.output
    assert {p: p.read_bytes() for p in plan.rglob("*.toml")} == before


def test_record_writes_to_actuals_given_only_when_the_plan_reads_it(plan: Path) -> None:
    result = run(
        "record", "telecom.fiber", "74", "--period", "2024", "--source", "x", "--actuals", "units/hue.toml"
    )
    assert result.exit_code == 0, result.output
    assert values()["2024"] == 74
    result = run(
        "record", "telecom.fiber", "75", "--period", "2025", "--source", "x", "--actuals", "elsewhere.toml"
    )
    assert result.exit_code == 2 and "would not count" in result.output
    assert not (plan / "elsewhere.toml").exists()
    twice = ["--actuals", "actuals.toml", "--actuals", "units/hue.toml"]
    result = run("record", "telecom.fiber", "75", "--period", "2025", "--source", "x", *twice)
    assert result.exit_code == 2 and "give --actuals once" in result.output


def test_record_refuses_a_figure_another_file_already_records(plan: Path) -> None:
    hanoi = plan / "units" / "hanoi.toml"
    before = hanoi.read_bytes()
    result = run(
        "record", "telecom.fiber", "66", "--period", "2022", "--source", "x", "--actuals", str(hanoi)
    )
    assert result.exit_code == 1
    assert "duplicate: actuals.toml: actual[1] already records this KPI and period" in result.output
    assert hanoi.read_bytes() == before


def test_record_s_status_counts_the_other_files(plan: Path) -> None:
    # 2025's figure (in another file) reaches the target: without it the KPI would await one.
    (plan / "units" / "danang.toml").write_text(figure("2025", 85), encoding="utf-8")
    hanoi = ["--actuals", "units/hanoi.toml"]
    result = run("record", "telecom.fiber", "71", "--period", "2023-06", "--source", "x", *hanoi)
    assert result.exit_code == 0, result.output
    assert "status now ✔ achieved" in result.output, result.output


def test_import_skips_what_another_file_holds_and_refuses_what_contradicts_it(plan: Path) -> None:
    sheet = plan / "in.csv"
    sheet.write_text("kpi,period,value,source\ntelecom.fiber,2022,65,report\n", encoding="utf-8")
    result = run("import", str(sheet), "--actuals", "units/hanoi.toml")
    assert result.exit_code == 0, result.output
    assert "no new figures" in result.output
    sheet.write_text("kpi,period,value,source\ntelecom.fiber,2022,66,other\n", encoding="utf-8")
    before = (plan / "units" / "hanoi.toml").read_bytes()
    result = run("import", str(sheet), "--actuals", "units/hanoi.toml")
    assert result.exit_code == 1 and "actuals.toml actual[1]" in result.output
    assert (plan / "units" / "hanoi.toml").read_bytes() == before


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_at_a_git_revision_reads_the_files_committed_then(plan: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=plan, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "figures")
    (plan / "units" / "hue.toml").write_text(figure("2024", 80), encoding="utf-8")
    result = run("diff", "HEAD", "--format", "json", "--as-of", "2025-01-01")
    assert result.exit_code == 0, result.output
    # Only the new file's figure is new: the committed units/*.toml were read at HEAD too.
    figures = json.loads(result.output)["figures"]
    assert [(f["period"], f["before"], f["after"]["value"]) for f in figures] == [("2024", None, 80)]


def git_commit(folder: Path) -> None:
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "figures"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=folder, check=True,
                       capture_output=True)  # fmt: skip


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_at_a_revision_finds_files_outside_the_plan_s_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plan").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "plan" / "targets.toml").write_text(
        '[files]\nactuals = ["../shared/*.toml"]\n\n' + TARGETS, encoding="utf-8"
    )
    (tmp_path / "shared" / "hanoi.toml").write_text(figure("2022", 65), encoding="utf-8")
    git_commit(tmp_path)
    (tmp_path / "shared" / "hanoi.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "plan")
    result = run("diff", "HEAD", "--format", "json", "--as-of", "2025-01-01")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["figures"]
    assert [(f["period"], f["before"]["value"], f["after"]) for f in figures] == [("2022", 65, None)]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_at_a_revision_reads_each_file_once_and_never_targets_toml(plan: Path) -> None:
    text = (plan / "targets.toml").read_text(encoding="utf-8")
    (plan / "targets.toml").write_text(text.replace('"units/*.toml"]', '"units/*.toml", "*.toml"]'))
    (plan / "units" / "link.toml").symlink_to(Path("..") / "actuals.toml")
    assert run("validate").exit_code == 0
    git_commit(plan)
    result = run("diff", "HEAD", "--as-of", "2025-01-01")
    assert result.exit_code == 0, result.output
    assert "No change." in result.output


def test_a_hard_link_is_the_same_file(plan: Path) -> None:
    (plan / "units" / "copy.toml").hardlink_to(plan / "actuals.toml")
    assert run("validate").exit_code == 0
    result = run("validate", "--actuals", "actuals.toml", "--actuals", "units/copy.toml")
    assert result.exit_code == 0 and "1 actual" in result.output, result.output


def test_record_to_is_judged_from_targets_toml_s_folder_wherever_kpi_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plan").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "plan" / "targets.toml").write_text(
        '[files]\nactuals = ["../shared/*.toml"]\nrecord_to = "../shared/a.toml"\n\n' + TARGETS,
        encoding="utf-8",
    )
    (tmp_path / "shared" / "a.toml").write_text(figure("2022", 65), encoding="utf-8")
    monkeypatch.chdir("/")
    data = ("--data-dir", str(tmp_path / "plan"))
    assert run("validate", *data).exit_code == 0
    result = run("record", "telecom.fiber", "70", "--period", "2023", "--source", "x", *data)
    assert result.exit_code == 0, result.output
    assert 'period = "2023"' in (tmp_path / "shared" / "a.toml").read_text(encoding="utf-8")


def test_a_duplicate_across_files_names_the_figure_it_clashes_with(plan: Path) -> None:
    (plan / "actuals.toml").write_text(figure("2022", 65, published="2023-01-10"), encoding="utf-8")
    (plan / "units" / "danang.toml").write_text(figure("2022", 66, published="2023-02-10"), encoding="utf-8")
    (plan / "units" / "hanoi.toml").write_text(figure("2022", 67, published="2023-02-10"), encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    [line] = [x for x in result.output.splitlines() if "duplicate" in x]
    assert "hanoi.toml" in line.split(":")[0] and "duplicate: " + str(Path("units") / "danang.toml") in line


def test_a_file_named_twice_is_the_one_to_record_to(plan: Path) -> None:
    (plan / "targets.toml").write_text('[files]\nactuals = ["actuals.toml", "./actuals.toml"]\n\n' + TARGETS)
    result = run("record", "telecom.fiber", "70", "--period", "2023", "--source", "x")
    assert result.exit_code == 0, result.output
    assert 'period = "2023"' in (plan / "actuals.toml").read_text(encoding="utf-8")


def test_targets_toml_is_never_a_file_of_figures(plan: Path) -> None:
    result = run("validate", "--actuals", "targets.toml")
    assert result.exit_code == 2 and "same file" in result.output
    text = (plan / "targets.toml").read_text(encoding="utf-8")
    (plan / "targets.toml").write_text(
        text.replace('"units/*.toml"]', '"*.toml"]\nrecord_to = "targets.toml"')
    )
    before = (plan / "targets.toml").read_bytes()
    result = run("record", "telecom.fiber", "70", "--period", "2023", "--source", "x")
    assert result.exit_code == 2 and 'record_to "targets.toml"' in result.output, result.output
    assert (plan / "targets.toml").read_bytes() == before


def test_a_figure_in_another_file_is_corrected_or_deleted_there(plan: Path) -> None:
    text = (plan / "targets.toml").read_text(encoding="utf-8")
    (plan / "targets.toml").write_text(
        text.replace('"units/*.toml"]', '"units/*.toml"]\nrecord_to = "actuals.toml"')
    )
    before = {p: p.read_bytes() for p in plan.rglob("*.toml")}
    hanoi = str(Path("units") / "hanoi.toml")
    result = run("record", "telecom.fiber", "--period", "2023", "--delete")
    assert (
        result.exit_code == 1 and f"{hanoi} holds it: give --actuals {hanoi} with --delete" in result.output
    )
    result = run("record", "telecom.fiber", "71", "--period", "2023", "--source", "x", "--replace")
    assert result.exit_code == 1 and f"give --actuals {hanoi} with --replace" in result.output
    # the same figure as the loader sees it: a level's 2023-12 is its 2023
    result = run("record", "telecom.fiber", "--period", "2023-12", "--delete")
    assert result.exit_code == 1 and f"{hanoi} holds it" in result.output
    result = run("record", "telecom.fiber", "--period", "2023", "--delete", "--published", "2024-01-01")
    assert result.exit_code == 1 and "holds it" not in result.output  # no such revision there
    assert {p: p.read_bytes() for p in plan.rglob("*.toml")} == before
    result = run("record", "telecom.fiber", "--period", "2023", "--delete", "--actuals", hanoi)
    assert result.exit_code == 0, result.output


def test_import_says_which_files_hold_what_it_skipped(plan: Path) -> None:
    sheet = plan / "in.csv"
    sheet.write_text("kpi,period,value,source\ntelecom.fiber,2023,70,hn\n", encoding="utf-8")
    result = run("import", str(sheet), "--actuals", "actuals.toml")
    assert result.exit_code == 0, result.output
    assert "1 already in actuals.toml, " in result.output and "hanoi.toml" in result.output


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_says_the_problems_of_a_revision_in_the_plan_s_language(plan: Path) -> None:
    text = (plan / "targets.toml").read_text(encoding="utf-8")
    (plan / "targets.toml").write_text(text.replace("[plan]\n", '[plan]\nlang = "en"\n'), encoding="utf-8")
    (plan / "actuals.toml").write_text(figure("2022", 65).replace("telecom.fiber", "telecom.nope"))
    git_commit(plan)
    (plan / "actuals.toml").write_text(figure("2022", 65), encoding="utf-8")
    result = run("diff", "HEAD", env={"KPI_LANG": ""})
    assert result.exit_code == 1
    assert 'unknown KPI "telecom.nope"' in result.output and "the data at HEAD has problems" in result.output


def test_a_pattern_never_silently_skips_a_file_it_cannot_read(plan: Path) -> None:
    os.mkfifo(plan / "units" / "pipe.toml")
    (plan / "units" / "broken.toml").symlink_to(plan / "nowhere.toml")
    (plan / "units" / "loop.toml").symlink_to("loop.toml")
    result = run("validate", "--lang", "en")
    assert result.exit_code == 1, result.output
    for name, wanted in (
        ("pipe", "not a regular file"),
        ("broken", "file not found"),
        ("loop", "cannot read"),
    ):
        assert any(line.startswith(str(Path("units") / f"{name}.toml")) and wanted in line
                   for line in result.output.splitlines()), (name, result.output)  # fmt: skip


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_at_a_revision_follows_committed_links_as_the_checkout_would(tmp_path: Path) -> None:
    """A folder the pattern names that is a committed link, and a committed link to a file out
    of the repository: read as a checkout of the revision would read them, never as new."""
    repo, outside = tmp_path / "repo", tmp_path / "outside.toml"
    (repo / "plan").mkdir(parents=True)
    (repo / "realdata").mkdir()
    (repo / "plan" / "targets.toml").write_text(
        '[files]\nactuals = ["data/*.toml", "ext/*.toml"]\n\n' + TARGETS, encoding="utf-8"
    )
    (repo / "realdata" / "one.toml").write_text(figure("2022", 65), encoding="utf-8")
    (repo / "plan" / "data").symlink_to(Path("..") / "realdata")
    (repo / "plan" / "ext").mkdir()
    outside.write_text(figure("2021", 61), encoding="utf-8")
    (repo / "plan" / "ext" / "far.toml").symlink_to(outside)
    git_commit(repo)
    result = run("diff", "HEAD", "--as-of", "2025-01-01", "--data-dir", str(repo / "plan"), "--lang", "en")
    assert result.exit_code == 0 and "No change." in result.output, result.output
    (repo / "realdata" / "one.toml").write_text(figure("2022", 66), encoding="utf-8")
    result = run(
        "diff", "HEAD", "--as-of", "2025-01-01", "--data-dir", str(repo / "plan"), "--format", "json"
    )
    figures = json.loads(result.output)["figures"]
    assert [(f["period"], f["before"]["value"], f["after"]["value"]) for f in figures] == [("2022", 65, 66)]
