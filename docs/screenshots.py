"""Regenerate the README's pictures: the HTML report and `kpi show` (needs Debian's chromium), and
the exported workbook as LibreOffice prints it (needs libreoffice-calc-nogui and poppler-utils).

.venv/bin/python docs/screenshots.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.text import Text

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
KPI = str(Path(sys.executable).parent / "kpi")
AS_OF = "2025-06-30"
CHROMIUM = [
    "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]  # fmt: skip


def shoot(page: Path, png: Path, width: int, height: int, profile: Path) -> None:
    subprocess.run(
        [
            *CHROMIUM,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report = work / "report.html"
        subprocess.run(
            [KPI, "report", "--data-dir", str(REPO), "--as-of", AS_OF, "-o", str(report)], check=True
        )
        shoot(report, DOCS / "report.png", 1280, 1500, work / "p1")

        env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "80"}
        shown = subprocess.run(
            [
                KPI,
                "show",
                "telecom.development_rank",
                "--data-dir",
                str(REPO),
                "--as-of",
                AS_OF,
                "--lang",
                "en",
            ],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        console = Console(record=True, width=80, file=open(os.devnull, "w"), force_terminal=True)  # noqa: SIM115
        console.print(Text.from_ansi(shown))
        page = work / "show.html"
        page.write_text(console.export_html(inline_styles=True), encoding="utf-8")
        lines = shown.count("\n") + 2
        shoot(page, DOCS / "kpi-show.png", 800, 18 * lines + 30, work / "p2")
        workbook(work)


def workbook(work: Path) -> None:
    """The Status sheet of `kpi export`, opened by a real spreadsheet program and printed."""
    from PIL import Image

    book = work / "ke-hoach.xlsx"
    subprocess.run(
        [KPI, "export", "--data-dir", str(REPO), "--as-of", AS_OF, "--lang", "vi", "-o", str(book)],
        check=True,
    )
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(book)], check=True
    )
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "2", "-l", "2", str(work / "ke-hoach.pdf"),
                    str(work / "page")], check=True)  # fmt: skip
    page = Image.open(next(work.glob("page*.png")))
    width, height = page.size
    page.crop((int(width * 0.04), int(height * 0.1), int(width * 0.70), int(height * 0.30))).save(
        DOCS / "export-status.png", optimize=True
    )


if __name__ == "__main__":
    main()
