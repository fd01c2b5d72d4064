"""The README's example outputs are the commands' own (scripts/readme.py regenerates them)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_the_readme_examples_are_what_the_commands_print() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
