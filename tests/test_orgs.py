"""Organisations: the [[org]] tree with its merges and renames, figures per unit, and the bundled
file of Viet Nam's provinces through the 2025 merger."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from kpi.loader import load, locate
from kpi.orgs import Orgs
from tests.conftest import ACTUALS, TARGETS, run

ORGS = """
[[org]]
id = "vn"
name = "Việt Nam"

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

[[org]]
id = "hue"
name = "Huế"
parent = "vn"

[[merge]]
date = 2025-07-01
from = ["hai-phong-63", "hai-duong"]
into = "hai-phong"
source = "Nghị quyết 202/2025/QH15"

[[rename]]
org = "hue"
date = 2025-01-01
from = "Thừa Thiên Huế"
source = "Nghị quyết 175/2024/QH15"
"""


def figure(period: str, value: float, org: str | None = None, kpi: str = "telecom.fiber") -> str:
    where = f'org = "{org}"\n' if org else ""
    return f'[[actual]]\nkpi = "{kpi}"\n{where}period = "{period}"\nvalue = {value}\nsource = "report"\n\n'


@pytest.fixture
def plan(data_dir: Path) -> Path:
    (data_dir / "targets.toml").write_text(TARGETS + ORGS, encoding="utf-8")
    return data_dir


def validate(folder: Path) -> tuple[int, str]:
    result = run("validate", "--data-dir", str(folder))
    return result.exit_code, result.output


def test_the_bundled_vietnam_file_has_63_units_before_the_merger_and_34_after() -> None:
    text = (resources.files("kpi") / "orgfiles" / "vn-provinces.toml").read_text(encoding="utf-8")
    problems: list[object] = []
    from kpi.fields import _Report
    from kpi.loadorgs import load_orgs

    orgs = load_orgs(tomllib.loads(text), _Report("vn-provinces.toml", problems))  # type: ignore[arg-type]
    assert problems == []
    provinces = [u for u in orgs.units.values() if u.parent == orgs.root]
    assert len([u for u in provinces if u.valid_on(date(2025, 6, 30))]) == 63
    assert len([u for u in provinces if u.valid_on(date(2025, 7, 1))]) == 34
    merged = [s for m in orgs.merges for s in m.sources]
    assert len(orgs.merges) == 23 and len(merged) == 52 == len(set(merged))
    former = {u.id for u in provinces if u.valid_on(date(2025, 6, 30))}
    unchanged = former - set(merged)
    assert len(unchanged) == 11 and all(orgs.units[u].valid_on(date(2026, 1, 1)) for u in unchanged)
    # A new unit reuses a predecessor's name: the id tells them apart, the date the name.
    assert [u.id for u in orgs.by_name("Hải Phòng", date(2024, 12, 31))] == ["hai-phong-63"]
    assert [u.id for u in orgs.by_name("hải  phòng", date(2025, 12, 31))] == ["hai-phong"]
    assert orgs.units["hue"].name_on(date(2024, 6, 30)) == "Thừa Thiên Huế"
    assert orgs.units["hue"].name_on(date(2025, 6, 30)) == "Huế"
    # Codes only where the sources state them.
    assert {u.id: u.code for u in orgs.units.values() if u.code} == {
        "ha-noi": "01",
        "da-nang": "48",
        "tp-ho-chi-minh": "79",
    }


def test_kpi_init_offers_the_bundled_file(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "plan"), "--orgs", "vn-provinces")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plan" / "vn-provinces.toml").is_file()
    assert 'orgs = "vn-provinces.toml"' in (tmp_path / "plan" / "targets.toml").read_text(encoding="utf-8")
    dataset, problems = load(locate(data_dir=tmp_path / "plan"))
    assert problems == [] and len(dataset.orgs.valid(date(2025, 7, 1))) == 35  # with the country


def test_a_merge_implies_the_days_and_a_rename_keeps_the_id(plan: Path) -> None:
    dataset, problems = load(locate(data_dir=plan))
    assert problems == []
    orgs: Orgs = dataset.orgs
    assert orgs.root == "vn"
    assert orgs.units["hai-duong"].valid_until == date(2025, 6, 30)
    assert orgs.units["hai-phong"].valid_from == date(2025, 7, 1)
    assert [u.id for u in orgs.children("vn", date(2025, 6, 30))] == [
        "ha-noi",
        "hai-phong-63",
        "hai-duong",
        "hue",
    ]
    assert [u.id for u in orgs.children("vn", date(2025, 7, 1))] == ["ha-noi", "hai-phong", "hue"]


@pytest.mark.parametrize(
    ("change", "wanted"),
    [
        (('parent = "vn"\n\n[[org]]\nid = "hue"', 'parent = "nv"\n\n[[org]]\nid = "hue"'), 'parent "nv" is not a declared org'),  # noqa: E501
        (('id = "vn"\nname = "Việt Nam"', 'id = "vn"\nname = "Việt Nam"\nparent = "hue"'), "exactly one root"),  # noqa: E501
        (('from = ["hai-phong-63", "hai-duong"]', 'from = ["hai-phong-63", "hai-duong", "hai-duong"]'), "names an org twice"),  # noqa: E501
        (('id = "hai-duong"\nname = "Hải Dương"', 'id = "hai-duong"\nname = "Hải Dương"\nvalid_until = 2025-12-31'), "disagrees with merge[1]"),  # noqa: E501
        (('into = "hai-phong"', 'into = "hai-phng"'), 'unknown org "hai-phng" (did you mean "hai-phong"?)'),
        (('id = "ha-noi"', 'id = "Ha Noi"'), 'must use only a-z'),
    ],
)  # fmt: skip
def test_a_wrong_tree_is_an_error(plan: Path, change: tuple[str, str], wanted: str) -> None:
    text = (plan / "targets.toml").read_text(encoding="utf-8")
    assert change[0] in text
    (plan / "targets.toml").write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    code, output = validate(plan)
    assert code == 1 and wanted in output, output


def test_parents_in_a_cycle_are_an_error(data_dir: Path) -> None:
    cycle = ORGS.replace(
        'id = "ha-noi"\nname = "Hà Nội"\nparent = "vn"', 'id = "ha-noi"\nname = "Hà Nội"\nparent = "hue"'
    )
    cycle = cycle.replace(
        'id = "hue"\nname = "Huế"\nparent = "vn"', 'id = "hue"\nname = "Huế"\nparent = "ha-noi"'
    )
    (data_dir / "targets.toml").write_text(TARGETS + cycle, encoding="utf-8")
    code, output = validate(data_dir)
    assert code == 1 and "parents form a cycle" in output


def test_a_tree_too_deep_or_a_chain_of_mergers_too_long_is_an_error_not_a_crash(data_dir: Path) -> None:
    deep = "".join(
        f'[[org]]\nid = "d{n}"\nname = "D{n}"\nparent = "{f"d{n - 1}" if n else "vn"}"\n\n'
        for n in range(1500)
    )
    (data_dir / "targets.toml").write_text(TARGETS + ORGS + deep, encoding="utf-8")
    (data_dir / "actuals.toml").write_text(figure("2024", 70, "d3"), encoding="utf-8")
    code, output = validate(data_dir)
    assert code == 1 and 'org "d16"' in output and "nested 17 levels below the root" in output, output
    assert output.count("nested") == 1 and "internal error" not in output
    chain, day = "", date(2000, 1, 1)
    for n in range(1, 40):
        day = date.fromordinal(day.toordinal() + 30)
        chain += (
            f'[[org]]\nid = "c{n}"\nname = "C{n}"\nparent = "vn"\n\n'
            f'[[merge]]\ndate = {day}\nfrom = ["c{n - 1}"]\ninto = "c{n}"\nsource = "s"\n\n'
        )
    start = '[[org]]\nid = "c0"\nname = "C0"\nparent = "vn"\n\n'
    (data_dir / "targets.toml").write_text(TARGETS + ORGS + start + chain, encoding="utf-8")
    (data_dir / "actuals.toml").write_text("", encoding="utf-8")
    code, output = validate(data_dir)
    assert code == 1 and "merge[" in output and "a chain of 33 mergers" in output, output


def test_a_figure_for_a_unit_not_valid_at_its_period_s_end_names_the_units_that_were(plan: Path) -> None:
    (plan / "actuals.toml").write_text(
        figure("2024", 70, "hai-phong") + figure("2025", 71, "hai-duong"), encoding="utf-8"
    )
    code, output = validate(plan)
    assert code == 1
    assert 'org "hai-phong" is not valid on 2024-12-31' in output
    assert "formed on 2025-07-01 from hai-phong-63, hai-duong" in output
    assert 'org "hai-duong" is not valid on 2025-12-31' in output and "merged into hai-phong" in output


def test_figures_are_one_per_kpi_unit_and_period(plan: Path) -> None:
    both = figure("2024", 70, "ha-noi") + figure("2024", 60, "hai-duong") + figure("2024", 65)
    (plan / "actuals.toml").write_text(both, encoding="utf-8")
    assert validate(plan)[0] == 0
    (plan / "actuals.toml").write_text(both + figure("2024", 71, "ha-noi"), encoding="utf-8")
    code, output = validate(plan)
    assert code == 1 and "duplicate: actual[1] already records" in output
    (plan / "actuals.toml").write_text(figure("2024", 71, "nowhere"), encoding="utf-8")
    code, output = validate(plan)
    assert code == 1 and 'unknown org "nowhere"' in output


def test_a_unit_s_figure_never_joins_the_plan_s_own_series(plan: Path) -> None:
    (plan / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    before = json.loads(
        run("status", "--data-dir", str(plan), "--format", "json", "--as-of", "2025-06-30").output
    )
    (plan / "actuals.toml").write_text(ACTUALS + "\n" + figure("2024", 99, "ha-noi"), encoding="utf-8")
    after = json.loads(
        run("status", "--data-dir", str(plan), "--format", "json", "--as-of", "2025-06-30").output
    )
    assert after["kpis"] == before["kpis"]
    # The root's id is the plan's own figure, however written.
    (plan / "actuals.toml").write_text(figure("2024", 99, "vn"), encoding="utf-8")
    dataset, problems = load(locate(data_dir=plan))
    assert problems == [] and [(a.org, a.value) for a in dataset.actuals] == [(None, 99)]


def test_without_orgs_a_figure_for_one_is_an_error(data_dir: Path) -> None:
    (data_dir / "actuals.toml").write_text(figure("2024", 70, "ha-noi"), encoding="utf-8")
    code, output = validate(data_dir)
    assert code == 1 and "the plan declares no [[org]]" in output


def test_record_adds_a_unit_s_figure_and_keeps_units_apart(plan: Path) -> None:
    args = ["--data-dir", str(plan), "--source", "sở TT&TT"]
    result = run("record", "telecom.fiber", "70", "--period", "2024", "--org", "ha-noi", *args)
    assert result.exit_code == 0, result.output
    assert "telecom.fiber (ha-noi) 2024 = 70" in result.output
    text = (plan / "actuals.toml").read_text(encoding="utf-8")
    assert 'kpi = "telecom.fiber"\norg = "ha-noi"\nperiod = "2024"\nvalue = 70' in text
    assert run("record", "telecom.fiber", "60", "--period", "2024", "--org", "hue", *args).exit_code == 0
    again = run("record", "telecom.fiber", "71", "--period", "2024", "--org", "ha-noi", *args)
    assert again.exit_code == 1 and "already records" in again.output
    wrong = run("record", "telecom.fiber", "71", "--period", "2024", "--org", "ha-noj", *args)
    assert wrong.exit_code == 2 and 'unknown org "ha-noj" (did you mean "ha-noi"?)' in wrong.output
    gone = run(
        "record", "telecom.fiber", "--period", "2024", "--org", "hue", "--delete", "--data-dir", str(plan)
    )
    assert gone.exit_code == 0, gone.output
    assert 'org = "hue"' not in (plan / "actuals.toml").read_text(encoding="utf-8")
    assert 'org = "ha-noi"' in (plan / "actuals.toml").read_text(encoding="utf-8")


def test_an_aggregate_names_known_kpis_and_a_sum_of_percentages_is_flagged(data_dir: Path) -> None:
    text = TARGETS.replace('unit = "%"\n', 'unit = "%"\naggregate = "sum"\n', 1)
    text = text.replace(
        'unit = "hạng"\n',
        'unit = "hạng"\naggregate = { ratio = ["digital.revenue", "digital.nothing"] }\n',
        1,
    )
    (data_dir / "targets.toml").write_text(text, encoding="utf-8")
    code, output = validate(data_dir)
    assert code == 1
    assert 'aggregate names an unknown KPI "digital.nothing"' in output
    assert 'warning: aggregate = "sum" adds up "%"' in output
    text = TARGETS.replace('unit = "%"\n', 'unit = "%"\naggregate = { mean = 3 }\n', 1)
    (data_dir / "targets.toml").write_text(text, encoding="utf-8")
    code, output = validate(data_dir)
    assert code == 1 and '"aggregate" must be "sum", "none"' in output
