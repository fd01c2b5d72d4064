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


STATUS_PROBE = """<!doctype html><html><body style="margin:0">
<iframe id="f" src="{page}" style="width:{width}px;height:900px;border:0"></iframe>
<script>
document.getElementById("f").addEventListener("load", () => {{
  const d = document.getElementById("f").contentDocument;
  const width = d.documentElement.clientWidth;
  const cells = [...d.querySelectorAll("table.kpis td.status")];
  const off = cells.filter(c => c.getBoundingClientRect().right > width + 0.5).length;
  // status first: within each KPI's block, the status sits above the figures
  const late = cells.filter(c => {{
    const num = c.parentElement.querySelector("td.num");
    return num && c.getBoundingClientRect().top > num.getBoundingClientRect().top;
  }}).length;
  document.title = "cells=" + cells.length + " off=" + off + " late=" + late;
}});
</script></body></html>"""


def test_on_a_phone_every_kpi_shows_its_status_first_without_scrolling(chromium: str, report: Path) -> None:
    frame = report / "status-390.html"
    frame.write_text(STATUS_PROBE.format(page="report.html", width=390), encoding="utf-8")
    dom = browse(
        chromium, report, "--allow-file-access-from-files", "--virtual-time-budget=5000",
        "--window-size=1400,1000", "--dump-dom", frame.as_uri(),
    )  # fmt: skip
    found = re.search(r"<title>cells=(\d+) off=(\d+) late=(\d+)</title>", dom)
    assert found, dom[:500]
    cells, off, late = (int(x) for x in found.groups())
    assert cells == 61 and off == 0 and late == 0


PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture(scope="module")
def printed(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if PDFTOTEXT is None or shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils is missing in CI (.ci/run installs it)")
        pytest.skip("needs pdftotext and pdftoppm (apt-get install poppler-utils)")
    folder = tmp_path_factory.mktemp("pdf")
    result = run(
        "report", "--data-dir", str(REPO), "--as-of", "2025-06-30", "--lang", "en",
        "--format", "pdf", "-o", str(folder / "report.pdf"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder / "report.pdf"


def pages(pdf: Path, layout: bool = True) -> list[str]:
    """Each page's text: laid out as printed, or in reading order (a card's column whole, where
    -layout interleaves it with the next column's lines)."""
    mode = ["-layout"] if layout else []
    text = subprocess.run([PDFTOTEXT or "pdftotext", *mode, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def test_the_pdf_is_a4_with_a_page_header_and_numbers(printed: Path) -> None:
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45](\.\d+)? x 841(\.\d+)? pts \(A4\)", info), info
    texts = pages(printed)
    assert 6 <= len(texts) <= 20  # was 24 pages, split and clipped, before the print style sheet
    for n, page in enumerate(texts, 1):
        assert "30/06/2025" in page or "2025-06-30" in page
        assert f"{n} / {len(texts)}" in page


def test_the_pdf_clips_no_status_and_splits_no_card(printed: Path) -> None:
    texts = [" ".join(page.split()) for page in pages(printed, layout=False)]
    whole = " ".join(texts)
    # every status word whole (the status column used to be clipped: "acceleration nee")
    assert whole.count("acceleration needed") >= 2 and "limited progress" in whole
    # a card's first and last source note print on the same page
    from kpi.loader import load, locate

    dataset, _problems = load(locate(None, None, REPO))
    checked = 0
    for kpi_id in ("telecom.fiber_households", "postal.revenue", "telecom.revenue", "ict.sector_revenue"):
        quotes = [" ".join(a.quote.split())[:30] for a in dataset.actuals if a.kpi == kpi_id and a.quote]
        first = [n for n, t in enumerate(texts) if quotes[0] in t]
        last = [n for n, t in enumerate(texts) if quotes[-1] in t]
        if first and last:
            assert set(first) & set(last), kpi_id
            checked += 1
    assert checked >= 3


def test_nothing_prints_into_the_margins(printed: Path, tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(printed), str(tmp_path / "p")], check=True)
    for png in sorted(tmp_path.glob("p*.png")):
        image = Image.open(png).convert("L")
        width, height = image.size
        # the right margin (11 mm of 210 mm): nothing wider than the page lands there
        strip = image.crop((int(width * 0.955), int(height * 0.05), width, int(height * 0.95)))
        assert strip.getextrema()[0] > 200, png.name


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_slide_picture_renders_light_and_readable(chromium: str, tmp_path: Path, lang: str) -> None:
    from PIL import Image, ImageStat

    svg = tmp_path / f"status-{lang}.svg"
    result = run(
        "status", "--data-dir", str(REPO), "--as-of", "2025-06-30", "--format", "svg", "--lang", lang,
        "-o", str(svg),
    )  # fmt: skip
    assert result.exit_code == 0
    shot = tmp_path / f"status-{lang}.png"
    browse(chromium, tmp_path, "--window-size=1280,460", f"--screenshot={shot}", svg.as_uri())
    image = Image.open(shot).convert("L")
    assert ImageStat.Stat(image).mean[0] > 200  # a light page, not a dark terminal
    dark = sum(image.histogram()[:100])
    assert dark > image.size[0] * image.size[1] * 0.005  # with text on it
