"""The reporting cycle (kpi due): due dates, timeliness decided once, owners over time."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kpi.due import due_date
from kpi.model import Due
from kpi.periods import parse_period
from tests.conftest import run

PLAN = """
[plan]
name = "Chế độ báo cáo"
period = "2021-2025"

[reporting]
frequency = "quarterly"
due = { months = 0, day = 6 }   # Circular 02/2023: by the 6th of the quarter's last month
reporting_from = "2024-Q1"

[owners.vt]
name = "Cục Viễn thông"

[owners.kh]
name = "Vụ Kế hoạch - Tài chính"
until = 2024-06-30
successor = "kh2"

[owners.kh2]
name = "Vụ Kế hoạch - Tài chính (mới)"
from = 2024-07-01

[sectors.t]
name = "Viễn thông"
owner = "vt"

[[owner_rule]]
pattern = "t.rev*"
owner = "kh"

[[owner_rule]]
pattern = "t.revenue_*"
owner = ""

[[kpi]]
id = "t.subs"
sector = "t"
name = "Thuê bao"
unit = "thuê bao"
direction = "up"
min = 0

[[kpi]]
id = "t.revenue"
sector = "t"
name = "Doanh thu"
unit = "tỷ đồng"
direction = "up"
measure = "flow"
min = 0
owners = [{ owner = "kh", until = 2024-06-30 }, { owner = "kh2", from = 2024-07-01 }]

[[kpi]]
id = "t.revenue_other"
sector = "t"
name = "Doanh thu khác"
unit = "tỷ đồng"
direction = "up"
min = 0

