"""Every problem `kpi validate` reports carries the line of its entry (or key), over every bad
input the validation tests use, so editors and pre-commit output can jump to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builders import edit
from tests.conftest import ACTUALS, TARGETS, run
from tests.test_validate import BAD_ACTUALS, BAD_TARGETS

CASES = [(c[0], c[1], ACTUALS) for c in BAD_TARGETS] + [(c[0], TARGETS, c[1]) for c in BAD_ACTUALS]


@pytest.mark.parametrize(("case", "targets", "actuals"), CASES, ids=[c[0] for c in CASES])
def test_every_problem_has_a_line(tmp_path: Path, case: str, targets: str, actuals: str | bytes) -> None:
    (tmp_path / "targets.toml").write_text(targets, encoding="utf-8")
    data = actuals if isinstance(actuals, bytes) else actuals.encode("utf-8")
    (tmp_path / "actuals.toml").write_bytes(data)
    result = run("validate", "--data-dir", str(tmp_path), "--format", "json")
    problems = json.loads(result.output)
    assert problems, case
    for p in problems:
        assert isinstance(p["line"], int) and p["line"] >= 1, p


def test_the_line_is_the_key_or_the_table(tmp_path: Path) -> None:
    actuals = edit(ACTUALS, "value = 65", "vaule = 65")
    (tmp_path / "targets.toml").write_text(edit(TARGETS, 'unit = "%"', 'unit = "%"\ncolour = 1', 1))
    (tmp_path / "actuals.toml").write_text(actuals)
    out = run("validate", "--data-dir", str(tmp_path), "--lang", "en").output
    colour = edit(TARGETS, 'unit = "%"', 'unit = "%"\ncolour = 1', 1).splitlines().index("colour = 1") + 1
    assert f'targets.toml:{colour}:1: kpi "telecom.fiber" (kpi[1]): unknown key "colour"' in out
    assert 'actuals.toml:4:1: actual[1] (kpi "telecom.fiber", period "2022"): unknown key "vaule"' in out
    assert (
        'actuals.toml:1:1: actual[1] (kpi "telecom.fiber", period "2022"): missing required key "value"'
        in out
    )
