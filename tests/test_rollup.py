"""Values per unit and roll-ups, on hand-computed fixtures: sums and ratios across units, partial
coverage never graded, back-casts through a merger, and targets per unit."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run

PLAN = """
[plan]
name = "Thử"
period = "2021-2025"

[sectors.t]
name = "Viễn thông"

[[kpi]]
id = "t.subs"
sector = "t"
name = "Thuê bao"
unit = "thuê bao"
direction = "up"
min = 0
aggregate = "sum"
targets = [{ period = "2025", value = 1000 }]

[[kpi]]
id = "t.hh"
sector = "t"
name = "Hộ gia đình"
unit = "hộ"
min = 0
aggregate = "sum"

[[kpi]]
id = "t.fiber_hh"
sector = "t"
name = "Hộ dùng cáp quang"
unit = "hộ"
min = 0
aggregate = "sum"

[[kpi]]
id = "t.fiber"
sector = "t"
name = "Tỷ lệ hộ dùng cáp quang"
unit = "%"
direction = "up"
min = 0
max = 100
aggregate = { ratio = ["t.fiber_hh", "t.hh"], factor = 100 }
org_targets = "inherit"
targets = [{ period = "2025", value = 90 }]

[[kpi]]
id = "t.rank"
sector = "t"
name = "Xếp hạng"
unit = "hạng"
direction = "down"
min = 1
targets = [{ period = "2025", value = 5 }]

[[kpi]]
id = "t.revenue"
sector = "t"
name = "Doanh thu"
unit = "tỷ đồng"
direction = "up"
measure = "flow"
min = 0
aggregate = "sum"

[[kpi]]
id = "t.provinces"
sector = "t"
name = "Số tỉnh có 5G"
unit = "tỉnh"
direction = "up"
min = 0
aggregate = "sum"
basis = "units"

[[org]]
id = "vn"
name = "Việt Nam"
"""

TWO = """
[[org]]
id = "a"
name = "Tỉnh A"
parent = "vn"

[[org]]
id = "b"
name = "Tỉnh B"
parent = "vn"
"""

MERGER = """
[[org]]
id = "ha-noi"
name = "Hà Nội"
parent = "vn"

[[org]]
id = "hai-phong-63"
name = "Hải Phòng"
parent = "vn"

[[org]]
id = "hai-duong"
name = "Hải Dương"
parent = "vn"

[[org]]
id = "hai-phong"
name = "Hải Phòng"
parent = "vn"