[[kpi]]
id = "t.rank"
sector = "t"
name = "Xếp hạng"
unit = "hạng"
direction = "down"
min = 1
frequency = "irregular"
"""


def fig(kpi: str, period: str, value: float, **dates: str) -> str:
    extra = "".join(f"{k} = {v}\n" for k, v in dates.items())
    return f'[[actual]]\nkpi = "{kpi}"\nperiod = "{period}"\nvalue = {value}\nsource = "s"\n{extra}\n'


def due(folder: Path, as_of: str, *args: str) -> dict[str, Any]:
    result = run("due", "--data-dir", str(folder), "--as-of", as_of, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def items(doc: dict[str, Any], kpi: str) -> dict[str, dict[str, Any]]:
    return {
        (i["period"] if i["org"] is None else f"{i['org']} {i['period']}"): i
        for i in doc["items"]
        if i["kpi"] == kpi
    }


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    (tmp_path / "targets.toml").write_text(PLAN, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text("", encoding="utf-8")
    return tmp_path


def figures(folder: Path, text: str) -> None:
    (folder / "actuals.toml").write_text(text, encoding="utf-8")


def test_due_dates_by_the_rules_and_month_ends_clamped() -> None:
    # Circular 02/2023: a quarter by the 6th of its last month; a year by 25 November.
    assert due_date(parse_period("2024-Q3"), Due(months=0, day=6)) == date(2024, 9, 6)
    assert due_date(parse_period("2024"), Due(months=-1, day=25)) == date(2024, 11, 25)
    assert due_date(parse_period("2024-Q3"), Due(months=1, day=31)) == date(2024, 10, 31)
    assert due_date(parse_period("2024-Q3"), Due(months=0, day=31)) == date(2024, 9, 30)
    assert due_date(parse_period("2025-01"), Due(months=1, day=29)) == date(2025, 2, 28)
    assert due_date(parse_period("2024-Q4"), Due(days=18)) == date(2025, 1, 18)
    # A month from the 15th to the 14th: March's figure closes on 14 March.
    assert due_date(parse_period("2025-03"), Due(days=5), "15-14") == date(2025, 3, 19)


def test_a_sunday_due_date_is_kept_and_a_figure_that_day_is_on_time(plan: Path) -> None:
    # 2024-Q2 is due on Thursday 6 June 2024; Q3 on Friday 6 September; 2025-Q2 on Friday.
    figures(
        plan,
        fig("t.subs", "2024-Q1", 1, received="2024-03-06")
        + fig("t.subs", "2024-Q2", 2, received="2024-06-07"),
    )
    found = items(due(plan, "2024-07-01"), "t.subs")
    assert found["2024-Q1"]["state"] == "on_time" and found["2024-Q1"]["days"] == 0
    assert (found["2024-Q2"]["state"], found["2024-Q2"]["days"]) == ("late", 1)
    (plan / "targets.toml").write_text(
        PLAN.replace("day = 6 }", "day = 9 }"), encoding="utf-8"
    )  # 9 June 2024
    found = items(due(plan, "2024-07-01"), "t.subs")
    assert found["2024-Q2"]["due"] == "2024-06-09" and found["2024-Q2"]["weekday"] == "Sunday"
    assert found["2024-Q2"]["state"] == "on_time"
    table = run(
        "due", "--data-dir", str(plan), "--as-of", "2024-07-01", "--lang", "vi", "--format", "markdown"
    )
    assert "09/06/2024 (Chủ nhật)" in table.output.replace("\\", "")


def test_timeliness_is_decided_by_the_first_figure(plan: Path) -> None:
    on_time = fig("t.subs", "2024-Q1", 1, received="2024-03-01", published="2024-03-02")
    revised = fig("t.subs", "2024-Q1", 2, published="2024-05-01")  # a revision after the deadline
    late = fig("t.subs", "2024-Q2", 3, received="2024-06-20", published="2024-06-21")
    late_revised = fig("t.subs", "2024-Q2", 4, published="2024-07-15")
    figures(plan, on_time + revised + late + late_revised)
    found = items(due(plan, "2024-08-01"), "t.subs")
    assert found["2024-Q1"]["state"] == "on_time" and found["2024-Q1"]["received"] == "2024-03-01"
    assert found["2024-Q2"]["state"] == "late" and found["2024-Q2"]["days"] == 14


def test_an_estimate_received_before_its_period_ends_is_on_time(plan: Path) -> None:
    figures(plan, fig("t.subs", "2024-Q1", 1, received="2024-03-05", estimated="true"))
    assert items(due(plan, "2024-04-01"), "t.subs")["2024-Q1"]["state"] == "on_time"


def test_a_quarterly_level_kpi_answered_by_its_year_and_a_flow_covered_by_it(plan: Path) -> None:
    figures(
        plan,
        fig("t.subs", "2024", 10, received="2024-12-01")
        + fig("t.revenue", "2024", 100, received="2024-12-01"),
    )
    found = items(due(plan, "2025-01-31"), "t.subs")
    assert found["2024-Q4"]["state"] == "on_time"  # the 2024 figure ends that day
    assert [found[f"2024-Q{q}"]["state"] for q in (1, 2, 3)] == ["overdue"] * 3
    flow = items(due(plan, "2025-01-31"), "t.revenue")
    assert [flow[f"2024-Q{q}"]["state"] for q in (1, 2, 3)] == ["covered"] * 3
    assert flow["2024-Q4"]["state"] == "covered"


def test_three_months_make_a_flow_s_quarter(plan: Path) -> None:
    months = "".join(fig("t.revenue", f"2024-0{m}", 10, received=f"2024-0{m}-20") for m in (1, 2, 3))
    figures(plan, months)
    found = items(due(plan, "2024-04-01"), "t.revenue")["2024-Q1"]
    assert (found["state"], found["received"], found["days"]) == ("late", "2024-03-20", 14)


def test_an_owner_changed_mid_plan(plan: Path) -> None:
    doc = due(plan, "2024-08-01")
    q1 = items(doc, "t.revenue")["2024-Q1"]  # due 6 March 2024: kh's, reminded to kh2
    assert (q1["state"], q1["accountable_owner"], q1["current_owner"]) == ("overdue", "kh", "kh2")
    # kh2 took over on 1 July: Q2 (due 6 June) stays kh's; kh2's rate has nothing of it.
    assert items(doc, "t.revenue")["2024-Q2"]["accountable_owner"] == "kh"
    owners = {o["owner"]: o for o in doc["by_owner"]}
    assert "kh2" not in owners
    assert owners["kh"]["missing"] >= 2


def test_owner_rules_the_last_match_wins_and_explicitly_unowned(plan: Path) -> None:
    doc = due(plan, "2024-04-01")
    assert items(doc, "t.subs")["2024-Q1"]["accountable_owner"] == "vt"  # the sector's
    assert items(doc, "t.revenue_other")["2024-Q1"]["accountable_owner"] is None  # owner = ""


def test_a_kpi_without_a_frequency_is_never_expected(plan: Path) -> None:
    doc = due(plan, "2025-12-31")
    assert items(doc, "t.rank") == {}  # irregular, with no next release announced


def test_as_of_replays_before_on_and_after_a_due_date(plan: Path) -> None:
    figures(plan, fig("t.subs", "2024-Q1", 1, received="2024-03-10"))
    assert items(due(plan, "2024-03-01"), "t.subs")["2024-Q1"]["state"] == "due_soon"
    assert items(due(plan, "2024-03-06"), "t.subs")["2024-Q1"]["state"] == "due_soon"  # due that day
    assert items(due(plan, "2024-03-08"), "t.subs")["2024-Q1"]["state"] == "overdue"  # not received yet
    assert items(due(plan, "2024-03-12"), "t.subs")["2024-Q1"]["state"] == "late"


def test_fail_on_overdue_and_the_bundled_plan_has_no_calendar(plan: Path) -> None:
    result = run("due", "--data-dir", str(plan), "--as-of", "2024-08-01", "--fail-on", "overdue")
    assert result.exit_code == 1
    bundled = run("due", "--lang", "en")
    assert bundled.exit_code == 0 and "No KPI has a reporting calendar" in bundled.output


def test_a_province_merged_mid_year_owes_h1_under_its_old_id_and_h2_under_the_new(tmp_path: Path) -> None:
    text = PLAN.replace('frequency = "quarterly"', 'frequency = "half-yearly"\nreported_by = "units"')
    text = text.replace('reporting_from = "2024-Q1"', 'reporting_from = "2025-H1"').replace(
        "day = 6 }", "day = 20 }"
    )
    text += """
