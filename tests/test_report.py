"""`kpi report` (HTML and Markdown) and `kpi status --format svg`."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO, TARGETS, run

AS_OF = "2025-06-30"


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run("report", "--data-dir", str(REPO), "--as-of", AS_OF, "-o", str(out), "--lang", "vi")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "url(" not in html
    assert "Kế hoạch phát triển ngành Thông tin và Truyền thông" in html
    assert "Noto Sans" in html  # a font stack with Vietnamese glyphs
    # Every sector, a chart per KPI with data, and each figure's source and quote.
    for sector in ("postal", "telecom", "digital", "cybersecurity", "ict", "media"):
        assert f'<section id="{sector}">' in html
    assert html.count('<svg class="chart"') >= 40
    assert "Tính đến tháng 5/2024, tỷ lệ hộ gia đình sử dụng cáp quang đạt 82,2%" in html
    assert "Nguồn: 001_7040d20867ab9bb1.txt" in html  # in a chart tooltip


def test_html_escapes_data(data_dir: Path) -> None:
    targets = TARGETS.replace('name = "Cáp quang"', 'name = "<b>x</b> & [bold]y[/]"')
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    html = run("report", "--data-dir", str(data_dir), "--as-of", AS_OF, "--lang", "vi").output
    assert "&lt;b&gt;x&lt;/b&gt; &amp; [bold]y[/]" in html
    assert "<b>x</b>" not in html


def test_markdown_report(data_dir: Path) -> None:
    result = run(
        "report", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "markdown", "--lang", "en"
    )
    assert result.exit_code == 0
    md = result.output
    assert md.startswith("# Test plan\n")
    assert "| Sector | 🟢 green | 🟡 amber | 🔴 red | ⚪ grey | KPIs |" in md
    assert "## Telecommunications" in md
    assert "| Fibre<br>`telecom.fiber` | 82.2 (2024-05) | 80.0 (2025) | 102.8% | -2.2 | 🟢 achieved |" in md


def test_status_svg_for_slides(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "status.svg"
    result = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "svg", "-o", str(out))
    assert result.exit_code == 0
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "Test&#160;plan" in svg or "Test plan" in svg
    assert "limited" in svg