[[merge]]
date = 2025-07-01
from = ["hai-phong-63", "hai-duong"]
into = "hai-phong"
source = "Nghị quyết 202/2025/QH15"
"""


def fig(kpi: str, period: str, value: float, org: str | None = None) -> str:
    where = f'org = "{org}"\n' if org else ""
    return f'[[actual]]\nkpi = "{kpi}"\n{where}period = "{period}"\nvalue = {value}\nsource = "s"\n\n'


def plan(folder: Path, orgs: str, figures: str, more: str = "") -> Path:
    (folder / "targets.toml").write_text(PLAN + orgs + more, encoding="utf-8")
    (folder / "actuals.toml").write_text(figures, encoding="utf-8")
    return folder


def rows(folder: Path, kpi: str, as_of: str) -> dict[str, dict[str, Any]]:
    result = run(
        "status", "--data-dir", str(folder), "--by", "org", "--kpi", kpi, "--as-of", as_of, "--format", "json"
    )
    assert result.exit_code == 0, result.output
    return {row["org"]: row for row in json.loads(result.output)["rows"]}


def national(folder: Path, kpi: str, as_of: str) -> dict[str, Any]:
    result = run("status", "--data-dir", str(folder), "--format", "json", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    return next(k for k in json.loads(result.output)["kpis"] if k["id"] == kpi)


def test_a_percentage_is_a_ratio_of_sums_never_a_sum_or_mean_of_percentages(tmp_path: Path) -> None:
    # 50 % of 100 households and 90 % of 900: 860 / 1000 = 86 %, not 140 % nor 70 %.
    figures = fig("t.fiber_hh", "2024", 50, "a") + fig("t.hh", "2024", 100, "a")
    figures += fig("t.fiber_hh", "2024", 810, "b") + fig("t.hh", "2024", 900, "b")
    folder = plan(tmp_path, TWO, figures)
    found = rows(folder, "t.fiber", "2025-06-30")
    assert found["a"]["value"] == 50 and found["b"]["value"] == 90
    assert found["vn"]["value"] == pytest.approx(86)
    assert found["vn"]["coverage"] == {"have": 2, "expected": 2} and found["vn"]["partial"] is False
    assert national(folder, "t.fiber", "2025-06-30")["latest"]["value"] == pytest.approx(86)


def test_a_rank_never_rolls_up(tmp_path: Path) -> None:
    folder = plan(tmp_path, TWO, fig("t.rank", "2024", 10, "a") + fig("t.rank", "2024", 20, "b"))
    found = rows(folder, "t.rank", "2025-06-30")
    assert found["vn"]["value"] is None and found["vn"]["status"] == "no_data"
    assert national(folder, "t.rank", "2025-06-30")["latest"] is None


def test_a_unit_missing_a_quarter_makes_the_plan_s_value_partial_and_never_a_false_red(
    tmp_path: Path,
) -> None:
    figures = fig("t.subs", "2025-Q1", 300, "a") + fig("t.subs", "2025-Q1", 400, "b")
    figures += fig("t.subs", "2025-Q2", 310, "a")  # b's second quarter has not come in
    folder = plan(tmp_path, TWO, figures)
    found = rows(folder, "t.subs", "2025-07-30")["vn"]
    assert (found["period"], found["value"], found["partial"]) == ("2025-Q2", 310, True)
    assert found["coverage"] == {"have": 1, "expected": 2}
    status = national(folder, "t.subs", "2025-07-30")
    assert status["latest"]["period"] == "2025-Q1" and status["latest"]["value"] == 700  # the complete one
    assert status["light"] != "red"
    table = run(
        "status",
        "--data-dir",
        str(folder),
        "--by",
        "org",
        "--kpi",
        "t.subs",
        "--as-of",
        "2025-07-30",
        "--format",
        "markdown",
    )
    assert "| ≥ 310 \\(1/2\\) |" in table.output  # Markdown's escapes: the text stays text


def test_a_target_set_only_for_the_plan(tmp_path: Path) -> None:
    figures = (
        fig("t.subs", "2024", 300, "a") + fig("t.fiber_hh", "2024", 80, "a") + fig("t.hh", "2024", 100, "a")
    )
    folder = plan(tmp_path, TWO, figures)
    # A sum: the plan's total is no unit's target: the unit is grey.
    subs = rows(folder, "t.subs", "2025-06-30")["a"]
    assert subs["target"] is None and subs["target_basis"] is None and subs["light"] == "grey"
    # A share with org_targets = "inherit": judged against the plan's 90 %.
    share = rows(folder, "t.fiber", "2025-06-30")["a"]
    assert share["target"] == {"period": "2025", "value": 90} and share["target_basis"] == "inherited"
    assert share["attainment"] == pytest.approx(80 / 90)


def test_inherit_on_a_sum_is_an_error(tmp_path: Path) -> None:
    folder = plan(tmp_path, TWO, "")
    text = (folder / "targets.toml").read_text(encoding="utf-8")
    text = text.replace(
        'aggregate = "sum"\ntargets', 'aggregate = "sum"\norg_targets = "inherit"\ntargets', 1
    )
    (folder / "targets.toml").write_text(text, encoding="utf-8")
    result = run("validate", "--data-dir", str(folder))
    assert result.exit_code == 1 and 'org_targets = "inherit" on a sum' in result.output


def test_units_targets_are_an_allocation_of_the_plan_s_never_added_to_it(tmp_path: Path) -> None:
    targets = "".join(
        f'\n[[target]]\nkpi = "t.subs"\norg = "{org}"\nperiod = "2025"\nvalue = {value}\nsource = "kh"\n'
        for org, value in (("a", 400), ("b", 530))
    )
    folder = plan(tmp_path, TWO, fig("t.subs", "2024", 300, "a") + fig("t.subs", "2024", 350, "b"), targets)
    found = rows(folder, "t.subs", "2025-06-30")
    assert found["a"]["target"]["value"] == 400 and found["a"]["target_basis"] == "own"
    assert found["vn"]["target"]["value"] == 1000 and found["vn"]["target_basis"] == "national"
    assert found["vn"]["allocation"] == pytest.approx(0.93)
    table = run(
        "status",
        "--data-dir",
        str(folder),
        "--by",
        "org",
        "--kpi",
        "t.subs",
        "--as-of",
        "2025-06-30",
        "--format",
        "markdown",
    )
    assert "The units' targets add up to 93.0% of the plan's target." in table.output
    # Without the plan's own target, the units' make it: every unit has one.
    (folder / "targets.toml").write_text(
        (folder / "targets.toml")
        .read_text(encoding="utf-8")
        .replace('targets = [{ period = "2025", value = 1000 }]\n', ""),
        encoding="utf-8",
    )
    found = rows(folder, "t.subs", "2025-06-30")
    assert found["vn"]["target"]["value"] == 930 and found["vn"]["target_basis"] == "sum_children"


def test_the_warning_says_its_numbers_in_the_language_s_notation(tmp_path: Path) -> None:
    figures = (
        fig("t.subs", "2024", 1000, "a") + fig("t.subs", "2024", 2000, "b") + fig("t.subs", "2024", 2067389.5)
    )
    folder = plan(tmp_path, TWO, figures)
    vi = run("validate", "--data-dir", str(folder), "--lang", "vi").output
    assert "số liệu chung 2.067.389,5 khác với số tổng hợp 3.000 từ 2 đơn vị" in vi
    en = run("validate", "--data-dir", str(folder), "--lang", "en").output
    assert "the plan's figure 2,067,389.5 differs from its 2 units' combined 3,000" in en


def test_a_reported_total_that_its_units_contradict_is_a_warning_and_is_used(tmp_path: Path) -> None:
    figures = fig("t.subs", "2024", 100, "a") + fig("t.subs", "2024", 200, "b") + fig("t.subs", "2024", 400)
    folder = plan(tmp_path, TWO, figures)
    result = run("validate", "--data-dir", str(folder), "--lang", "en")
    assert result.exit_code == 0
    assert "the plan's figure 400 differs from its 2 units' combined 300" in result.output
    assert national(folder, "t.subs", "2025-06-30")["latest"]["value"] == 400
    found = rows(folder, "t.subs", "2025-06-30")["vn"]
    assert (found["value"], found["basis"]) == (400, "reported")


def test_a_merged_unit_s_earlier_years_are_its_predecessors_combined(tmp_path: Path) -> None:
    figures = fig("t.subs", "2024", 100, "hai-phong-63") + fig("t.subs", "2024", 50, "hai-duong")
    figures += fig("t.subs", "2024", 70, "ha-noi")
    folder = plan(tmp_path, MERGER, figures)
    found = rows(folder, "t.subs", "2025-08-01")
    assert set(found) == {"ha-noi", "hai-phong", "vn"}  # the units valid on the day asked about
    hp = found["hai-phong"]
    assert (hp["period"], hp["value"], hp["basis"]) == ("2024", 150, "derived")
    assert hp["derived_from"] == ["hai-phong-63", "hai-duong"] and hp["partial"] is False
    assert rows(folder, "t.subs", "2025-06-30").keys() == {"ha-noi", "hai-phong-63", "hai-duong", "vn"}
    table = run(
        "status",
        "--data-dir",
        str(folder),
        "--by",
        "org",
        "--kpi",
        "t.subs",
        "--as-of",
        "2025-08-01",
        "--format",
        "markdown",
    )
    assert "derived \\(Σ hai-phong-63 \\+ hai-duong\\)" in table.output
    # One predecessor missing: partial, and not graded.
    (folder / "actuals.toml").write_text(fig("t.subs", "2024", 100, "hai-phong-63"), encoding="utf-8")
    hp = rows(folder, "t.subs", "2025-08-01")["hai-phong"]
    assert (hp["value"], hp["partial"], hp["coverage"]) == (100, True, {"have": 1, "expected": 2})
    assert hp["light"] == "grey"


def test_a_rank_and_a_count_of_units_are_never_back_cast(tmp_path: Path) -> None:
    figures = fig("t.rank", "2024", 5, "hai-phong-63") + fig("t.rank", "2024", 9, "hai-duong")
    # Three units had 5G in 2024; after the merger the count is of two units.
    figures += "".join(fig("t.provinces", "2024", 1, org) for org in ("ha-noi", "hai-phong-63", "hai-duong"))
    figures += "".join(fig("t.provinces", "2025-12", 1, org) for org in ("ha-noi", "hai-phong"))
    folder = plan(tmp_path, MERGER, figures)
    assert rows(folder, "t.rank", "2026-01-31")["hai-phong"]["value"] is None
    count = rows(folder, "t.provinces", "2026-01-31")
    assert count["hai-phong"]["period"] == "2025-12"  # its own; 2024 is not back-cast
    assert count["vn"]["value"] == 2 and count["vn"]["coverage"] == {"have": 2, "expected": 2}
    before = rows(folder, "t.provinces", "2025-01-31")["vn"]
    assert (before["period"], before["value"], before["coverage"]["expected"]) == ("2024", 3, 3)


def test_a_flow_s_year_across_the_merger_is_the_part_before_plus_the_part_after(tmp_path: Path) -> None:
    figures = fig("t.revenue", "2025-H1", 10, "hai-phong-63") + fig("t.revenue", "2025-H1", 5, "hai-duong")
    figures += fig("t.revenue", "2025-H2", 20, "hai-phong") + fig("t.revenue", "2025", 100, "ha-noi")
    folder = plan(tmp_path, MERGER, figures)
    found = rows(folder, "t.revenue", "2026-01-31")
    assert (found["hai-phong"]["period"], found["hai-phong"]["value"]) == ("2025", 35)
    assert found["hai-phong"]["basis"] == "derived"
    assert (found["vn"]["period"], found["vn"]["value"], found["vn"]["partial"]) == ("2025", 135, False)


def test_a_figure_for_the_new_unit_counts_for_a_period_ending_after_the_merger(tmp_path: Path) -> None:
    figures = fig("t.subs", "2025", 500, "hai-phong") + fig("t.subs", "2025", 300, "ha-noi")
    folder = plan(tmp_path, MERGER, figures)
    found = rows(folder, "t.subs", "2026-01-31")
    assert (found["vn"]["value"], found["vn"]["coverage"]) == (800, {"have": 2, "expected": 2})


def test_org_narrows_the_reports_to_one_unit(tmp_path: Path) -> None:
    figures = fig("t.subs", "2024", 100, "hai-phong-63") + fig("t.subs", "2024", 50, "hai-duong")
    folder = plan(tmp_path, MERGER, figures)
    shown = run(
        "show",
        "t.subs",
        "--data-dir",
        str(folder),
        "--org",
        "hai-phong",
        "--format",
        "json",
        "--as-of",
        "2025-08-01",
    )
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["latest"]["value"] == 150
    wrong = run("status", "--data-dir", str(folder), "--org", "hai-phng")
    assert wrong.exit_code == 2 and 'unknown org "hai-phng" (did you mean "hai-phong"?)' in wrong.output


def test_every_unit_s_lights_and_what_it_reported(tmp_path: Path) -> None:
    figures = (
        fig("t.subs", "2025-Q1", 300, "a")
        + fig("t.fiber_hh", "2025-Q1", 80, "a")
        + fig("t.hh", "2025-Q1", 100, "a")
    )
    figures += fig("t.subs", "2025-Q1", 400, "b")
    folder = plan(tmp_path, TWO, figures)
    result = run(
        "status", "--data-dir", str(folder), "--by", "org", "--as-of", "2025-05-01", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    orgs = {o["org"]: o for o in json.loads(result.output)["orgs"]}
    assert (orgs["a"]["reported"], orgs["b"]["reported"]) == (3, 1)
    assert sum(orgs["a"][light] for light in ("green", "amber", "red", "grey")) == orgs["a"]["kpis"] == 7
    csv = run(
        "status",
        "--data-dir",
        str(folder),
        "--by",
        "org",
        "--kpi",
        "t.fiber",
        "--format",
        "csv",
        "--as-of",
        "2025-05-01",
    )
    assert csv.output.splitlines()[0].startswith("kpi,org,org_name,period,value,basis,coverage_have")


def test_a_merged_unit_s_target_is_its_predecessors_summed(tmp_path: Path) -> None:
    # Targets set in 2021 for 2025, before the merger, for the units it ended.
    targets = "".join(
        f'\n[[target]]\nkpi = "t.subs"\norg = "{org}"\nperiod = "2025"\nvalue = {value}\nsource = "kh"\n'
        for org, value in (("hai-phong-63", 100), ("hai-duong", 60))
    )
    folder = plan(tmp_path, MERGER, fig("t.subs", "2025-09", 150, "hai-phong"), targets)
    hp = rows(folder, "t.subs", "2025-10-31")["hai-phong"]
    assert hp["target"] == {"period": "2025", "value": 160} and hp["target_basis"] == "sum_children"
    assert hp["attainment"] == pytest.approx(150 / 160)


def test_import_reads_a_unit_by_id_code_or_name_as_it_was_on_the_figure_s_day(tmp_path: Path) -> None:
    folder = plan(
        tmp_path,
        MERGER + '\n[[org]]\nid = "hp-2"\nname = "Hải Phòng"\nparent = "vn"\nvalid_until = 2024-06-30\n',
        "",
    )
    sheet = folder / "in.csv"
    sheet.write_text(
        "mã chỉ tiêu,tỉnh,kỳ,giá trị,nguồn\n"
        "t.subs,Hải Phòng,2024,100,sở\n"  # the former city, in 2024
        "t.subs,hải phòng,2025-09,180,sở\n"  # the unit formed on 2025-07-01
        "t.subs,ha-noi,2024,70,sở\n",
        encoding="utf-8",
    )
    result = run("import", str(sheet), "--data-dir", str(folder))
    assert result.exit_code == 0, result.output
    text = (folder / "actuals.toml").read_text(encoding="utf-8")
    assert 'org = "hai-phong-63"\nperiod = "2024"' in text and 'org = "hai-phong"\nperiod = "2025-09"' in text
    # Two units of one name on one day: an error naming both.
    sheet.write_text("mã chỉ tiêu,tỉnh,kỳ,giá trị,nguồn\nt.subs,Hải Phòng,2024-03,90,sở\n", encoding="utf-8")
    result = run("import", str(sheet), "--data-dir", str(folder))
    assert result.exit_code == 1
    assert 'org "Hải Phòng" names hai-phong-63, hp-2 on 2024-03-31; write the id' in result.output


def test_historical_shows_every_unit_of_its_time_without_back_casts(tmp_path: Path) -> None:
    figures = fig("t.subs", "2024", 100, "hai-phong-63") + fig("t.subs", "2024", 50, "hai-duong")
    figures += fig("t.subs", "2024", 70, "ha-noi")
    folder = plan(tmp_path, MERGER, figures)
    args = ["status", "--data-dir", str(folder), "--by", "org", "--kpi", "t.subs", "--as-of", "2025-08-01"]
    result = run(*args, "--historical", "--format", "json")
    assert result.exit_code == 0, result.output
    found = {row["org"]: row for row in json.loads(result.output)["rows"]}
    assert set(found) == {"ha-noi", "hai-phong-63", "hai-duong", "hai-phong", "vn"}
    assert (found["hai-phong-63"]["value"], found["hai-phong-63"]["basis"]) == (100, "reported")
    assert found["hai-phong"]["value"] is None  # no back-cast on the boundaries of the time
    assert found["vn"]["value"] == 220


def test_a_unit_s_revision_counts_from_the_day_it_was_published(tmp_path: Path) -> None:
    first = fig("t.subs", "2024", 100, "a").replace('source = "s"', 'source = "s"\npublished = 2025-01-10')
    second = fig("t.subs", "2024", 120, "a").replace('source = "s"', 'source = "s"\npublished = 2025-03-01')
    folder = plan(tmp_path, TWO, first + second + fig("t.subs", "2024", 50, "b"))
    assert rows(folder, "t.subs", "2025-02-01")["a"]["value"] == 100
    assert rows(folder, "t.subs", "2025-02-01")["vn"]["value"] == 150
    assert rows(folder, "t.subs", "2025-04-01")["vn"]["value"] == 170


def test_gap_for_a_unit_gives_its_share_of_the_plan_s_gap(tmp_path: Path) -> None:
    targets = "".join(
        f'\n[[target]]\nkpi = "t.subs"\norg = "{org}"\nperiod = "2025"\nvalue = {value}\nsource = "kh"\n'
        for org, value in (("a", 400), ("b", 530))
    )
    folder = plan(tmp_path, TWO, fig("t.subs", "2024", 300, "a") + fig("t.subs", "2024", 350, "b"), targets)
    args = ["gap", "--data-dir", str(folder), "--org", "a", "--as-of", "2025-06-30"]
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    [subs] = [k for k in json.loads(result.output)["kpis"] if k["id"] == "t.subs"]
    assert subs["gap"] == 100 and subs["share_of_plan_gap"] == pytest.approx(100 / 350)  # 1000 - 650
    assert "28.6% of the plan's gap" in run(*args, "--format", "markdown").output
    plain = run("gap", "--data-dir", str(folder), "--as-of", "2025-06-30", "--format", "json").output
    assert "share_of_plan_gap" not in plain


FLOW_SHARE = """
[[kpi]]
id = "t.online"
sector = "t"
name = "Doanh thu trực tuyến"
unit = "tỷ đồng"
measure = "flow"
min = 0
aggregate = "sum"