[[org]]
id = "vn"
name = "Việt Nam"

[[org]]
id = "hp-63"
name = "Hải Phòng"
parent = "vn"

[[org]]
id = "hd"
name = "Hải Dương"
parent = "vn"

[[org]]
id = "hp"
name = "Hải Phòng"
parent = "vn"

[[merge]]
date = 2025-07-01
from = ["hp-63", "hd"]
into = "hp"
source = "Nghị quyết 202/2025/QH15"
"""
    (tmp_path / "targets.toml").write_text(text, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text("", encoding="utf-8")
    found = items(due(tmp_path, "2026-01-31"), "t.subs")
    assert set(found) == {"hp-63 2025-H1", "hd 2025-H1", "hp 2025-H2"}


def test_a_wrong_calendar_or_owner_is_an_error(plan: Path) -> None:
    for old, new, wanted in (
        ('owner = "vt"', 'owner = "vtt"', 'unknown owner "vtt" (did you mean "vt"?)'),
        ('frequency = "quarterly"', 'frequency = "weekly"', '"frequency" must be one of'),
        ("due = { months = 0, day = 6 }", "due = { weeks = 1 }", '"due" must be'),
        ('{ owner = "kh2", from = 2024-07-01 }', '{ owner = "kh2", from = 2024-06-01 }', "both hold it"),
    ):
        (plan / "targets.toml").write_text(PLAN.replace(old, new, 1), encoding="utf-8")
        result = run("validate", "--data-dir", str(plan), "--lang", "en")
        assert result.exit_code == 1 and wanted in result.output, (new, result.output)


def test_one_reminder_per_owner_and_owner_narrows_the_reports(plan: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reminders"
    result = run(
        "due",
        "--data-dir",
        str(plan),
        "--as-of",
        "2024-08-01",
        "--by-owner",
        "--format",
        "markdown",
        "-o",
        str(folder),
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["(unowned).md", "kh2.md", "vt.md"]
    assert "t.revenue" in (folder / "kh2.md").read_text(encoding="utf-8")
    assert "t.subs" not in (folder / "kh2.md").read_text(encoding="utf-8")
    assert run("due", "--data-dir", str(plan), "--by-owner").exit_code == 2
    status = run(
        "status", "--data-dir", str(plan), "--owner", "kh2", "--as-of", "2024-08-01", "--format", "json"
    )
    assert status.exit_code == 0, status.output
    assert [k["id"] for k in json.loads(status.output)["kpis"]] == ["t.revenue"]
    wrong = run("status", "--data-dir", str(plan), "--owner", "kh3")
    assert wrong.exit_code == 2 and 'unknown owner "kh3"' in wrong.output


def test_validate_checks_unowned_and_calendar_on_request(plan: Path) -> None:
    from tests.conftest import TARGETS

    other = plan / "other"
    other.mkdir()
    (other / "targets.toml").write_text(TARGETS, encoding="utf-8")
    assert run("validate", "--data-dir", str(plan), "--check", "unowned").exit_code == 0  # "" is on purpose
    (plan / "targets.toml").write_text(
        PLAN.replace('name = "Viễn thông"\nowner = "vt"', 'name = "Viễn thông"'), encoding="utf-8"
    )
    result = run("validate", "--data-dir", str(plan), "--check", "unowned", "--lang", "en")
    assert result.exit_code == 1
    assert 'kpi "t.subs"' in result.output and "no owner" in result.output
    assert 'kpi "t.revenue_other"' not in result.output
    result = run("validate", "--data-dir", str(other), "--check", "calendar", "--lang", "en")
    assert result.exit_code == 1 and "has targets and no reporting calendar" in result.output


def test_diff_says_what_became_overdue_what_came_in_and_whose_it_is_now(plan: Path) -> None:
    figures(plan, fig("t.subs", "2024-Q1", 1, received="2024-03-05"))
    args = ["diff", "--data-dir", str(plan), "--format", "json"]
    doc = json.loads(run(*args, "--from", "2024-03-01", "--to", "2024-04-01").output)
    assert [(i["kpi"], i["period"]) for i in doc["reports_received"]] == [("t.subs", "2024-Q1")]
    assert doc["reports_received"][0]["state"] == "on_time"
    assert {(i["kpi"], i["period"]) for i in doc["reports_overdue"]} == {
        ("t.revenue", "2024-Q1"),
        ("t.revenue_other", "2024-Q1"),
    }
    moved = json.loads(run(*args, "--from", "2024-06-01", "--to", "2024-08-01").output)["owners_changed"]
    assert moved == [{"kpi": "t.revenue", "before": "kh", "after": "kh2"}]
    table = run("diff", "--data-dir", str(plan), "--from", "2024-06-01", "--to", "2024-08-01", "--lang", "en")
    assert "Owner changes" in table.output and "t.revenue: kh → kh2" in table.output


def test_the_report_has_a_completeness_section_only_with_a_calendar(plan: Path) -> None:
    figures(plan, fig("t.subs", "2024-Q1", 1, received="2024-03-05"))
    report = run(
        "report", "--data-dir", str(plan), "--format", "markdown", "--as-of", "2024-08-01", "--lang", "en"
    )
    assert report.exit_code == 0, report.output
    section = report.output.split("## Completeness of reporting", 1)[1].split("\n## ", 1)[0]
    assert "| Cục Viễn thông | 2 | 1 | 1 | 0 | 1 |" in section
    assert "Doanh thu 2024-Q1: due 2024-03-06, 148 days overdue" in section
    html = run(
        "report", "--data-dir", str(plan), "--format", "html", "--as-of", "2024-08-01", "--lang", "en"
    ).output
    assert "Completeness of reporting" in html
    bundled = run("report", "--format", "markdown", "--as-of", "2025-06-30", "--lang", "en")
    assert bundled.exit_code == 0 and "Completeness of reporting" not in bundled.output


def test_owner_narrows_diff_too(plan: Path) -> None:
    figures(plan, fig("t.subs", "2024-Q1", 1, received="2024-03-05") + fig("t.revenue", "2024-Q1", 5))
    args = ["diff", "--data-dir", str(plan), "--format", "json", "--from", "2024-03-01", "--to", "2024-04-01"]
    doc = json.loads(run(*args, "--owner", "vt").output)
    assert {f["kpi"] for f in doc["figures"]} == {"t.subs"}


def test_the_status_table_and_json_say_who_owns_each_kpi(plan: Path) -> None:
    doc = json.loads(
        run("status", "--data-dir", str(plan), "--format", "json", "--as-of", "2024-08-01").output
    )
    assert {k["id"]: k["owner"] for k in doc["kpis"]} == {
        "t.subs": "vt", "t.revenue": "kh2", "t.revenue_other": None, "t.rank": "vt",
    }  # fmt: skip
    table = run("status", "--data-dir", str(plan), "--as-of", "2024-08-01", "--all", "--lang", "en")
    assert "Vụ Kế hoạch - Tài chính (mới)" in table.output and "unowned" in table.output


def test_due_as_a_workbook_and_a_template_per_owner_that_import_reads(plan: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "due.xlsx"
    result = run("due", "--data-dir", str(plan), "--as-of", "2024-08-01", "--format", "xlsx", "-o", str(book))
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(book).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("kpi", "org", "period", "state")
    assert ("t.revenue", None, "2024-Q1", "overdue") in [r[:4] for r in rows[1:]]
    folder = tmp_path / "sheets"
    args = [
        "due",
        "--data-dir",
        str(plan),
        "--as-of",
        "2024-08-01",
        "--by-owner",
        "--format",
        "xlsx",
        "-o",
        str(folder),
    ]
    assert run(*args).exit_code == 0
    sheet = openpyxl.load_workbook(folder / "kh2.xlsx").active
    filled = [(r[0], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]
    assert filled == [("t.revenue", "2024-Q1"), ("t.revenue", "2024-Q2")]
    # Filled in and imported, the owner's figures land where kpi due looks for them.
    sheet.cell(row=2, column=5).value = 60
    sheet.cell(row=2, column=8).value = "Báo cáo quý"
    sheet.parent.save(folder / "kh2.xlsx")
    imported = run("import", str(folder / "kh2.xlsx"), "--data-dir", str(plan))
    assert imported.exit_code == 0, imported.output
    assert items(due(plan, "2024-08-01"), "t.revenue")["2024-Q1"]["state"] == "date_unknown"


def test_validate_notes_a_figure_longer_than_the_calendar_asks(plan: Path) -> None:
    figures(plan, fig("t.subs", "2024", 10, received="2024-12-01") + fig("t.subs", "2025-Q1", 11))
    result = run("validate", "--data-dir", str(plan), "--lang", "en")
    assert result.exit_code == 0
    assert "a figure for 2024, longer than the KPI's quarterly calendar asks" in result.output
    assert "2025-Q1, longer" not in result.output


def test_a_flow_s_timeliness_is_decided_by_the_months_that_first_made_it(plan: Path) -> None:
    months = "".join(fig("t.revenue", f"2024-0{m}", 10, received=f"2024-03-0{m}") for m in (1, 2, 3))
    figures(plan, months + fig("t.revenue", "2024-Q1", 30, received="2024-05-20"))
    assert items(due(plan, "2024-06-01"), "t.revenue")["2024-Q1"]["state"] == "on_time"


def test_an_irregular_release_a_little_early_is_on_time(plan: Path) -> None:
    (plan / "targets.toml").write_text(
        PLAN.replace('frequency = "irregular"', 'frequency = "irregular"\nnext_release = 2025-03-01'),
        encoding="utf-8",
    )
    figures(plan, fig("t.rank", "2024", 50, published="2025-02-27"))
    release = items(due(plan, "2025-03-10"), "t.rank")["release"]
    assert release["state"] == "on_time"


def test_the_round_counts_only_periods_due_by_then(plan: Path) -> None:
    figures(plan, fig("t.subs", "2024-Q1", 1, received="2024-03-01"))
    for within in ("14", "0"):
        summary = due(plan, "2024-03-02", "--within", within)["summary"]
        assert summary["expected"] == 0 and summary["received"] == 0


def test_a_new_owner_s_round_never_holds_what_fell_due_before_it(plan: Path) -> None:
    doc = due(plan, "2024-08-01", "--owner", "kh2")
    assert [o["owner"] for o in doc["by_owner"]] == [] or all(o["owner"] == "kh2" for o in doc["by_owner"])
    assert doc["summary"]["missing"] == 0  # kh's misses stay kh's
    assert any(i["accountable_owner"] == "kh" for i in doc["items"])  # still listed, to be chased


def test_an_owner_id_that_could_leave_the_folder_is_refused(plan: Path, tmp_path: Path) -> None:
    """Owner ids name the reminder files: like an org's, only a-z, 0-9, "_", "." and "-"."""
    hostile = PLAN.replace("[owners.vt]", '[owners."../../escaped"]').replace(
        'owner = "vt"', 'owner = "../../escaped"'
    )
    hostile = hostile.replace("[owners.kh2]", '[owners."a\\u0000b\\nc"]')
    (plan / "targets.toml").write_text(hostile, encoding="utf-8")
    folder = tmp_path / "out" / "reminders"
    args = ("--as-of", "2024-08-01", "--by-owner", "--format", "markdown", "-o", str(folder), "--lang", "en")
    result = run("due", "--data-dir", str(plan), *args)
    assert result.exit_code == 1
    assert 'owner id "../../escaped" must use only a-z' in result.output
    assert 'owner id "a\\x00b\\nc"' in result.output  # shown escaped, never raw
    assert not folder.exists() and not (tmp_path / "escaped.md").exists()


