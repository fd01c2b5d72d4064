"""`kpi validate` runs on every commit: its clean path must not import Rich, Babel or json."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

PROBE = """
import sys
from kpi.cli import cli  # main() would end the process before the check below
try:
    cli(["validate", "--data-dir", {data!r}], prog_name="kpi")
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in sys.modules if m in ("rich", "babel") or m.startswith(("rich.", "babel.", "json")))
print(code, heavy, file=sys.stderr)
"""


def test_validate_imports_neither_rich_nor_babel() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(data=str(REPO))], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("ok: ")
    assert result.stderr.strip() == "0 []"


def test_the_probe_would_see_rich_when_it_is_imported() -> None:
    probe = PROBE.replace('"validate"', '"status"').replace(
        "from kpi.cli", "import rich.console\nfrom kpi.cli"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe.format(data=str(REPO))], capture_output=True, text=True, check=True
    )
    assert "'rich'" in result.stderr
