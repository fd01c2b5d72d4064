"""The published pre-commit hook, run for real with `pre-commit try-repo`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import edit
from tests.conftest import ACTUALS, REPO, TARGETS


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_kpi_validate_hook(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    # A copy of this repository's committed state plus work tree, as pre-commit would fetch it.
    source = tmp_path / "kpi-src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", ".*_cache", ".hypothesis", "*.egg-info"),
    )
    if not (source / ".git").exists():
        git(source, "init", "-q")
    git(source, "add", "-A")
    subprocess.run(["git", "commit", "-qm", "snapshot", "--allow-empty"], cwd=source, env=env, check=True)

    project = tmp_path / "plan"
    project.mkdir()
    git(project, "init", "-q")
    (project / "targets.toml").write_text(TARGETS, encoding="utf-8")
    (project / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    git(project, "add", "-A")

    pre_commit = [str(Path(sys.executable).parent / "pre-commit"), "try-repo", str(source), "kpi-validate"]
    good = subprocess.run(pre_commit, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "kpi validate" in good.stdout and "Passed" in good.stdout

    (project / "actuals.toml").write_text(edit(ACTUALS, "value = 65", "vaule = 65"), encoding="utf-8")
    git(project, "add", "-A")
    bad = subprocess.run(pre_commit, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert 'unknown key "vaule" (did you mean "value"?)' in bad.stdout
