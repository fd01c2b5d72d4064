"""`kpi report` (HTML and Markdown) and `kpi status --format svg`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from tests.builders import edit
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
    targets = edit(TARGETS, 'name = "Cáp quang"', 'name = "<b>x</b> & [bold]y[/]"')
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
    import unicodedata

    # a name typed with combining accents (as some sources are) comes out precomposed
    decomposed = unicodedata.normalize("NFD", "Kế hoạch thử")
    targets = (data_dir / "targets.toml").read_text(encoding="utf-8").replace("Test plan", decomposed)
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    out = tmp_path / "status.svg"
    result = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "svg", "-o", str(out))
    assert result.exit_code == 0
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "Kế hoạch thử" in svg and not any(unicodedata.combining(c) for c in svg)
    assert "limited" in svg
    # a clean light picture: no terminal window, no web font, nothing fetched
    assert '<rect width="1280"' in svg and 'fill="#ffffff"' in svg
    assert "Noto Sans" in svg and "@import" not in svg and "url(" not in svg and "font-face" not in svg
    assert re.findall(r"https?://[^\s\"']+", svg) == ["http://www.w3.org/2000/svg"]
    assert "kpi status" not in svg.split("</text>")[0]  # no command-line hint baked into the title
    assert svg.count("Kế hoạch thử") == 2  # the title once (and the picture's label), never twice shown


def _section(html: str, heading: str) -> str:
    start = html.index(heading)
    end = html.find("<h3>", start + len(heading))
    return html[start : end if end != -1 else len(html)]


def test_the_first_page_is_for_the_meeting(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run("report", "--data-dir", str(REPO), "--as-of", AS_OF, "-o", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    executive = html[html.index('<section class="executive">') : html.index("</section>")]
    assert html.index('<section class="executive">') < html.index('<section id="postal">')
    # the light counts, then red and amber worst first, one line each with figure, target, verdict
    assert re.search(r'<div class="tile red"><b>\d+</b>', executive)
    attention = _section(executive, "Needs attention")
    lights = re.findall(r'<li><span class="light (\w+)">', attention)
    assert lights and lights == sorted(lights, key=["red", "amber"].index)
    assert set(lights) == {"red", "amber"}
    assert "telecom.development_rank" in attention and "latest 67 (2024) · target 50 (2025)" in attention
    # the targets without any figure are named, not only counted
    without = _section(executive, "Targets without any figure")
    assert "postal.communes_served" in without and "target 100.0% (2021)" in without
    assert "telecom.fiber_households" not in without


def test_since_adds_what_changed_and_must_come_before_as_of(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run("report", "--data-dir", str(REPO), "--as-of", AS_OF, "--since", "2024-12-31", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    changed = _section(html, "Changed since 2024-12-31")
    assert "→" in changed and "<li>" in changed
    plain = run("report", "--data-dir", str(REPO), "--as-of", AS_OF, "-o", str(tmp_path / "p.html"))
    assert plain.exit_code == 0 and "Changed since" not in (tmp_path / "p.html").read_text(encoding="utf-8")
    late = run("report", "--data-dir", str(REPO), "--as-of", AS_OF, "--since", "2025-07-01")
    assert late.exit_code == 2 and "--since must be before" in late.output


def test_the_page_header_cannot_be_broken_out_of(data_dir: Path) -> None:
    targets = edit(TARGETS, 'name = "Test plan"', 'name = "x\\"; } body { display: none } /* </style>"')
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    html = run("report", "--data-dir", str(data_dir), "--as-of", AS_OF).output
    style = html[html.index("<style>") : html.index("</style>")]
    assert "} body { display: none }" not in style and "</" not in style[1:]
    assert re.search(r'@top-left \{ content: "x\\22 \\3b  \\7d  body', style)


def test_pdf_without_a_browser_says_how_to_get_one(tmp_path: Path) -> None:
    result = run(
        "report", "--data-dir", str(REPO), "--format", "pdf", "-o", str(tmp_path / "r.pdf"),
        env={"KPI_CHROMIUM": "no-such-browser"},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "needs a headless Chromium" in result.output and "apt-get install chromium" in result.output
    assert not (tmp_path / "r.pdf").exists()


def test_at_a_terminal_the_report_goes_to_a_file_it_names(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    (tmp_path / "kpi-report-2025-06-30.html").write_text("keep", encoding="utf-8")
    leader, follower = pty.openpty()
    kpi = str(Path(sys.executable).with_name("kpi"))
    done = subprocess.run(
        [kpi, "report", "--data-dir", str(REPO), "--as-of", AS_OF, "--lang", "en"],
        cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE, timeout=60,
    )  # fmt: skip
    os.close(follower)
    try:
        shown = os.read(leader, 65536).decode()
    except OSError:  # nothing was written to the terminal
        shown = ""
    os.close(leader)
    assert done.returncode == 0
    assert "<html" not in shown  # no page of HTML dumped on the screen
    assert "wrote kpi-report-2025-06-30-2.html" in done.stderr.decode()
    assert (tmp_path / "kpi-report-2025-06-30.html").read_text(encoding="utf-8") == "keep"
    assert (
        (tmp_path / "kpi-report-2025-06-30-2.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    )


def test_the_word_report_follows_decree_30(tmp_path: Path) -> None:
    import docx
    from docx.shared import Mm, Pt

    out = tmp_path / "report.docx"
    result = run(
        "report", "--data-dir", str(REPO), "--as-of", AS_OF, "--since", "2024-12-31", "--format", "docx",
        "--lang", "vi", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    section = doc.sections[0]

    def mm(length: object) -> float:  # Word stores lengths in twips: within a tenth of a millimetre
        return round(int(length) / Mm(1), 1)  # type: ignore[call-overload]

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (20, 20)
    assert (mm(section.left_margin), mm(section.right_margin)) == (30, 15)
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(13)
    text = [p.text for p in doc.paragraphs]
    first = text[: text.index("Bưu chính")]  # the first page, before the sectors
    assert any(t.startswith("Cần chú ý (6)") for t in first)
    assert any(t.startswith("Mục tiêu chưa có số liệu nào (20)") for t in first)
    assert any(t.startswith("Thay đổi từ ngày 31/12/2024") for t in first)
    assert any("Xếp hạng phát triển viễn thông" in t and "Tiến triển chậm" in t for t in first)
    assert len(doc.tables) == 6  # one per sector
    assert len(doc.inline_shapes) >= 40  # a chart per KPI with something to draw
    assert "↑ tốt hơn (trục đảo ngược)" in text  # a rank's chart says its axis is inverted


def test_a_chart_picture_is_drawn(tmp_path: Path) -> None:
    import io as bytes_io

    from PIL import Image

    from kpi.assess import assess_kpi
    from kpi.output.pngchart import HEIGHT, WIDTH, png
    from tests.builders import actual, kpi, target

    a = assess_kpi(
        kpi(targets=(target("2025", 100),)), [actual("2022", 60), actual("2024", 80)], date(2025, 1, 31)
    )
    data = png(a)
    assert data is not None and data.startswith(b"\x89PNG")
    image = Image.open(bytes_io.BytesIO(data)).convert("L")
    assert image.size == (WIDTH, HEIGHT)
    assert sum(image.histogram()[:80]) > 500  # marks and labels drawn
    assert png(assess_kpi(kpi(), [], date(2025, 1, 31))) is None


def test_hostile_names_keep_every_output_well_formed(tmp_path: Path, data_dir: Path) -> None:
    import xml.etree.ElementTree as ElementTree

    import docx

    name = "Dòng một\\nDòng hai <b>&amp;</b> \\ufffe\\uffff \\u202e ]]> </style> 😀" * 2
    targets = edit(TARGETS, 'name = "Cáp quang"', f'name = "{name}"')
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    svg = tmp_path / "s.svg"
    assert run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "svg", "--all",
               "-o", str(svg)).exit_code == 0  # fmt: skip
    root = ElementTree.parse(svg).getroot()  # well-formed despite U+FFFE and markup in the name
    widths = float(root.get("width") or 0)
    assert widths >= 1280
    page = tmp_path / "r.html"
    assert run("report", "--data-dir", str(data_dir), "--as-of", AS_OF, "-o", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    for chart in re.findall(r'<svg class="chart".*?</svg>', html, re.S):
        ElementTree.fromstring(chart)
    word = tmp_path / "r.docx"
    result = run("report", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "docx", "-o", str(word))
    assert result.exit_code == 0, result.output
    assert docx.Document(str(word)).paragraphs
    # at a terminal the id stays whole on its own line even when the name has a line break
    out = run("status", "--all", "--data-dir", str(data_dir), "--as-of", AS_OF, env={"COLUMNS": "40"}).output
    assert "telecom.fiber" in out.split()


def test_chart_labels_get_the_room_they_need() -> None:
    from kpi.assess import assess_kpi
    from kpi.output.svgchart import chart
    from tests.builders import actual, kpi, target

    big = kpi(unit="tỷ đồng", targets=(target("2025", 4_000_000),))
    svg = chart(assess_kpi(big, [actual("2023", 1_900_000), actual("2024", 2_100_000)], date(2025, 1, 31)))
    labels = re.findall(
        r'<text class="label" x="([0-9.]+)" y="[0-9.]+" text-anchor="end">([^<]+)</text>', svg
    )
    assert labels and all(float(x) - 6 * len(text) >= 0 for x, text in labels)  # nothing cut at the left edge
    # a figure far outside the plan does not draw a tick for every year in between
    far = kpi(targets=(target("2025", 100),))
    svg = chart(assess_kpi(far, [actual("0001", 1), actual("2024", 80)], date(2025, 1, 31)))
    assert svg.count('class="tick"') <= 41


def test_the_markdown_report_has_the_first_page_too(tmp_path: Path) -> None:
    args = ("--as-of", AS_OF, "--since", "2024-12-31", "--format", "markdown", "--lang", "en")
    out = run("report", "--data-dir", str(REPO), *args).output
    assert "## Needs attention (6)" in out and "## Targets without any figure (20)" in out
    assert "## Changed since 2024-12-31" in out


def test_the_word_report_has_page_numbers_and_its_language(tmp_path: Path) -> None:
    import docx

    out = tmp_path / "r.docx"
    assert run("report", "--data-dir", str(REPO), "--as-of", AS_OF, "--format", "docx", "--lang", "vi",
               "-o", str(out)).exit_code == 0  # fmt: skip
    doc = docx.Document(str(out))
    assert "PAGE" in doc.sections[0].footer._element.xml
    assert 'w:val="vi-VN"' in doc.styles["Normal"].element.xml
    assert doc.core_properties.author == "kpi"
