"""The spreadsheet bridge: kpi import (workbooks and CSV), kpi template and kpi export."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import sys
from pathlib import Path

import openpyxl
import pytest
import tomli

from kpi.sheets.layout import folded
from kpi.sheets.workbook import STATUS_SHEET
from tests.conftest import REPO, run

FIXTURES = Path(__file__).parent / "fixtures" / "sheets"
HEADER = ["kpi", "period", "value", "estimated", "published", "source"]


def workbook(path: Path, rows: list[list[object]], header: list[str] = HEADER, title: str = "Sheet1") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def edit(path: Path, change: object) -> None:
    book = openpyxl.load_workbook(path)
    change(book)  # type: ignore[operator]
    book.save(path)


def bundled(tmp_path: Path) -> Path:
    for name in ("targets.toml", "actuals.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def imports(data_dir: Path, *args: str) -> object:
    return run("import", *args, "--data-dir", str(data_dir))


# --- kpi import ----------------------------------------------------------------------------


def test_a_vietnamese_csv_from_excel_is_appended_and_validates(data_dir: Path) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    sheet = data_dir / "so-lieu.csv"
    # Excel under Vietnamese settings: a byte order mark, semicolons, decimal commas.
    sheet.write_bytes(
        "\ufeffMã chỉ tiêu;Kỳ;Giá trị;Ước tính;Ngày công bố;Nguồn;Trích dẫn\r\n"
        "telecom.fiber;2024-12;84,1;có;28/12/2024;Báo cáo 2024;ước đạt 84,1%\r\n"
        "digital.revenue;2024;2.067.389;;;Báo cáo 2024;\r\n".encode()
    )
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 0, result.output
    assert "imported 2 figures for 2 KPIs into" in result.output
    after = (data_dir / "actuals.toml").read_bytes()
    assert after.startswith(before)
    added = tomli.loads(after[len(before) :].decode())["actual"]
    assert added == [
        {
            "kpi": "telecom.fiber",
            "period": "2024-12",
            "value": 84.1,
            "estimated": True,
            "published": dt.date(2024, 12, 28),
            "source": "Báo cáo 2024",
            "quote": "ước đạt 84,1%",
        },
        {"kpi": "digital.revenue", "period": "2024", "value": 2067389, "source": "Báo cáo 2024"},
    ]
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


def test_headers_match_without_case_accents_or_spacing() -> None:
    assert folded("  Mã  CHỈ_tiêu ") == folded("ma chi tieu") == "ma chi tieu"
    assert folded("Ngày công bố") == "ngay cong bo"
    assert folded("Đơn vị") == "don vi"


def test_every_bad_row_is_one_line_naming_its_cell_and_nothing_is_written(data_dir: Path) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    sheet = workbook(
        data_dir / "figures.xlsx",
        [
            ["telecom.fiber", "2024-11", "82.2.1", None, None, "r"],  # row 2
            ["telecom.fibre", "2024-10", 80, None, None, "r"],  # row 3: unknown, did you mean
            ["telecom.fiber", "2024-09", 80, "perhaps", None, "r"],  # row 4
            ["telecom.fiber", "2024-08", 80, None, "31/02/2024", "r"],  # row 5
            ["telecom.fiber", "2024-07", 120, None, None, "r"],  # row 6: above max
            ["telecom.fiber", "2022", 66, None, None, "r"],  # row 7: already in actuals.toml
            ["telecom.fiber", "2024-06", 81, None, None, None],  # row 8: no source
        ],
    )
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[:-1] == [
        f'{sheet}: Sheet1!C2 (kpi "telecom.fiber", period "2024-11"): value "82.2.1" is not a number',
        f'{sheet}: Sheet1!A3 (kpi "telecom.fibre", period "2024-10"): unknown KPI "telecom.fibre" '
        '(did you mean "telecom.fiber"?)',
        f'{sheet}: Sheet1!D4 (kpi "telecom.fiber", period "2024-09"): estimated "perhaps" is not yes or no '
        "(true/false, có/không)",
        f'{sheet}: Sheet1!E5 (kpi "telecom.fiber", period "2024-08"): published "31/02/2024" is not a date '
        "(DD/MM/YYYY or YYYY-MM-DD)",
        f'{sheet}: Sheet1!C6 (kpi "telecom.fiber", period "2024-07"): value 120 is above the KPI\'s max 100',
        f'{sheet}: Sheet1!B7 (kpi "telecom.fiber", period "2022"): already recorded at '
        f"{data_dir / 'actuals.toml'} actual[1] (value 65); a revision needs a published date on both, "
        "the new one later",
        f'{sheet}: Sheet1!F8 (kpi "telecom.fiber", period "2024-06"): source is empty',
    ]
    assert lines[-1] == "kpi: 7 problems; nothing was imported"
    assert (data_dir / "actuals.toml").read_bytes() == before


def test_a_failure_in_row_40_leaves_the_file_untouched(data_dir: Path) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    rows: list[list[object]] = [
        ["digital.revenue", str(1980 + n), 100 + n, None, None, "r"] for n in range(38)
    ]
    rows.append(["digital.revenue", "2024-01", -5, None, None, "r"])  # row 40: compound needs > 0
    sheet = workbook(data_dir / "big.xlsx", rows)
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "Sheet1!C40" in result.output and "must be positive" in result.output
    assert (data_dir / "actuals.toml").read_bytes() == before
    # without row 40 the 38 others go in, in one write
    edit(sheet, lambda book: book.active.delete_rows(40))
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 0, result.output
    assert "imported 38 figures for 1 KPI" in result.output
    raw = tomli.loads((data_dir / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    assert len(raw) == 4 + 38


def test_duplicates_within_the_sheet_are_refused_unless_they_are_revisions(data_dir: Path) -> None:
    sheet = workbook(
        data_dir / "d.xlsx",
        [
            ["digital.revenue", "2024", 10, None, dt.date(2025, 1, 5), "r"],
            ["digital.revenue", "2024", 11, None, dt.date(2025, 3, 1), "r"],  # a revision: later
            ["digital.revenue", "2023", 9, None, None, "r"],
            ["digital.revenue", "2023", 9.5, None, None, "r"],  # the same figure twice
        ],
    )
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert 'Sheet1!B5 (kpi "digital.revenue", period "2023"): already recorded at row 4' in result.output
    assert "B3" not in result.output
    edit(sheet, lambda book: book.active.delete_rows(5))
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 0, result.output
    assert "1 revision" in result.output


def test_a_revision_must_come_after_the_latest(data_dir: Path) -> None:
    sheet = workbook(data_dir / "r.xlsx", [["telecom.fiber", "2024-05", 83, None, dt.date(2024, 7, 1), "r"]])
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "a revision must be published after the latest one" in result.output
    assert "published 2024-07-29" in result.output


def test_exactly_the_same_figure_again_is_skipped_not_duplicated(data_dir: Path) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    same = [["telecom.fiber", "2024-05", 82.2, None, dt.date(2024, 7, 29), "report"]]
    result = imports(data_dir, str(workbook(data_dir / "again.xlsx", same)))
    assert result.exit_code == 0, result.output
    assert "no new figures (0 rows without a value, 1 already in" in result.output
    assert (data_dir / "actuals.toml").read_bytes() == before
    # the same value and date with another source is an edit: refused, never skipped unseen
    edited = [["telecom.fiber", "2024-05", 82.2, "yes", dt.date(2024, 7, 29), "another report"]]
    result = imports(data_dir, str(workbook(data_dir / "edited.xlsx", edited)))
    assert result.exit_code == 1
    assert "has the same value and date but other fields" in result.output
    assert (data_dir / "actuals.toml").read_bytes() == before


def test_cells_a_reviewer_cannot_see_or_that_are_not_values_are_refused(data_dir: Path) -> None:
    sheet = workbook(
        data_dir / "odd.xlsx",
        [
            ["telecom.fiber", "2024-11", "=80+1", None, None, "r"],  # row 2: a formula
            ["telecom.fiber", "2024-10", 80, None, None, "r"],  # row 3: hidden
            ["telecom.fiber", "2024-09", 80, None, None, "r"],  # rows 4-5: merged source
            ["telecom.fiber", "2024-08", 79, None, None, None],
            ["telecom.fiber", "2024-07", dt.time(10, 30), None, None, "r"],  # row 6: a time
        ],
    )

    def change(book: openpyxl.Workbook) -> None:
        ws = book.active
        ws.row_dimensions[3].hidden = True
        ws.merge_cells("F4:F5")

    edit(sheet, change)
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    out = result.output
    assert "Sheet1!F4:F5: merged cells; unmerge them and write the value in every row" in out
    assert "Sheet1!3:3: row 3 is hidden" in out
    assert 'Sheet1!C2 (kpi "telecom.fiber", period "2024-11"): value holds a formula (=80+1)' in out
    assert "Sheet1!C6" in out and "time of day" in out


def test_a_hidden_sheet_is_read_only_when_named_and_then_refused(data_dir: Path) -> None:
    sheet = workbook(
        data_dir / "h.xlsx", [["telecom.fiber", "2024-11", 99, None, None, "hidden"]], title="Cũ"
    )

    def change(book: openpyxl.Workbook) -> None:
        book.active.sheet_state = "hidden"
        ws = book.create_sheet("Mới")
        ws.append(HEADER)
        ws.append(["telecom.fiber", "2024-12", 84, None, None, "r"])

    edit(sheet, change)
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    assert 'hidden sheets skipped: Cũ; read sheet "Mới"' in result.output
    assert [t["source"] for t in tomli.loads(result.stdout)["actual"]] == ["r"]
    result = imports(data_dir, str(sheet), "--sheet", "Cũ")
    assert result.exit_code == 1
    assert 'sheet "Cũ" is hidden' in result.output
    result = imports(data_dir, str(sheet), "--sheet", "Moi")
    assert result.exit_code == 2  # a usage error: no such sheet
    assert 'no sheet "Moi"' in result.output


def test_an_empty_row_in_the_middle_does_not_end_the_sheet(data_dir: Path) -> None:
    sheet = workbook(
        data_dir / "gap.xlsx",
        [
            ["telecom.fiber", "2024-11", 83, None, None, "r"],
            [None, None, None, None, None, None],
            [None, None, None, None, None, None],
            ["telecom.fiber", "2024-12", 84, None, None, "r"],
        ],
    )
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 0, result.output
    assert "imported 2 figures" in result.output


def test_date_and_number_cells_mean_what_the_reader_sees(data_dir: Path) -> None:
    sheet = workbook(
        data_dir / "dates.xlsx",
        [
            ["telecom.fiber", dt.date(2024, 11, 15), 0.831, None, dt.datetime(2024, 12, 1), "r"],
            ["telecom.fiber", 2023, 70, None, "15/01/2024", "r"],
            ["telecom.fiber", dt.date(2024, 12, 1), 84, "x", None, "r"],
        ],
    )
    edit(sheet, lambda book: setattr(book.active["C2"], "number_format", "0.0%"))
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    tables = tomli.loads(result.stdout)["actual"]
    # a date cell is that day; a percentage cell is the percentage shown, for a % KPI
    assert tables[0] == {
        "kpi": "telecom.fiber",
        "period": "2024-11-15",
        "value": 83.1,
        "published": dt.date(2024, 12, 1),
        "source": "r",
    }
    assert tables[1]["period"] == "2023" and tables[1]["published"] == dt.date(2024, 1, 15)
    assert tables[2]["period"] == "2024-12-01" and tables[2]["estimated"] is True
    # the first of a month typed as a date was probably meant as the month
    assert "Sheet1!B4" in result.stderr and "'2024-12" in result.stderr


def test_a_percentage_cell_for_a_kpi_not_in_percent_is_refused(data_dir: Path) -> None:
    sheet = workbook(data_dir / "p.xlsx", [["digital.revenue", "2024", 0.5, None, None, "r"]])
    edit(sheet, lambda book: setattr(book.active["C2"], "number_format", "0%"))
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "value is formatted as a percentage (50%) but the KPI's unit is tỷ đồng" in result.output


def test_other_layouts_with_map_and_a_misspelt_header(data_dir: Path) -> None:
    sheet = workbook(
        data_dir / "m.xlsx",
        [["x", "telecom.fiber", "2024-12", 84, "r"]],
        header=["STT", "Chỉ số", "Tháng", "Số", "Nguồn"],
    )
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "no header row naming the kpi, period and value columns" in result.output
    result = imports(
        data_dir, str(sheet), "--map", "kpi=B", "--map", "period=Tháng", "--map", "value=d", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert tomli.loads(result.stdout)["actual"][0]["value"] == 84
    assert "column STT (A) is not imported" in result.stderr
    result = imports(data_dir, str(sheet), "--map", "valeu=D")
    assert result.exit_code == 2
    assert 'unknown field "valeu" (did you mean "value"?)' in result.output
    typo = workbook(data_dir / "t.xlsx", [["telecom.fiber", "2024-12", 84, "r", "2024-12-28"]],
                    header=["kpi", "period", "value", "source", "publshed"])  # fmt: skip
    result = imports(data_dir, str(typo))
    assert result.exit_code == 1
    assert 'column "publshed (E)" is read by no field; did you mean "published"?' in result.output


def test_usage_errors_exit_2(data_dir: Path) -> None:
    (data_dir / "f.txt").write_text("kpi,period,value\n", encoding="utf-8")
    assert imports(data_dir, str(data_dir / "f.txt")).exit_code == 2
    (data_dir / "f.csv").write_text("kpi,period,value\n", encoding="utf-8")
    assert imports(data_dir, str(data_dir / "f.csv"), "--sheet", "x").exit_code == 2
    assert run("export", "-o", str(data_dir / "plan.csv"), "--data-dir", str(data_dir)).exit_code == 2


def test_a_file_that_is_not_a_workbook_is_one_line(data_dir: Path) -> None:
    bad = data_dir / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = imports(data_dir, str(bad))
    assert result.exit_code == 1
    assert result.output.startswith(f"kpi: {bad}: not a readable .xlsx workbook")
    assert len(result.output.strip().splitlines()) == 1


def test_without_openpyxl_the_message_says_how_to_install_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = run("template", "-o", str(data_dir / "t.xlsx"), "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "pip install openpyxl" in result.output


# --- a workbook written by another program -------------------------------------------------


def test_a_libreoffice_workbook_imports(tmp_path: Path) -> None:
    data = bundled(tmp_path)
    result = imports(data, str(FIXTURES / "unit-sheet-clean.xlsx"), "--dry-run")
    assert result.exit_code == 0, result.output
    tables = tomli.loads(result.stdout)["actual"]
    assert [(t["kpi"], t["period"], t["value"], t.get("estimated"), t["published"]) for t in tables] == [
        ("telecom.fiber_households", "2026", 84.1, True, dt.date(2026, 1, 28)),
        ("digital.full_online_records", "2026", 82.2, None, dt.date(2026, 1, 28)),
    ]
    assert "column STT (A) is not imported" in result.stderr


def test_a_libreoffice_formula_is_refused_by_its_cell(tmp_path: Path) -> None:
    data = bundled(tmp_path)
    before = (data / "actuals.toml").read_bytes()
    result = imports(data, str(FIXTURES / "unit-sheet.xlsx"))
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if "unit-sheet.xlsx: unit-sheet!" in line]
    assert problems == [
        f'{FIXTURES / "unit-sheet.xlsx"}: unit-sheet!D6 (kpi "telecom.fiber_households", period "2026-05"): '
        "Giá trị holds a formula (=D4+1); paste its value instead (Paste Special → Values)"
    ]
    assert (data / "actuals.toml").read_bytes() == before


# --- kpi template --------------------------------------------------------------------------


def test_an_untouched_template_imports_nothing_and_says_so(data_dir: Path) -> None:
    out = data_dir / "t.xlsx"
    result = run("template", "-o", str(out), "--period", "2024", "--data-dir", str(data_dir), "--lang", "vi")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    ws = book.worksheets[0]
    assert [c.value for c in ws[1]] == [
        "mã chỉ tiêu", "tên chỉ tiêu", "đơn vị", "kỳ", "giá trị", "ước tính", "ngày công bố", "nguồn",
        "trích dẫn", "ghi chú",
    ]  # fmt: skip
    assert [[c.value for c in row][:4] for row in ws.iter_rows(min_row=2, max_row=4)] == [
        ["telecom.fiber", "Cáp quang", "%", "2024"],
        ["digital.rank", "Xếp hạng", "hạng", "2024"],
        ["digital.revenue", "Doanh thu", "tỷ đồng", "2024"],
    ]
    formulas = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert formulas['"có,không"'].startswith("F2:")  # words, never the spreadsheet's TRUE/FALSE
    assert book["lists"].sheet_state == "hidden"
    assert [book["lists"].cell(row=n, column=1).value for n in (1, 2, 3)] == [
        "telecom.fiber", "digital.rank", "digital.revenue"
    ]  # fmt: skip
    assert ws["D50"].number_format == "@"  # a typed 2024-05 stays text, not a date
    before = (data_dir / "actuals.toml").read_bytes()
    result = imports(data_dir, str(out))
    assert result.exit_code == 0, result.output
    assert "no new figures (3 rows without a value, 0 already in" in result.output
    assert (data_dir / "actuals.toml").read_bytes() == before


def test_a_filled_template_imports(data_dir: Path) -> None:
    out = data_dir / "t.xlsx"
    assert run("template", "-o", str(out), "--sector", "telecom", "--period", "2024-12", "--data-dir",
               str(data_dir)).exit_code == 0  # fmt: skip

    def fill(book: openpyxl.Workbook) -> None:
        ws = book.worksheets[0]
        assert ws.max_row >= 2 and ws["A3"].value is None  # one KPI in telecom
        ws["E2"], ws["F2"], ws["G2"], ws["H2"] = 84.1, "true", dt.date(2024, 12, 28), "Báo cáo"

    edit(out, fill)
    result = imports(data_dir, str(out))
    assert result.exit_code == 0, result.output
    assert "imported 1 figure for 1 KPI" in result.output


# --- kpi export ----------------------------------------------------------------------------


def test_export_writes_the_four_sheets_with_real_numbers(tmp_path: Path) -> None:
    data = bundled(tmp_path)
    out = tmp_path / "plan.xlsx"
    result = run("export", "-o", str(out), "--as-of", "2025-06-30", "--data-dir", str(data), "--lang", "vi")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Tổng hợp", "Trạng thái", "Số liệu", "Chỉ tiêu"]
    summary = book["Tổng hợp"]
    assert summary["A2"].value == "Ngày tính: 30/06/2025" or "30/06/2025" in summary["A2"].value
    status = book["Trạng thái"]
    assert status.freeze_panes == "A5"
    assert status.auto_filter.ref.startswith("A4:")
    header = [c.value for c in status[4]]
    rows = list(status.iter_rows(min_row=5, values_only=False))
    assert len(rows) == 61
    keys = [c.key for c in STATUS_SHEET]
    assert len(header) == len(keys)
    attainment, latest_at, light_at = keys.index("attainment"), keys.index("latest"), keys.index("light")
    cells = [r[attainment] for r in rows if r[attainment].value is not None]
    assert cells and all(isinstance(c.value, float) and c.number_format == "0.0%" for c in cells)
    latest = [r[latest_at] for r in rows if r[latest_at].value is not None]
    assert all(isinstance(c.value, int | float) and "#,##0" in c.number_format for c in latest)
    lights = {r[light_at].value[0] for r in rows}
    assert lights <= {"✔", "▲", "✖", "○"}
    assert all(r[light_at].fill.fgColor.rgb.endswith(("C6EFCE", "FFEB9C", "FFC7CE", "E7E6E6")) for r in rows)
    # the figures sheet is every figure of actuals.toml, and kpi import reads it back unchanged
    figures = book["Số liệu"]
    raw = tomli.loads((data / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    assert figures.max_row - 4 == len(raw)
    before = (data / "actuals.toml").read_bytes()
    result = imports(data, str(out), "--sheet", "Số liệu")
    assert result.exit_code == 0, result.output
    assert f"0 rows without a value, {len(raw)} already in" in result.output
    assert (data / "actuals.toml").read_bytes() == before


def test_round_trip_export_edit_two_cells_import(tmp_path: Path) -> None:
    data = bundled(tmp_path)
    out = tmp_path / "plan.xlsx"
    assert run("export", "-o", str(out), "--data-dir", str(data), "--lang", "en").exit_code == 0

    def revise(book: openpyxl.Workbook) -> None:
        ws = book["Figures"]
        header = [c.value for c in ws[4]]
        value, published = header.index("value") + 1, header.index("published") + 1
        ws.cell(row=5, column=value).value = 99.5
        ws.cell(row=5, column=published).value = dt.date(2026, 1, 2)

    edit(out, revise)
    result = imports(data, str(out), "--sheet", "Figures")
    assert result.exit_code == 0, result.output
    assert "imported 1 figure for 1 KPI" in result.output and "1 revision" in result.output
    assert run("validate", "--data-dir", str(data)).exit_code == 0
    # a second import of the same sheet adds nothing
    before = (data / "actuals.toml").read_bytes()
    result = imports(data, str(out), "--sheet", "Figures")
    assert result.exit_code == 0 and (data / "actuals.toml").read_bytes() == before


def test_text_that_looks_like_a_formula_is_written_as_text(data_dir: Path) -> None:
    path = data_dir / "actuals.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[actual]]\nkpi = "digital.revenue"\nperiod = "2024"\nvalue = 5\n'
        'source = "=HYPERLINK(\\"x\\")"\nnote = "+1 vs 2023"\nquote = "@SUM(A1)"\n',
        encoding="utf-8",
    )
    out = data_dir / "plan.xlsx"
    assert run("export", "-o", str(out), "--data-dir", str(data_dir)).exit_code == 0
    ws = openpyxl.load_workbook(out)["Figures"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+@"]
    assert {c.value for c in cells} == {'=HYPERLINK("x")', "+1 vs 2023", "@SUM(A1)"}
    assert all(c.data_type == "s" for c in cells)
    # and it reads back as the same text
    before = path.read_bytes()
    result = imports(data_dir, str(out), "--sheet", "Figures")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before


def test_export_writes_only_a_regular_file(data_dir: Path) -> None:
    fifo = data_dir / "pipe"
    os.mkfifo(fifo)
    link = data_dir / "plan.xlsx"
    link.symlink_to(fifo)
    result = run("export", "-o", str(link), "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()


def test_the_header_font_is_bold(data_dir: Path) -> None:
    out = data_dir / "plan.xlsx"
    assert run("export", "-o", str(out), "--data-dir", str(data_dir)).exit_code == 0
    ws = openpyxl.load_workbook(out)["Status"]
    assert ws["A4"].font.bold and ws["A4"].value == "Sector"


# --- what a hostile review found -------------------------------------------------------------


def test_a_quote_left_open_in_a_csv_is_refused_not_swallowing_rows(data_dir: Path) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    sheet = data_dir / "open.csv"
    sheet.write_text(
        'kpi,period,value,source\ndigital.revenue,2024-01,5,"Báo cáo quý 1\n'
        "digital.revenue,2024-02,6,r\ndigital.revenue,2024-03,7,r\n",
        encoding="utf-8",
    )
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "is not valid CSV" in result.output and "quote left open" in result.output
    assert len(result.output.strip().splitlines()) == 1
    sheet.write_text('kpi,period,value,source\ndigital.revenue,2024,5,"y"z\n', encoding="utf-8")
    assert imports(data_dir, str(sheet)).exit_code == 1
    assert (data_dir / "actuals.toml").read_bytes() == before


def test_a_title_line_before_a_semicolon_header(data_dir: Path) -> None:
    sheet = data_dir / "t.csv"
    sheet.write_text(
        "BÁO CÁO, QUÝ 4\nMã chỉ tiêu;Kỳ;Giá trị;Nguồn\ndigital.revenue;2024;1.234,5;Báo cáo\n",
        encoding="utf-8",
    )
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    assert tomli.loads(result.stdout)["actual"][0]["value"] == 1234.5


def test_hidden_column_ranges_and_zero_widths_are_seen(data_dir: Path) -> None:
    rows: list[list[object]] = [["telecom.fiber", "2024-11", 83, None, None, "r", "SECRET"]]
    sheet = workbook(data_dir / "cols.xlsx", rows, header=[*HEADER, "quote"])
    edit(sheet, lambda book: book.active.column_dimensions.group("F", "G", hidden=True))
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "Sheet1!G2: is in a hidden column" in result.output
    # Excel hides a column dragged to nothing as width 0 (openpyxl would not write that itself).
    import zipfile

    sheet = workbook(data_dir / "zero.xlsx", rows, header=[*HEADER, "quote"])
    with zipfile.ZipFile(sheet) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace(
        "<sheetData>", '<cols><col min="7" max="7" width="0" customWidth="1"/></cols><sheetData>'
    )
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(sheet, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1 and "Sheet1!G2: is in a hidden column" in result.output


def test_control_characters_are_refused_and_export_survives_them(data_dir: Path) -> None:
    sheet = data_dir / "c.csv"
    sheet.write_text("kpi,period,value,source\ndigital.revenue,2024,5,a\x1b[31mb\n", encoding="utf-8")
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "D2" in result.output and "control character (U+001B)" in result.output
    # a control character that came by TOML (validate accepts it) does not stop kpi export
    path = data_dir / "actuals.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[actual]]\nkpi = "digital.revenue"\nperiod = "2024"\nvalue = 5\nsource = "a\\u0000b\\u001bc"\n',
        encoding="utf-8",
    )
    out = data_dir / "plan.xlsx"
    result = run("export", "-o", str(out), "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    sources = [c.value for row in openpyxl.load_workbook(out)["Figures"].iter_rows() for c in row]
    assert "a\\x00b\\x1bc" in sources


def test_a_stray_cell_far_away_costs_one_cell(data_dir: Path) -> None:
    sheet = workbook(data_dir / "far.xlsx", [["telecom.fiber", "2024-11", 83, None, None, "r"]])
    edit(sheet, lambda book: book.active.cell(row=1, column=16384, value="x"))
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "XFD1 holds a value; kpi import reads up to 200 columns" in result.output
    sheet = workbook(data_dir / "deep.xlsx", [["telecom.fiber", "2024-11", 83, None, None, "r"]])
    edit(sheet, lambda book: book.active.cell(row=200_000, column=3, value="x"))
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "Sheet1!A200000" in result.output and "kpi is empty" in result.output


def test_a_broken_workbook_is_one_line(data_dir: Path) -> None:
    import zipfile

    sheet = workbook(data_dir / "broken.xlsx", [["telecom.fiber", "2024-11", 83, None, None, "r"]])
    with zipfile.ZipFile(sheet) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:200]
    with zipfile.ZipFile(sheet, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "not a readable .xlsx workbook" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_each_problem_names_the_cell_of_its_field(data_dir: Path) -> None:
    sheet = workbook(data_dir / "f.xlsx", [["telecom.fiber", "2024-13", 83, None, None, "r"]])
    result = imports(data_dir, str(sheet))
    assert (
        result.exit_code == 1 and "Sheet1!B2" in result.output and "month must be 01 to 12" in result.output
    )
    flows = data_dir / "targets.toml"
    flows.write_text(
        flows.read_text(encoding="utf-8").replace(
            'trend = "compound"\n', 'trend = "compound"\nmeasure = "flow"\n'
        ),
        encoding="utf-8",
    )
    sheet = data_dir / "share.csv"
    sheet.write_text("kpi,period,value,source,plan_share\ndigital.revenue,2024-H1,5,r,20\n", encoding="utf-8")
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1 and "E2" in result.output and "plan_share" in result.output
    # a problem between two figures names the sheet's row, not a count of the KPI's tables
    sheet = data_dir / "overlap.csv"
    sheet.write_text(
        "kpi,period,value,source,cumulative\ndigital.revenue,2024-Q2,5,r,\ndigital.revenue,2024-05,9,r,true\n",
        encoding="utf-8",
    )
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert "B2 (" in result.output or "B3 (" in result.output, result.output


def test_two_columns_for_one_field_are_refused_and_a_name_column_is_not_an_id(data_dir: Path) -> None:
    sheet = workbook(data_dir / "two.xlsx", [["telecom.fiber", "2024-11", 83, 84, "r"]],
                     header=["kpi", "period", "Giá trị", "Thực hiện", "source"])  # fmt: skip
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1  # the sheet's problem, named with its file
    assert f"{sheet}: columns C and D are both headed value" in result.output
    report = workbook(data_dir / "vi.xlsx", [[1, "Cáp quang", "telecom.fiber", "2024-11", 83, "r"]],
                      header=["STT", "Chỉ tiêu", "Mã chỉ tiêu", "Kỳ", "Giá trị", "Nguồn"])  # fmt: skip
    result = imports(data_dir, str(report), "--dry-run")
    assert result.exit_code == 0, result.output
    assert tomli.loads(result.stdout)["actual"][0]["kpi"] == "telecom.fiber"


def test_map_prefers_a_header_and_handles_titles(data_dir: Path) -> None:
    sheet = workbook(data_dir / "m.xlsx", [["telecom.fiber", "2024-11", 83, "r"]],
                     header=["ID", "period", "Số", "source"])  # fmt: skip
    result = imports(data_dir, str(sheet), "--map", "value=Số", "--dry-run")
    assert result.exit_code == 0, result.output
    # a title above the header, every column given by letter: --header-row says where it is
    titled = workbook(data_dir / "titled.xlsx", [["kpi", "period", "value", "source"],
                                                 ["telecom.fiber", "2024-11", 83, "r"]],
                      header=["Báo cáo tháng 11"])  # fmt: skip
    args = ("--map", "kpi=A", "--map", "period=B", "--map", "value=C", "--map", "source=D")
    result = imports(data_dir, str(titled), *args, "--header-row", "2", "--dry-run")
    assert result.exit_code == 0, result.output
    result = imports(data_dir, str(titled), "--map", "value=Q")
    assert result.exit_code == 2 and "column Q holds nothing" in result.output


def test_a_merged_title_above_the_header_is_fine(data_dir: Path) -> None:
    sheet = workbook(data_dir / "t.xlsx", [[*HEADER], ["telecom.fiber", "2024-11", 83, None, None, "r"]],
                     header=["BÁO CÁO SỐ LIỆU"])  # fmt: skip
    edit(sheet, lambda book: book.active.merge_cells("A1:F1"))
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output


def test_an_error_cell_is_refused(data_dir: Path) -> None:
    sheet = workbook(data_dir / "e.xlsx", [["telecom.fiber", "2024-11", 83, None, None, "r"]])

    def error(book: openpyxl.Workbook) -> None:
        cell = book.active["F2"]
        cell.value = "#REF!"
        cell.data_type = "e"

    edit(sheet, error)
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1 and "F2" in result.output and "spreadsheet error (#REF!)" in result.output


def test_an_export_read_without_its_sheet_says_where_the_figures_are(data_dir: Path) -> None:
    out = data_dir / "plan.xlsx"
    assert run("export", "-o", str(out), "--data-dir", str(data_dir)).exit_code == 0
    result = imports(data_dir, str(out))
    assert result.exit_code == 1 and "other sheets: Status, Figures, Targets" in result.output
    empty = data_dir / "empty.csv"
    empty.write_bytes("\ufeff".encode())
    result = imports(data_dir, str(empty))
    assert result.exit_code == 1 and "the file is empty" in result.output


# --- what a second hostile review found --------------------------------------------------------


def test_a_unit_column_that_disagrees_with_the_kpi_is_refused(data_dir: Path) -> None:
    rows: list[list[object]] = [
        ["digital.revenue", "Doanh thu", "triệu đồng", "2024", 35_000_000, "r"],
        ["digital.revenue", "Doanh thu", "Tỷ  đồng", "2023", 35, "r"],
    ]
    header = ["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Kỳ", "Giá trị", "Nguồn"]
    sheet = workbook(data_dir / "u.xlsx", rows, header=header)
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert (
        'Sheet1!C2 (kpi "digital.revenue", period "2024"): unit "triệu đồng" is not the KPI\'s unit'
        in result.output
    )
    assert "C3" not in result.output  # the same unit, written with other spacing and case


def test_only_a_real_percentage_format_multiplies_by_100(data_dir: Path) -> None:
    sheet = workbook(data_dir / "p.xlsx", [["telecom.fiber", "2024-11", 82.2, None, None, "r"],
                                           ["telecom.fiber", "2024-10", 81.5, None, None, "r"]])  # fmt: skip

    def formats(book: openpyxl.Workbook) -> None:
        book.active["C2"].number_format = '0.0"%"'
        book.active["C3"].number_format = "0.0\\%"

    edit(sheet, formats)
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    assert [t["value"] for t in tomli.loads(result.stdout)["actual"]] == [82.2, 81.5]


def test_headers_with_a_hint_in_brackets_are_read(data_dir: Path) -> None:
    header = ["Mã chỉ tiêu", "Kỳ", "Giá trị (%)", "Ước tính (đánh x)", "Ngày công bố (dd/mm/yyyy):", "Nguồn",
              "Trích dẫn nguyên văn"]  # fmt: skip
    sheet = workbook(
        data_dir / "h.xlsx", [["telecom.fiber", "2024-11", 83, "x", "10/12/2024", "r", "q"]], header
    )
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    [table] = tomli.loads(result.stdout)["actual"]
    assert (
        table["estimated"] is True and table["published"] == dt.date(2024, 12, 10) and table["quote"] == "q"
    )
    # a header that only starts like a field's must be said: which column is the value?
    plan = workbook(data_dir / "plan.xlsx", [["telecom.fiber", "2024-11", 90, "r"]],
                    header=["kpi", "period", "Giá trị kế hoạch", "source"])  # fmt: skip
    assert imports(data_dir, str(plan)).exit_code == 1


def test_figures_under_no_header_are_said(data_dir: Path) -> None:
    sheet = workbook(data_dir / "n.xlsx", [["telecom.fiber", "2024-11", 83, None, None, "r", "lost?"]])
    result = imports(data_dir, str(sheet), "--dry-run")
    assert "column (no header) (G) is not imported" in result.stderr


def test_a_month_formatted_date_is_that_month(data_dir: Path) -> None:
    sheet = workbook(data_dir / "m.xlsx", [["telecom.fiber", dt.date(2024, 8, 1), 83, None, None, "r"]])
    edit(sheet, lambda book: setattr(book.active["B2"], "number_format", "mm/yyyy"))
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    assert tomli.loads(result.stdout)["actual"][0]["period"] == "2024-08"
    assert "warning" not in result.stderr


def test_an_export_with_explicit_false_flags_reimports_as_nothing(data_dir: Path) -> None:
    path = data_dir / "actuals.toml"
    added = '\n[[actual]]\nkpi = "digital.revenue"\nperiod = "2024"\nvalue = 1e-3\nestimated = false\n'
    added += 'derived = false\nsource = "a\\r\\nb"\n'
    path.write_text(path.read_text(encoding="utf-8") + added, encoding="utf-8")
    out = data_dir / "plan.xlsx"
    assert run("export", "-o", str(out), "--data-dir", str(data_dir)).exit_code == 0
    before = path.read_bytes()
    result = imports(data_dir, str(out), "--sheet", "Figures")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before


def test_a_semicolon_csv_with_commas_in_its_quotes(data_dir: Path) -> None:
    sheet = data_dir / "s.csv"
    sheet.write_text(
        'kpi;period;value;source;quote\ndigital.revenue;2024;1,5;r;"a, b, c, d, e, f"\n', encoding="utf-8"
    )
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    assert tomli.loads(result.stdout)["actual"][0]["value"] == 1.5


def test_a_change_typed_as_a_bare_number_is_refused(data_dir: Path) -> None:
    sheet = data_dir / "c.csv"
    sheet.write_text(
        "kpi,period,value,source,change,change_from\ndigital.revenue,2024,5,r,12,2023\n", encoding="utf-8"
    )
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1 and "would be a change of 1,200%; write 12%" in result.output
    sheet.write_text(
        "kpi,period,value,source,change,change_from\ndigital.revenue,2024,5,r,12%,2023\n", encoding="utf-8"
    )
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    assert tomli.loads(result.stdout)["actual"][0]["change"] == 0.12


def test_problems_stay_one_line_and_usage_errors_say_what(data_dir: Path) -> None:
    sheet = data_dir / "nl.csv"
    sheet.write_text('kpi,period,value,source\n"telecom.fib\ner",2024-11,83,r\n', encoding="utf-8")
    result = imports(data_dir, str(sheet))
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 2  # the problem, then the summary
    ok = data_dir / "ok.csv"
    ok.write_text("title\nkpi,period,value,source\ntelecom.fiber,2024-11,83,r\n", encoding="utf-8")
    assert imports(data_dir, str(ok), "--header-row", "1").exit_code == 2
    assert imports(data_dir, str(ok), "--header-row", "0").exit_code == 2
    assert imports(data_dir, str(ok), "--map", "kpi=A", "--map", "kpi=B").exit_code == 2


def test_a_layout_around_the_figures_is_fine(data_dir: Path) -> None:
    rows: list[list[object]] = [
        ["telecom.fiber", "2024-12", 84, None, dt.date(2025, 3, 1), "r"],
        ["telecom.fiber", "2024-12", 83, None, dt.date(2025, 1, 5), "r"],  # a revision chain, newest first
        [None] * 6,
        ["Người lập biểu", None, None, None, None, None],
    ]
    sheet = workbook(data_dir / "f.xlsx", rows, header=["BÁO CÁO"])

    def layout(book: openpyxl.Workbook) -> None:
        ws = book.active
        ws.insert_rows(2)
        for n, title in enumerate(HEADER, 1):
            ws.cell(row=2, column=n, value=title)
        ws.row_dimensions[1].hidden = True  # a hidden title row above the header
        ws.merge_cells("A6:C6")  # a signature block below the figures

    edit(sheet, layout)
    result = imports(data_dir, str(sheet), "--dry-run")
    assert result.exit_code == 0, result.output
    assert len(tomli.loads(result.stdout)["actual"]) == 2
    hidden = workbook(data_dir / "hide.xlsx", [["telecom.fiber", "2024-11", 83, None, None, "r"]])
    edit(hidden, lambda book: setattr(book.active["C2"], "number_format", ";;;"))
    result = imports(data_dir, str(hidden))
    assert result.exit_code == 1 and "formatted to show nothing" in result.output


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_template_s_yes_no_words_read_back(lang: str) -> None:
    from kpi.sheets.read import Cell
    from kpi.sheets.rows import _boolean
    from kpi.sheets.workbook import NO, YES

    assert _boolean(Cell("F2", YES[lang])) is True
    assert _boolean(Cell("F2", NO[lang])) is False


def test_export_carries_the_units_figures_and_targets_and_they_import_back(tmp_path: Path) -> None:
    """Every figure the files hold, a unit's too (with its org), reads back into empty files."""
    import shutil

    data = tmp_path / "provinces"
    shutil.copytree(Path(__file__).resolve().parents[1] / "docs" / "examples" / "provinces", data)
    out = tmp_path / "plan.xlsx"
    assert run("export", "-o", str(out), "--data-dir", str(data), "--lang", "en").exit_code == 0
    book = openpyxl.load_workbook(out)
    targets = [[c.value for c in row] for row in book["Targets"].iter_rows(min_row=5)]
    assert any(row[1] == "ha-noi" for row in targets), targets  # a unit's own [[target]]
    before = json.loads(
        run("show", "telecom.subscribers", "--data-dir", str(data), "--format", "json").output
    )
    units_before = run("status", "--by", "org", "--kpi", "telecom.subscribers", "--format", "json",
                       "--data-dir", str(data)).output  # fmt: skip
    (data / "actuals.toml").write_text("", encoding="utf-8")
    result = imports(data, str(out), "--sheet", "Figures")
    assert result.exit_code == 0, result.output
    after = json.loads(run("show", "telecom.subscribers", "--data-dir", str(data), "--format", "json").output)
    assert [(a["period"], a["value"]) for a in after["actuals"]] == [
        (a["period"], a["value"]) for a in before["actuals"]
    ]
    assert run("status", "--by", "org", "--kpi", "telecom.subscribers", "--format", "json",
               "--data-dir", str(data)).output == units_before  # fmt: skip


