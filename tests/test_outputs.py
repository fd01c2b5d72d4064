"""`kpi status`, `gap`, `show` and `list` through the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from tests.builders import edit
from tests.conftest import TARGETS, run

AS_OF = "2025-06-30"
WIDE = {"COLUMNS": "200"}
REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("command", ["status", "gap"])
def test_tables_fit_the_terminal_and_keep_every_digit(command: str, columns: int) -> None:
    from rich.cells import cell_len

    result = run(
        command, "--data-dir", str(REPO), "--as-of", "2025-06-30", "--all", env={"COLUMNS": str(columns)}
    )
    assert result.exit_code == 0
    assert max(cell_len(line) for line in result.output.splitlines()) <= columns
    # Only a KPI's name may be cut with an ellipsis (kpi show has it whole), never a figure.
    assert all(
        re.match(r"^ +[✔▲✖○] ", line.split("…", 1)[1]) for line in result.output.splitlines() if "…" in line
    )
    if command == "gap":
        assert "71,000" not in result.output  # tracked indicators (postal revenue) have no gap
        assert "2030-05-24" in result.output  # a whole date, never folded


def test_status_json_contract(data_dir: Path) -> None:
    result = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "json", "--lang", "vi")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["as_of"] == AS_OF
    assert doc["plan"]["name"] == "Test plan"
    kpis = {k["id"]: k for k in doc["kpis"]}
    assert list(kpis) == ["telecom.fiber", "digital.rank", "digital.revenue"]
    fiber = kpis["telecom.fiber"]
    assert set(fiber) == {
        "id", "sector", "name", "unit", "unit_en", "direction", "trend", "milestone", "latest", "points",
        "attainment", "gap", "progress", "expected", "projected", "projected_completion",
        "score", "method", "ratio", "status", "light", "trend_only", "stale", "no_target_for",
        "milestones_passed", "missed_milestones", "measure", "yoy", "ytd", "elapsed_share", "pace",
        "projection_basis", "needed_per_month", "so_far_per_month",
    }  # fmt: skip
    assert fiber["method"] == "linear" and fiber["ratio"] is None
    assert fiber["milestones_passed"] == [
        {"period": "2021", "date": "2021-12-31", "value": 60.0, "verdict": "achieved",
         "figure": {"period": "2022", "value": 65.0, "later": True}, "gap": -5.0},
    ]  # fmt: skip
    assert fiber["milestone"] == {
        "period": "2025", "date": "2025-12-31", "value": 80.0, "stretch": None, "derived": False
    }  # fmt: skip
    assert fiber["latest"] == {
        "period": "2024-05",
        "date": "2024-05-31",
        "value": 82.2,
        "estimated": False,
        "source": "report",
    }
    assert fiber["attainment"] == pytest.approx(82.2 / 80)  # unrounded
    assert (fiber["status"], fiber["light"]) == ("achieved", "green")
    rank = kpis["digital.rank"]
    assert rank["gap"] == pytest.approx(17)
    assert rank["status"] == "limited_progress"
    assert kpis["digital.revenue"]["status"] == "no_target"
    sectors = {s["id"]: s for s in doc["sectors"]}
    assert sectors["digital"]["lights"] == {"green": 0, "amber": 0, "red": 1, "grey": 1}
    assert sectors["digital"]["statuses"]["limited_progress"] == 1
    assert sectors["telecom"]["name"] == "Viễn thông"


def test_status_filters_and_fail_on(data_dir: Path) -> None:
    args = ("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "json")
    red = json.loads(run(*args, "--status", "red").stdout)
    assert [k["id"] for k in red["kpis"]] == ["digital.rank"]
    telecom = json.loads(run(*args, "--sector", "telecom").stdout)
    assert [k["id"] for k in telecom["kpis"]] == ["telecom.fiber"]
    assert run(*args, "--fail-on", "red").exit_code == 1
    assert run(*args, "--fail-on", "amber").exit_code == 1
    assert run(*args, "--sector", "telecom", "--fail-on", "amber").exit_code == 0


def test_status_milestone_option(data_dir: Path) -> None:
    args = ("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "json")
    doc = json.loads(run(*args, "--milestone", "2021").stdout)
    fiber = next(k for k in doc["kpis"] if k["id"] == "telecom.fiber")
    assert fiber["milestone"]["period"] == "2021"
    bad = run(*args, "--milestone", "2030")
    assert bad.exit_code == 2
    assert 'no KPI shown has a target for "2030"' in bad.output


def test_status_table_is_readable_and_literal(data_dir: Path) -> None:
    result = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--lang", "en", env=WIDE)
    assert result.exit_code == 0
    out = result.output
    assert "Telecommunications" in out and "Fibre" in out
    assert "✖ limited progress" in out  # the light reads without colour
    assert "✔ achieved" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_markup_and_escapes_in_names_print_literally(data_dir: Path) -> None:
    targets = edit(TARGETS, 'name = "Cáp quang"', 'name = "[bold]x[/] \\u001b[31mred"')
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    for fmt in ("table", "markdown"):
        result = run(
            "status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--all", "--format", fmt, "--lang", "vi"
        )
        assert result.exit_code == 0
        assert "\x1b" not in result.output
        assert "\\x1b[31mred" in result.output or "\\\\x1b" in result.output
    # CSV, like JSON, is a machine format: it carries the text exactly (its reader decides).
    csv_out = run(
        "status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "csv", "--lang", "vi"
    ).output
    assert "[bold]x[/] \x1b[31mred" in csv_out
    table = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--all", "--lang", "vi").output
    assert "[bold]x[/]" in table
    show = run("show", "telecom.fiber", "--data-dir", str(data_dir), "--as-of", AS_OF, "--lang", "vi").output
    assert "[bold]x[/]" in show and "\x1b" not in show
    doc = json.loads(
        run(
            "status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "json", "--lang", "vi"
        ).stdout
    )
    assert doc["kpis"][0]["name"] == "[bold]x[/] \x1b[31mred"  # JSON carries the data as it is


def test_colour_on_a_terminal_and_no_color(data_dir: Path) -> None:
    args = ("status", "--data-dir", str(data_dir), "--as-of", AS_OF)
    coloured = run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "", **WIDE})
    assert "\x1b[" in coloured.output
    plain = run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "1", **WIDE})
    assert "\x1b[3" not in plain.output and "\x1b[9" not in plain.output
    assert "✖ limited progress" in plain.output


def test_csv_has_full_precision_and_markdown_rounds(data_dir: Path) -> None:
    args = ("status", "--data-dir", str(data_dir), "--as-of", AS_OF)
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    fiber = next(r for r in rows if r["id"] == "telecom.fiber")
    assert float(fiber["attainment"]) == pytest.approx(82.2 / 80)
    assert fiber["attainment"] == repr(82.2 / 80)
    assert fiber["latest_period"] == "2024-05"
    md = run(*args, "--format", "markdown").stdout
    assert "| telecom.fiber | Fibre | % | 82.2 (2024-05) | 80.0 (2025) | 102.8% |" in md
    assert "🔴 limited progress" in md
    vi = run(*args, "--format", "markdown", "--lang", "vi").stdout
    assert "| telecom.fiber | Cáp quang | % | 82,2 (2024-05) | 80,0 (2025) | 102,8% |" in vi
    assert "🔴 Tiến triển chậm" in vi


def test_large_table_shows_rows_needing_attention_by_default() -> None:
    repo = Path(__file__).resolve().parents[1]
    args = ("status", "--data-dir", str(repo), "--as-of", "2025-06-30", "--lang", "en")
    default = run(*args, env=WIDE).output
    everything = run(*args, "--all", env=WIDE).output
    assert "more KPIs not shown" in default
    assert "Postal services revenue" not in default  # a grey, tracked indicator
    assert "Postal services revenue" in everything


def test_gap_lists_shortfalls_largest_relative_first(data_dir: Path) -> None:
    (data_dir / "actuals.toml").write_text(
        (data_dir / "actuals.toml").read_text(encoding="utf-8").replace("value = 82.2", "value = 72"),
        encoding="utf-8",
    )
    args = ("gap", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "json")
    doc = json.loads(run(*args).stdout)
    ids = [k["id"] for k in doc["kpis"]]
    assert ids == ["digital.rank", "telecom.fiber"]  # 17/50 = 34 % before 8/80 = 10 %
    rank = doc["kpis"][0]
    assert rank["gap_pct"] == pytest.approx(17 / 50)
    assert rank["required_per_year"] == pytest.approx(-17 / (184 / 365.25))
    assert rank["overdue"] is False
    assert rank["trend_per_year"] == pytest.approx(-6 * 365.25 / 731)
    overdue = json.loads(run(*args[:-2], "--format", "json", "--as-of", "2026-03-01").stdout)
    assert all(k["overdue"] for k in overdue["kpis"])


def test_gap_puts_achieved_last_only_with_all(data_dir: Path) -> None:
    args = ("gap", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "json")
    assert [k["id"] for k in json.loads(run(*args).stdout)["kpis"]] == ["digital.rank"]
    assert [k["id"] for k in json.loads(run(*args, "--all").stdout)["kpis"]] == [
        "digital.rank",
        "telecom.fiber",
    ]
    table = run("gap", "--data-dir", str(data_dir), "--as-of", AS_OF, "--sector", "digital").output
    assert "digital.rank" in table and "telecom.fiber" not in table


def test_show_explains_every_rule(data_dir: Path) -> None:
    result = run("show", "digital.rank", "--data-dir", str(data_dir), "--as-of", AS_OF)
    assert result.exit_code == 0
    out = result.output
    assert "down (lower is better)" in out
    assert "achieved: no, 67 > target 50" in out
    assert "limited progress: score 0.391 ≥ 0" in out  # the status said as a word
    doc = json.loads(
        run("show", "digital.rank", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "json").stdout
    )
    assert [a["period"] for a in doc["actuals"]] == ["2022", "2024"]
    assert doc["rules"][-1] == "limited_progress: score 0.391 ≥ 0"


def test_list(data_dir: Path) -> None:
    doc = json.loads(run("list", "--data-dir", str(data_dir), "--format", "json").stdout)
    assert [(k["id"], k["targets"], k["actuals"]) for k in doc["kpis"]] == [
        ("telecom.fiber", 2, 2),
        ("digital.rank", 1, 2),
        ("digital.revenue", 0, 0),
    ]
    assert "telecom.fiber" in run("list", "--data-dir", str(data_dir)).output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("status", "--sector", "telecon"), 'unknown sector "telecon" (did you mean "telecom"?)'),
        (("gap", "--sector", "x"), "choose from: telecom, digital"),
        (("show", "telecom.fibre"), 'unknown KPI "telecom.fibre" (did you mean "telecom.fiber"?)'),
        (("show", "telecom.fiber", "--milestone", "2030"), 'has no target for "2030"'),
        (("status", "--as-of", "someday"), '"someday" is not a date'),
        (("status", "--format", "xml"), "'xml' is not one of"),
    ],
)
def test_usage_errors_exit_2(data_dir: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*args, "--data-dir", str(data_dir))
    assert result.exit_code == 2
    assert message in result.output


def test_as_of_accepts_periods_and_day_first_dates(data_dir: Path) -> None:
    for value in ("2024-07-29", "29/07/2024", "29.7.2024", "2024-H2"):
        result = run("status", "--data-dir", str(data_dir), "--as-of", value, "--format", "json")
        assert result.exit_code == 0, value
    assert (
        json.loads(
            run("status", "--data-dir", str(data_dir), "--as-of", "2024-H1", "--format", "json").stdout
        )["as_of"]
        == "2024-06-30"
    )


def test_invalid_data_stops_reports_with_exit_1(data_dir: Path) -> None:
    (data_dir / "targets.toml").write_text(edit(TARGETS, "value = 60", "value = nan"), encoding="utf-8")
    result = run("status", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "must be a finite number" in result.output
    assert "1 problem in the data" in result.output


def test_version_and_help() -> None:
    assert run("--version").output.startswith("kpi, version ")
    for command in ("validate", "status", "gap", "show", "list", "record", "report"):
        text = run(command, "-h").output
        assert "Example" in text, command


def test_shell_completion_offers_sectors_and_kpis(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    from kpi.cli import cli
    from kpi.options import complete_kpi, complete_sector

    monkeypatch.chdir(data_dir)
    ctx = click.Context(cli)
    param = click.Option(["--sector"])
    assert complete_sector(ctx, param, "tel") == ["telecom"]
    assert complete_kpi(ctx, param, "digital.") == ["digital.rank", "digital.revenue"]


def test_show_as_markdown(data_dir: Path) -> None:
    result = run(
        "show", "digital.rank", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "markdown"
    )
    assert result.exit_code == 0
    md = result.output
    assert md.startswith("## digital.rank — Xếp hạng\n")
    assert "### Targets" in md and "### Actuals" in md
    assert "- limited progress: score 0.391 ≥ 0" in md
    assert run("show", "digital.rank", "--data-dir", str(data_dir), "--format", "csv").exit_code == 2


def test_published_needs_a_whole_date(data_dir: Path) -> None:
    args = ("record", "telecom.fiber", "84", "--period", "2024-12", "--source", "s", "--dry-run")
    assert (
        "published = 2024-12-28"
        in run(*args, "--published", "28/12/2024", "--data-dir", str(data_dir)).output
    )
    partial = run(*args, "--published", "12/2024", "--data-dir", str(data_dir))
    assert partial.exit_code == 2
    assert '"12/2024" is not a date: use YYYY-MM-DD or DD/MM/YYYY' in partial.output


@pytest.mark.parametrize(
    ("command", "args", "expect"),
    [
        ("gap", ("--format", "markdown"), "| KPI |"),
        ("show", ("telecom.fiber",), "Cáp quang"),
        ("list", ("--format", "csv"), "sector,id,name"),
    ],
)
def test_gap_show_and_list_write_to_a_file(
    data_dir: Path, command: str, args: tuple[str, ...], expect: str
) -> None:
    out = data_dir / "out.txt"
    result = run(command, *args, "--data-dir", str(data_dir), "--as-of" if command != "list" else "--lang",
                 AS_OF if command != "list" else "en", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    text = out.read_text(encoding="utf-8")
    assert expect in text
    assert not any(line.endswith(" ") for line in text.splitlines())


@pytest.mark.parametrize(
    "args",
    [("status",), ("gap",), ("show", "telecom.fiber"), ("list",), ("diff", "--from", "2023-01-01"),
     ("status", "--review")],
)  # fmt: skip
def test_every_json_document_says_its_schema_version(data_dir: Path, args: tuple[str, ...]) -> None:
    result = run(*args, "--format", "json", "--data-dir", str(data_dir))
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert next(iter(doc)) == "schema_version" and doc["schema_version"] == 1


def test_the_status_writers_on_a_hand_built_report() -> None:
    """Each format's writer, fed a report built by hand (no files, no command line)."""
    import csv as csvlib
    import io as stringio
    from datetime import date

    from kpi.assess import assess_kpi, summarise
    from kpi.model import Dataset, Plan, Sector, Thresholds
    from kpi.output.render import STATUS_FORMATS, StatusView
    from tests.builders import actual, kpi, target

    k = kpi(id="t.fiber", sector="t", name="Cáp quang", direction="up", targets=(target("2025", 80),))
    dataset = Dataset(Plan("Kế hoạch"), Thresholds(), {"t": Sector("t", "Viễn thông")}, {k.id: k}, [])
    a = assess_kpi(k, [actual("2023", 60), actual("2024", 70)], date(2025, 1, 31))
    view = StatusView(dataset, [a], summarise(dataset, [a], "en"), "en", date(2025, 1, 31), True)
    assert set(STATUS_FORMATS) == {"json", "csv", "markdown", "svg", "table"}
    out = stringio.StringIO()
    STATUS_FORMATS["json"](view, out)
    doc = json.loads(out.getvalue())
    assert doc["schema_version"] == 1 and doc["kpis"][0]["id"] == "t.fiber" and doc["sectors"][0]["kpis"] == 1
    out = stringio.StringIO()
    STATUS_FORMATS["csv"](view, out)
    [row] = list(csvlib.DictReader(stringio.StringIO(out.getvalue())))
    assert row["id"] == "t.fiber" and float(row["latest"]) == 70 and float(row["target"]) == 80
    out = stringio.StringIO()
    STATUS_FORMATS["markdown"](view, out)
    assert "Viễn thông" in out.getvalue() and "Cáp quang" in out.getvalue()
    out = stringio.StringIO()
    STATUS_FORMATS["svg"](view, out)
    assert out.getvalue().startswith("<svg") and "Cáp quang" in out.getvalue()
    out = stringio.StringIO()
    STATUS_FORMATS["table"](view, out)
    assert "t.fiber" in out.getvalue() and "Cáp quang" in out.getvalue()