def test_a_kpi_s_own_calendar_beats_the_plan_s(tmp_path: Path) -> None:
    text = PLAN.replace('reporting_from = "2024-Q1"', 'reporting_from = "2024-Q1"\nreported_by = "units"')
    text = text.replace(
        'min = 0\n\n[[kpi]]\nid = "t.revenue"', 'min = 0\nreported_by = "plan"\n\n[[kpi]]\nid = "t.revenue"'
    )
    text += '\n[[org]]\nid = "vn"\nname = "VN"\n\n[[org]]\nid = "a"\nname = "A"\nparent = "vn"\n'
    (tmp_path / "targets.toml").write_text(text, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text("", encoding="utf-8")
    doc = due(tmp_path, "2024-04-01")
    assert set(items(doc, "t.subs")) == {"2024-Q1"}  # the plan's own, as the KPI says
    assert set(items(doc, "t.revenue")) == {"a 2024-Q1"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("due = { months = 0, day = 6 }", "due = { months = 1000000000, day = 5 }"),
        ("due = { months = 0, day = 6 }", "due = { days = 1000000000 }"),
        ('reporting_from = "2024-Q1"', 'reporting_from = "0001-01"'),
        ('{ owner = "kh2", from = 2024-07-01 }', '{ owner = "kh2", from = 2024-07-01T08:00:00 }'),
    ],
)
def test_calendars_beyond_reason_are_refused_not_crashed_on(plan: Path, old: str, new: str) -> None:
    (plan / "targets.toml").write_text(PLAN.replace(old, new), encoding="utf-8")
    result = run("validate", "--data-dir", str(plan))
    assert result.exit_code == 1 and "internal error" not in result.output


