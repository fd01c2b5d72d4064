"""The HTML report printed to PDF by a headless Chromium, the way a person would print it.

PDF is what staff send; the browser's own print engine applies the report's print style sheet
(A4, page header and numbers, nothing split or clipped). kpi carries no PDF engine of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi.errors import KpiError
from kpi.i18n import msg

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class PdfError(KpiError):
    """No PDF could be made; args[0] says why."""


def browser() -> str | None:
    """A Chromium-family browser on this machine (KPI_CHROMIUM names one explicitly)."""
    named = os.environ.get("KPI_CHROMIUM")
    if named:
        return shutil.which(named)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def print_pdf(html: str, timeout: float = 120) -> bytes:
    """The HTML page printed to PDF."""
    chromium = browser()
    if chromium is None:
        raise PdfError(
            msg(
                "--format pdf needs a headless Chromium, and none was found (Debian: apt-get install "
                "chromium); or write HTML and print it from a browser"
            )
        )
    with tempfile.TemporaryDirectory(prefix="kpi-pdf-") as folder:
        page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",  # the page header and numbers come from the report's @page
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(2, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(msg("{browser} could not print the report: {reason}", browser=chromium,
                               reason=str(exc))) from None  # fmt: skip
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise PdfError(msg("{browser} did not print the report to PDF", browser=chromium))
        return pdf.read_bytes()