def test_a_long_listing_is_written_item_by_item_as_the_same_text() -> None:
    """Piped, status and gap JSON stream their KPIs; the text is _dump_json's, byte for byte,
    non-finite numbers (null) and characters that act on a terminal (escaped) included."""
    import io

    from kpi.output.jsonview import _dump_json, dump_listing

    head = {"as_of": "2025-06-30", "plan": {"name": "Kế hoạch\u0085", "period": "2021-2025"}}
    items = [{"id": "a", "value": 1.5}, {"id": "b\u202e", "value": float("nan")}, {"id": "c", "x": [1, 2]}]
    tail = {"sectors": [{"id": "s", "kpis": 3}]}
    for kept in ([], items):
        streamed, whole = io.StringIO(), io.StringIO()
        dump_listing(head, "kpis", iter(kept), tail, streamed)
        _dump_json({**head, "kpis": kept, **tail}, whole)
        assert streamed.getvalue() == whole.getvalue()
        assert json.loads(streamed.getvalue())["kpis"] == json.loads(whole.getvalue())["kpis"]
    streamed = io.StringIO()
    dump_listing({}, "kpis", iter(items), {}, streamed)
    assert json.loads(streamed.getvalue()) == {
        "schema_version": 1,
        "kpis": json.loads(whole.getvalue())["kpis"],
    }
