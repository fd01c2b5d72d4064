"""Structured fuzzing: valid shapes with extreme values, and every option with hostile strings.

Whatever the data and the options, every command answers 0, 1 or 2, never a traceback
(CliRunner re-raises any exception here), JSON that a strict parser accepts (no NaN or
Infinity), and nothing that acts on a terminal.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run

PROFILE = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

BIG = sys.float_info.max
EXTREME = st.one_of(
    st.sampled_from([0.0, -0.0, 1e-308, -1e-308, 5e-324, 1.0, -1.0, 1e308, -1e308, BIG, -BIG, 1e-9, 1e15]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**70), max_value=2**70),
)
YEARS = st.sampled_from([1, 2, 1999, 2020, 2021, 2024, 2025, 9998, 9999])
PERIODS = st.builds(
    lambda y, form, n: (
        f"{y:04d}",
        f"{y:04d}-H{n % 2 + 1}",
        f"{y:04d}-Q{n % 4 + 1}",
        f"{y:04d}-{n % 12 + 1:02d}",
        f"{y:04d}-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
    )[form],
    YEARS,
    st.integers(0, 4),
    st.integers(0, 100),
)
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "\x1b]52;c;cHduZWQ=\x07",
            "\x1b[2J",
            "[bold red]x[/]",
            '=HYPERLINK("http://x")',
            "<script>alert(1)</script>",
            "https://evil.example",
            "-",
            "",
            " ",
            "9999-12-31",
            "0001-01-01",
            "2024-H3",
            "31/02/2024",
            "../../etc/passwd",
            "telecom",
            "k0",
            "\u202eevil",
        ]
    ),
    st.text(max_size=8),
)


@st.composite
def plans(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    kpis, actuals = [], []
    for n in range(draw(st.integers(1, 3))):
        low = draw(st.one_of(st.none(), EXTREME))
        high = draw(st.one_of(st.none(), EXTREME))
        if low is not None and high is not None and low > high:
            low, high = high, low
        compound = draw(st.booleans())

        def fits(v: float, lo: float | None = low, hi: float | None = high, pos: bool = compound) -> bool:
            return (lo is None or v >= lo) and (hi is None or v <= hi) and (not pos or v > 0)

        kpi: dict[str, Any] = {
            "id": f"k{n}",
            "sector": "s",
            "name": draw(HOSTILE) or "K",
            "unit": draw(st.sampled_from(["%", "hạng", "tỷ đồng", "u"])),
            "direction": draw(st.sampled_from(["up", "down"])),
        }
        if compound:
            kpi["trend"] = "compound"
        if low is not None:
            kpi["min"] = low
        if high is not None:
            kpi["max"] = high
        targets = {}
        for _ in range(draw(st.integers(0, 3))):
            value = draw(EXTREME)
            if fits(value):
                targets[draw(PERIODS)] = value
        dated: dict[Any, Any] = {}
        for period, value in targets.items():
            from kpi.periods import parse_period

            dated.setdefault(parse_period(period).end, (period, value))
        if dated:
            kpi["targets"] = [{"period": p, "value": v} for p, v in dated.values()]
        kpis.append(kpi)
        seen = set()
        for _ in range(draw(st.integers(0, 5))):
            period, value = draw(PERIODS), draw(EXTREME)
            if fits(value) and period not in seen:
                seen.add(period)
                actual = {"kpi": kpi["id"], "period": period, "value": value, "source": draw(HOSTILE) or "s"}
                if draw(st.booleans()):
                    actual["quote"] = draw(HOSTILE) or "q"
                actuals.append(actual)
    targets_doc = {"plan": {"name": draw(HOSTILE) or "P"}, "sectors": {"s": {"name": "S"}}, "kpi": kpis}
    return targets_doc, {"actual": actuals}


def strict(text: str) -> None:
    def refuse(constant: str) -> None:
        raise AssertionError(f"JSON holds {constant}")

    json.loads(text, parse_constant=refuse)


def check(result: Any, codes: tuple[int, ...] = (0, 1, 2), machine: bool = False) -> None:
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output
    if not machine or result.exit_code != 0:  # JSON and CSV carry the data's text exactly
        assert "\x1b" not in result.output and "\x07" not in result.output


COMMANDS = (
    ("status", "--format", "json"),
    ("status", "--all"),
    ("status", "--format", "csv"),
    ("status", "--format", "markdown"),
    ("gap", "--all", "--format", "json"),
    ("gap", "--all"),
    ("show", "k0"),
    ("show", "k0", "--format", "json"),
    ("list",),
    ("report", "-o", "-"),
)


@PROFILE
@given(
    plans(), st.sampled_from(["2025-06-30", "0001-01-01", "9999-12-31", "2021-12-31"]), st.integers(40, 200)
)
def test_any_valid_plan_gives_defined_outputs(
    plan: tuple[dict[str, Any], dict[str, Any]], as_of: str, width: int
) -> None:
    targets, actuals = plan
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "targets.toml").write_text(tomli_w.dumps(targets), encoding="utf-8")
        Path(folder, "actuals.toml").write_text(tomli_w.dumps(actuals), encoding="utf-8")
        valid = run("validate", "--data-dir", folder)
        check(valid, (0, 1))
        for command in COMMANDS:
            args = [*command, "--data-dir", folder]
            if command[0] != "list":
                args += ["--as-of", as_of]
            result = run(*args, env={"COLUMNS": str(width)})
            if command[0] == "report":
                assert result.exit_code == valid.exit_code
                continue
            check(result, (0, 1), machine="json" in command or "csv" in command)
            if "json" in command and result.exit_code == 0:
                strict(result.output)


@PROFILE
@given(
    st.sampled_from(
        [
            ("status", "--sector"),
            ("status", "--as-of"),
            ("status", "--milestone"),
            ("status", "--status"),
            ("status", "--format"),
            ("gap", "--lang"),
            ("show",),
            ("record", "telecom.fiber", "1", "--source", "s", "--period"),
            ("record", "telecom.fiber", "1", "--period", "2024", "--source"),
            ("record", "telecom.fiber", "1", "--period", "2024", "--source", "s", "--quote"),
            ("record", "telecom.fiber", "1", "--period", "2024", "--source", "s", "--published"),
            ("record", "telecom.fiber", "--period", "2024", "--source", "s", "--dry-run", "--"),
            ("record", "--period", "2024", "--source", "s", "--dry-run", "--"),
        ]
    ),
    HOSTILE,
)
def test_every_option_takes_hostile_strings(data_dir: Path, args: tuple[str, ...], hostile: str) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    result = (
        run(*args, hostile, "--data-dir", str(data_dir))
        if args[-1] != "--"
        else run(
            *args[:-1], "--data-dir", str(data_dir), "--", hostile, *(["1"] if args[1] == "--period" else [])
        )
    )
    check(result)
    if args[0] == "record" and result.exit_code != 0:
        assert (data_dir / "actuals.toml").read_bytes() == before