[[kpi]]
id = "t.online_share"
sector = "t"
name = "Tỷ trọng trực tuyến"
unit = "%"
direction = "up"
min = 0
max = 100
measure = "flow"
aggregate = { ratio = ["t.online", "t.revenue"], factor = 100 }
"""


def test_a_share_of_a_flow_across_the_merger_is_a_ratio_of_the_sums_not_a_sum_of_shares(
    tmp_path: Path,
) -> None:
    figures = fig("t.online", "2025-H1", 50, "hai-phong-63") + fig(
        "t.revenue", "2025-H1", 100, "hai-phong-63"
    )
    figures += fig("t.online", "2025-H1", 70, "hai-duong") + fig("t.revenue", "2025-H1", 100, "hai-duong")
    figures += fig("t.online", "2025-H2", 140, "hai-phong") + fig("t.revenue", "2025-H2", 200, "hai-phong")
    figures += fig("t.online", "2025", 10, "ha-noi") + fig(
        "t.revenue", "2025", 20, "ha-noi"
    )  # the year's span
    folder = plan(tmp_path, MERGER + FLOW_SHARE, figures)
    found = rows(folder, "t.online_share", "2026-01-31")
    assert (found["hai-phong"]["period"], found["hai-phong"]["value"]) == (
        "2025",
        pytest.approx(65),
    )  # 260/400


def test_a_unit_s_own_numerator_and_denominator_beat_its_units(tmp_path: Path) -> None:
    districts = "".join(f'\n[[org]]\nid = "a{n}"\nname = "Huyện {n}"\nparent = "a"\n' for n in (1, 2))
    figures = fig("t.fiber_hh", "2024", 600, "a") + fig("t.hh", "2024", 1000, "a")
    figures += fig("t.fiber_hh", "2024", 20, "a1") + fig("t.hh", "2024", 100, "a1")  # a2 has not reported
    folder = plan(tmp_path, TWO + districts, figures)
    found = rows(folder, "t.fiber", "2025-06-30")["a"]
    assert (found["value"], found["partial"]) == (pytest.approx(60), False)


def test_a_partial_value_shows_no_attainment(tmp_path: Path) -> None:
    figures = (
        fig("t.subs", "2024", 300, "a") + fig("t.subs", "2024", 350, "b") + fig("t.subs", "2025-Q3", 435, "a")
    )
    folder = plan(tmp_path, TWO, figures)
    vn = rows(folder, "t.subs", "2025-10-31")["vn"]
    assert (vn["period"], vn["partial"], vn["attainment"]) == ("2025-Q3", True, None)


def test_the_plan_s_total_as_it_was_before_a_unit_revised_its_figure(tmp_path: Path) -> None:
    first = fig("t.subs", "2024", 100, "a").replace('source = "s"', 'source = "s"\npublished = 2025-01-15')
    second = fig("t.subs", "2024", 150, "a").replace('source = "s"', 'source = "s"\npublished = 2025-03-01')
    other = fig("t.subs", "2024", 270, "b").replace('source = "s"', 'source = "s"\npublished = 2025-01-10')
    folder = plan(tmp_path, TWO, first + second + other)
    assert national(folder, "t.subs", "2025-01-20")["latest"]["value"] == 370
    assert national(folder, "t.subs", "2025-03-10")["latest"]["value"] == 420


@pytest.mark.parametrize(
    ("more", "wanted"),
    [
        ('\n[[merge]]\ndate = 2025-07-01\nfrom = ["ha-noi"]\ninto = "hai-phong"\nsource = "s"\n', "already formed by merge[1]"),  # noqa: E501
        ('\n[[merge]]\ndate = 2025-07-01\nfrom = ["vn"]\ninto = "ha-noi"\nsource = "s"\n', "the root (the country) is never merged"),  # noqa: E501
        ('\n[[org]]\nid = "hd1"\nname = "Huyện"\nparent = "hai-duong"\n', 'is valid after its parent "hai-duong" ends'),  # noqa: E501
    ],
)  # fmt: skip
def test_a_tree_that_cannot_hold_is_refused(tmp_path: Path, more: str, wanted: str) -> None:
    folder = plan(tmp_path, MERGER + more, "")
    result = run("validate", "--data-dir", str(folder), "--lang", "en")
    assert result.exit_code == 1 and wanted in result.output, result.output


def test_a_ratio_of_itself_and_a_unit_s_stated_share_are_refused(tmp_path: Path) -> None:
    folder = plan(
        tmp_path, TWO, fig("t.subs", "2024", 1, "a").replace('source = "s"', 'source = "s"\nplan_share = 0.5')
    )
    text = (
        (folder / "targets.toml")
        .read_text(encoding="utf-8")
        .replace('["t.fiber_hh", "t.hh"]', '["t.fiber", "t.hh"]')
    )
    (folder / "targets.toml").write_text(text, encoding="utf-8")
    result = run("validate", "--data-dir", str(folder), "--lang", "en")
    assert result.exit_code == 1
    assert "aggregate names the KPI itself" in result.output
    assert '"plan_share" is for the plan\'s own figures' in result.output


def test_ratios_that_combine_each_other_are_a_cycle(tmp_path: Path) -> None:
    folder = plan(tmp_path, TWO, "")
    text = (folder / "targets.toml").read_text(encoding="utf-8")
    # t.hh becomes the ratio of t.fiber (itself a ratio of t.hh) and t.subs; t.rank names a KPI
    # that is wrong in itself (a KPI that has problems is not "unknown").
    text = (
        text.replace(
            'unit = "hộ"\nmin = 0\naggregate = "sum"\n\n[[kpi]]\nid = "t.fiber_hh"',
            'unit = "hộ"\nmin = 0\naggregate = { ratio = ["t.fiber", "t.subs"] }\n\n'
            '[[kpi]]\nid = "t.fiber_hh"',
        )
        .replace(
            'direction = "down"\nmin = 1\n', 'direction = "down"\nmin = 1\naggregate = { mean = "t.subs" }\n'
        )
        .replace('unit = "thuê bao"\ndirection = "up"', 'unit = "thuê bao"\ndirection = "sideways"')
    )
    (folder / "targets.toml").write_text(text, encoding="utf-8")
    result = run("validate", "--data-dir", str(folder), "--lang", "en")
    assert result.exit_code == 1
    assert "aggregate makes a cycle: t.hh → t.fiber → t.hh" in result.output, result.output
    assert 'aggregate names KPI "t.subs", which has problems of its own' in result.output
    assert 'unknown KPI "t.subs"' not in result.output


def test_by_org_options_are_checked(tmp_path: Path, data_dir: Path) -> None:
    folder = plan(tmp_path / "p", TWO, "") if (tmp_path / "p").mkdir() is None else tmp_path
    no_orgs = run("status", "--data-dir", str(data_dir), "--by", "org", "--kpi", "telecom.fiber")
    assert no_orgs.exit_code == 2 and "declares no [[org]]" in no_orgs.output
    for args, wanted in (
        (["--kpi", "t.subs"], "--kpi: only with --by org"),
        (["--by", "org", "--org", "a"], "give one of them"),
        (["--by", "org", "--kpi", "t.sub"], 'unknown KPI "t.sub"'),
        (["--by", "org", "--level", "5"], "no unit is 5 levels below the root"),
    ):
        result = run("status", "--data-dir", str(folder), *args)
        assert result.exit_code == 2 and wanted in result.output, (args, result.output)


def test_a_unit_s_view_says_whose_it_is(tmp_path: Path) -> None:
    folder = plan(tmp_path, TWO, fig("t.subs", "2024", 300, "a"))
    result = run(
        "status", "--data-dir", str(folder), "--org", "a", "--format", "json", "--as-of", "2025-01-31"
    )
    assert json.loads(result.output)["plan"]["name"] == "Thử — Tỉnh A"


def test_a_problem_in_the_tree_is_placed_on_its_line(tmp_path: Path) -> None:
    folder = plan(tmp_path, MERGER.replace('into = "hai-phong"', 'into = "hai-phng"'), "")
    result = run("validate", "--data-dir", str(folder), "--lang", "en")
    lines = (folder / "targets.toml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text == "[[merge]]")
    assert f"targets.toml:{line}:1: merge[1]" in result.output, result.output


def test_names_as_sheets_write_them(tmp_path: Path) -> None:
    from datetime import date

    from kpi.orgs import Org, Orgs

    hue = Org("hue", "Huế", "vn", former_names=((date(2024, 12, 31), "Thừa Thiên Huế"),))
    orgs = Orgs({"vn": Org("vn", "Việt Nam"), "hue": hue, "hcm": Org("hcm", "TP Hồ Chí Minh", "vn")}, "vn")
    day = date(2024, 6, 30)
    assert [u.id for u in orgs.by_name("Tỉnh Thừa Thiên Huế", day)] == ["hue"]
    assert [u.id for u in orgs.by_name("Huế", day)] == ["hue"]  # its later name, no other unit has it
    assert [u.id for u in orgs.by_name("Thành phố Hồ Chí Minh", day)] == ["hcm"]
    assert [u.id for u in orgs.by_name("tp. hồ chí minh", day)] == ["hcm"]


def test_a_count_of_units_starts_its_trend_again_at_the_merger_and_its_chart_shows_where(
    tmp_path: Path,
) -> None:
    figures = (
        fig("t.provinces", "2023", 60) + fig("t.provinces", "2024", 63) + fig("t.provinces", "2025-12", 34)
    )
    folder = plan(tmp_path, MERGER, figures)
    shown = run("show", "t.provinces", "--data-dir", str(folder), "--format", "json", "--as-of", "2026-01-31")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["points"] == 1  # 63 provinces then are not 34 now: no falling trend
    terminal = run("show", "t.provinces", "--data-dir", str(folder), "--as-of", "2026-01-31", "--lang", "en")
    assert "┊" in terminal.output and "merger: other units counted" in terminal.output
    from kpi.assess import assess_kpi
    from kpi.loader import load, locate
    from kpi.output.svgchart import chart

    dataset, _problems = load(locate(data_dir=folder))
    from datetime import date

    result = assess_kpi(dataset.kpis["t.provinces"], dataset.actuals, date(2026, 1, 31), dataset.thresholds)
    assert 'class="break"' in chart(result)


def test_a_growth_kpi_is_derived_from_a_total_made_of_units(tmp_path: Path) -> None:
    growth = (
        '\n[[kpi]]\nid = "t.subs_growth"\nsector = "t"\nname = "Tăng trưởng"\nunit = "%"\n'
        'derived_from = "t.subs"\nformula = "growth"\n'
    )
    figures = fig("t.subs", "2023", 100, "a") + fig("t.subs", "2023", 150, "b")
    figures += fig("t.subs", "2024", 120, "a") + fig("t.subs", "2024", 180, "b")
    folder = plan(tmp_path, TWO.replace('[[org]]\nid = "a"', growth + '\n[[org]]\nid = "a"', 1), figures)
    assert national(folder, "t.subs_growth", "2025-06-30")["latest"]["value"] == pytest.approx(
        20
    )  # 300 / 250


def test_every_earlier_total_is_replayed_however_many_revision_days(tmp_path: Path) -> None:
    figures = fig("t.subs", "2024", 50, "b")
    for n in range(70):  # a unit's figure revised on 70 days
        day = date(2025, 1, 1) + timedelta(days=n)
        figures += fig("t.subs", "2024", 100 + n, "a").replace(
            'source = "s"', f'source = "s"\npublished = {day}'
        )
    folder = plan(tmp_path, TWO, figures)
    assert national(folder, "t.subs", "2025-01-01")["latest"]["value"] == 150
    assert national(folder, "t.subs", "2025-01-02")["latest"]["value"] == 151
    assert national(folder, "t.subs", "2025-06-01")["latest"]["value"] == 219


def test_the_units_total_stands_until_the_plan_s_own_figure_is_out(tmp_path: Path) -> None:
    stated = fig("t.subs", "2024", 805).replace('source = "s"', 'source = "s"\npublished = 2025-06-01')
    folder = plan(tmp_path, TWO, fig("t.subs", "2024", 400, "a") + fig("t.subs", "2024", 400, "b") + stated)
    assert national(folder, "t.subs", "2025-03-01")["latest"]["value"] == 800
    assert national(folder, "t.subs", "2025-07-01")["latest"]["value"] == 805


def test_a_share_its_units_cannot_have_is_not_graded(tmp_path: Path) -> None:
    units = fig("t.fiber_hh", "2024", 150, "a") + fig("t.hh", "2024", 100, "a")
    folder = plan(tmp_path, TWO, units + fig("t.fiber_hh", "2024", 90, "b") + fig("t.hh", "2024", 100, "b"))
    a = rows(folder, "t.fiber", "2025-06-30")["a"]
    assert a["value"] == 150 and a["light"] == "grey"
    result = run("validate", "--data-dir", str(folder), "--lang", "en")
    assert "outside the KPI's bounds" in result.output


def test_the_units_file_is_never_read_or_written_as_figures(tmp_path: Path) -> None:
    (tmp_path / "units").mkdir()
    orgs = "\n".join(line for line in (PLAN + TWO).split("\n"))
    head, tree = orgs.split("[[org]]", 1)
    (tmp_path / "targets.toml").write_text(
        '[files]\nactuals = "units/*.toml"\norgs = "units/orgs.toml"\n' + head, encoding="utf-8"
    )
    (tmp_path / "units" / "orgs.toml").write_text("[[org]]" + tree, encoding="utf-8")
    (tmp_path / "units" / "a.toml").write_text(fig("t.subs", "2024", 1, "a"), encoding="utf-8")
    assert run("validate", "--data-dir", str(tmp_path)).exit_code == 0
    args = ["record", "t.subs", "5", "--period", "2023", "--org", "a", "--source", "s"]
    result = run(*args, "--data-dir", str(tmp_path), "--actuals", str(tmp_path / "units" / "orgs.toml"))
    assert result.exit_code == 2 and "file of units" in result.output


def test_by_org_refuses_the_kpi_table_s_options(tmp_path: Path) -> None:
    folder = plan(tmp_path, TWO, "")
    result = run("status", "--data-dir", str(folder), "--by", "org", "--fail-on", "red")
    assert result.exit_code == 2 and "--fail-on: not with --by org" in result.output


def test_import_knows_a_merged_unit_s_name_after_the_merger(tmp_path: Path) -> None:
    folder = plan(tmp_path, MERGER, "")
    sheet = folder / "in.csv"
    sheet.write_text("mã chỉ tiêu,tỉnh,kỳ,giá trị,nguồn\nt.subs,Hải Dương,2025-Q3,5,sở\n", encoding="utf-8")
    result = run("import", str(sheet), "--data-dir", str(folder), "--lang", "en")
    assert (
        result.exit_code == 1 and "was merged into hai-phong on 2025-07-01: write hai-phong" in result.output
    )
    from kpi.orgs import Org, Orgs

    orgs = Orgs({"vn": Org("vn", "Việt Nam"), "hcm": Org("hcm", "TP Hồ Chí Minh", "vn")}, "vn")
    assert [u.id for u in orgs.by_name("TP.HCM", date(2024, 1, 1))] == ["hcm"]


def test_units_reporting_a_flow_at_different_cadences_still_make_the_year(tmp_path: Path) -> None:
    targets = PLAN.replace(
        'measure = "flow"\nmin = 0\naggregate = "sum"',
        'measure = "flow"\nmin = 0\naggregate = "sum"\ntargets = [{ period = "2024", value = 100 }]',
        1,
    )
    a = (
        fig("t.revenue", "2024-Q1", 25, "a")
        + fig("t.revenue", "2024-Q2", 25, "a")
        + fig("t.revenue", "2024-H2", 50, "a")
    )
    b = (
        fig("t.revenue", "2024-H1", 50, "b")
        + fig("t.revenue", "2024-Q3", 25, "b")
        + fig("t.revenue", "2024-Q4", 25, "b")
    )
    (tmp_path / "targets.toml").write_text(targets + TWO, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(a + b, encoding="utf-8")
    status = national(tmp_path, "t.revenue", "2025-03-31")
    assert status["status"] == "achieved", status  # H1 = 50 + 50, H2 = 50 + 50: the year's 200