def test_an_owner_named_null_keeps_the_json_sound(plan: Path) -> None:
    text = PLAN.replace("[owners.kh2]", "[owners.null]").replace('"kh2"', '"null"')
    (plan / "targets.toml").write_text(text, encoding="utf-8")
    result = run("due", "--data-dir", str(plan), "--as-of", "2024-08-01", "--format", "json")
    owners = [o["owner"] for o in json.loads(result.output)["by_owner"]]
    assert None in owners and len(owners) == len(set(owners))


def test_odd_owners_are_refused_and_the_mail_merge_csv_says_where_to_write(plan: Path) -> None:
    rules = '[[owner_rule]]\npattern = "t.rev*"\nowner = "kh"\n\n'
    rules += '[[owner_rule]]\npattern = "t.revenue_*"\nowner = ""\n'
    assert rules in PLAN
    for text, wanted in (
        (PLAN.replace('successor = "kh2"', 'successor = "kh"', 1), "its own successor"),
        ("owner_rule = [1]\n" + PLAN.replace(rules, ""), "must be a table"),
    ):
        (plan / "targets.toml").write_text(text, encoding="utf-8")
        result = run("validate", "--data-dir", str(plan), "--lang", "en")
        assert result.exit_code == 1 and wanted in result.output, result.output
    (plan / "targets.toml").write_text(
        PLAN.replace('name = "Cục Viễn thông"', 'name = "Cục Viễn thông"\nemail = "vt@mic.gov.vn"'),
        encoding="utf-8",
    )
    csv = run("due", "--data-dir", str(plan), "--as-of", "2024-08-01", "--format", "csv").output
    assert csv.splitlines()[0].endswith("owner_name,owner_email,owner_contact")
    assert "Cục Viễn thông,vt@mic.gov.vn," in csv