def test_an_english_template_says_unit_en_and_imports_back(data_dir: Path) -> None:
    targets = data_dir / "targets.toml"
    targets.write_text(
        targets.read_text(encoding="utf-8").replace(
            'unit = "tỷ đồng"', 'unit = "tỷ đồng"\nunit_en = "billion VND"'
        ),
        encoding="utf-8",
    )
    out = data_dir / "t.xlsx"
    assert (
        run(
            "template", "-o", str(out), "--period", "2024", "--data-dir", str(data_dir), "--lang", "en"
        ).exit_code
        == 0
    )

    def fill(book: openpyxl.Workbook) -> None:
        ws = book.worksheets[0]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "digital.revenue")
        assert row[2].value == "billion VND"
        row[4].value, row[7].value = 5000, "report"

    edit(out, fill)
    result = imports(data_dir, str(out))
    assert result.exit_code == 0 and "imported 1 figure" in result.output, result.output


def test_a_cell_s_problem_names_its_column_as_the_sheet_heads_it(data_dir: Path) -> None:
    out = data_dir / "t.xlsx"
    args = ("--data-dir", str(data_dir), "--lang", "vi")
    assert run("template", "-o", str(out), "--period", "2024", *args).exit_code == 0

    def fill(book: openpyxl.Workbook) -> None:
        ws = book.worksheets[0]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "digital.revenue")
        row[4].value, row[4].number_format, row[7].value = 0.1255, "0.0%", "x"

    edit(out, fill)
    result = run("import", str(out), "--dry-run", *args)
    assert result.exit_code == 1
    assert "giá trị được định dạng phần trăm (12,55%) nhưng đơn vị của chỉ tiêu là tỷ đồng" in result.output
