"""The HTML report in a real browser: headless Chromium, as a person would open it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

FRAME = """<!doctype html><html><body style="margin:0">
<iframe id="f" src="{page}" style="width:{width}px;height:900px;border:0"></iframe>
<script>
document.getElementById("f").addEventListener("load", () => {{
  const d = document.getElementById("f").contentDocument.documentElement;
  document.title = "overflow=" + (d.scrollWidth - d.clientWidth);
}});
</script></body></html>"""


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip("needs chromium (apt-get install chromium)")
    return CHROMIUM


def browse(chromium: str, tmp: Path, *args: str) -> str:
    result = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout


def overflow(chromium: str, folder: Path, page: str, width: int) -> int:
    frame = folder / f"frame-{width}.html"
    frame.write_text(FRAME.format(page=page, width=width), encoding="utf-8")
    dom = browse(
        chromium, folder, "--allow-file-access-from-files", "--virtual-time-budget=5000",
        "--window-size=1400,1000", "--dump-dom", frame.as_uri(),
    )  # fmt: skip
    found = re.search(r"<title>overflow=(-?\d+)</title>", dom)
    assert found, dom[:500]
    return int(found.group(1))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    result = run(
        "report", "--data-dir", str(REPO), "--as-of", "2025-06-30", "-o", str(folder / "report.html")
    )
    assert result.exit_code == 0
    return folder


@pytest.mark.parametrize("width", [1280, 390])
def test_report_renders_and_does_not_overflow(chromium: str, report: Path, width: int) -> None:
    from PIL import Image, ImageStat

    shot = report / f"report-{width}.png"
    browse(
        chromium,
        report,
        f"--window-size={width},1600",
        f"--screenshot={shot}",
        (report / "report.html").as_uri(),
    )
    image = Image.open(shot).convert("L")
    assert image.size == (width, 1600)
    assert ImageStat.Stat(image).stddev[0] > 20  # text, tables and charts, not a blank page
    dark = sum(image.histogram()[:128])
    assert dark > image.size[0] * image.size[1] * 0.01
    assert overflow(chromium, report, "report.html", width) <= 0


def test_the_overflow_probe_sees_a_page_that_overflows(chromium: str, report: Path) -> None:
    wide = report / "wide.html"
    wide.write_text('<!doctype html><div style="width:2000px">x</div>', encoding="utf-8")
    assert overflow(chromium, report, "wide.html", 390) > 1000