def test_the_word_report_has_the_completeness_section_too(plan: Path, tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    out = tmp_path / "r.docx"
    result = run(
        "report",
        "--data-dir",
        str(plan),
        "--format",
        "docx",
        "-o",
        str(out),
        "--as-of",
        "2024-08-01",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    assert "Completeness of reporting" in [p.text for p in document.paragraphs]
    assert any("days overdue" in p.text for p in document.paragraphs)


def test_a_unit_s_reminder_sheet_names_the_unit_of_each_row_and_imports_back(tmp_path: Path) -> None:
    import shutil

    import openpyxl

    data = tmp_path / "plan"
    shutil.copytree(Path(__file__).resolve().parents[1] / "docs" / "examples" / "provinces", data)
    text = (data / "targets.toml").read_text(encoding="utf-8")
    text = text.replace("[sectors.telecom]", '[sectors.telecom]\nowner = "so"', 1)
    text += '\n[reporting]\nfrequency = "annual"\ndue = { days = 30 }\nreporting_from = "2024"\n'
    text += 'reported_by = "units"\n\n[owners.so]\nname = "So"\n'
    (data / "targets.toml").write_text(text, encoding="utf-8")
    folder = tmp_path / "rem"
    args = ("--data-dir", str(data), "--lang", "en")
    result = run("due", "--as-of", "2025-03-01", "--by-owner", "--format", "xlsx", "-o", str(folder), *args)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(folder / "so.xlsx")
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    rows = [r for r in ws.iter_rows(min_row=2) if r[0].value]
    orgs = [r[header.index("org")].value for r in rows]
    assert len(orgs) == len(set(orgs)) > 1 and None not in orgs
    for r in rows:
        r[header.index("value")].value, r[header.index("source")].value = 1, "x"
    book.save(folder / "so.xlsx")
    result = run("import", str(folder / "so.xlsx"), "--dry-run", *args)
    assert result.exit_code == 0 and f"would import {len(rows)} figures" in result.output, result.output


SUMMED = """[plan]
name = "P"
period = "2021-2025"
[reporting]
frequency = "quarterly"
due = { days = 20 }
reporting_from = "2024-Q1"
[owners.vt]
name = "VT"
[sectors.t]
name = "T"
owner = "vt"
[[kpi]]
id = "t.rev"
sector = "t"
name = "Rev"
unit = "x"
measure = "flow"
aggregate = "sum"
[[org]]
id = "vn"
name = "VN"
[[org]]
id = "a"
name = "A"
parent = "vn"
[[org]]
id = "b"
name = "B"
parent = "vn"
"""
UNITS_FIGURES = """[[actual]]
kpi="t.rev"
org="a"
period="2024-Q1"
value=50
source="s"
received=2024-04-05
[[actual]]
kpi="t.rev"
org="b"
period="2024-Q1"
value=60
source="s"
received=2024-05-30
"""


def test_a_total_made_of_units_figures_arrives_with_its_last_part(tmp_path: Path) -> None:
    """The plan owes its own total (not reported_by units): made of its units' figures, it is
    received when the last of them was, not before, and not 'date unknown'."""
    (tmp_path / "targets.toml").write_text(SUMMED, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(UNITS_FIGURES, encoding="utf-8")

    def item(as_of: str) -> dict[str, Any]:
        out = run("due", "--as-of", as_of, "--format", "json", "--data-dir", str(tmp_path)).output
        [found] = json.loads(out)["items"]
        return found  # type: ignore[no-any-return]

    assert item("2024-04-25")["state"] == "overdue"  # B's figure came on 30 May
    later = item("2024-06-10")
    assert (later["state"], later["received"]) == ("late", "2024-05-30")


def test_reminders_per_owner_are_markdown_unless_asked(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "cycle"
    shutil.copytree(Path(__file__).resolve().parents[1] / "docs" / "examples" / "cycle", data)
    folder = tmp_path / "rem"
    result = run("due", "--as-of", "2025-10-31", "--by-owner", "-o", str(folder), "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in folder.iterdir()) == [".md"] * len(list(folder.iterdir())) != []
    # each says whose it is and when, for a reader who gets it on its own
    first = (folder / "vt.md").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and "2025-10-31" in first and "Cục Viễn thông" in first
    result = run("due", "--as-of", "2025-10-31", "--by-owner", "--format", "table", "-o", str(folder),
                 "--data-dir", str(data))  # fmt: skip
    assert result.exit_code == 2  # a table is for the terminal
