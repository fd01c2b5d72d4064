"""Whatever is in the files, `kpi validate` answers 0 or 1 and never a traceback."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.loader import DataFiles
from tests.conftest import ACTUALS, TARGETS, run

PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.sampled_from(
    ["plan", "name", "kpi", "actual", "id", "sector", "value", "period", "targets", "unit", "direction",
     "trend", "min", "max", "stretch", "baseline", "source", "published", "sectors", "estimated", "x"]
)  # fmt: skip
SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2024", "2024-13", "2024-Q5", "telecom", "telecom.fiber", "up", "down", "compound"]),
    st.dates(min_value=date(1, 1, 1)),
    st.datetimes(min_value=datetime(1, 1, 1)),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
).filter(lambda d: isinstance(d, dict))


def check(targets: bytes, actuals: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "targets.toml").write_bytes(targets)
        Path(folder, "actuals.toml").write_bytes(actuals)
        result = run("validate", "--data-dir", folder)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output


@PROFILE
@given(st.binary(max_size=300), st.booleans())
def test_arbitrary_bytes(data: bytes, in_targets: bool) -> None:
    if in_targets:
        check(data, ACTUALS.encode())
    else:
        check(TARGETS.encode(), data)


# A valid file with something broken appended: the syntax error then sits on its last lines,
# where an off-by-one in finding the line for the hint would crash.
BROKEN_ENDINGS = st.sampled_from(
    ["x = [\n", "x = [", "x = 1,5\n", "x = 1,5", "\n\n[", "\x0c\nx = ", "\u2028\n="]
)


@PROFILE
@given(BROKEN_ENDINGS, st.booleans())
def test_a_syntax_error_at_the_end_of_a_file(ending: str, in_targets: bool) -> None:
    if in_targets:
        check((TARGETS + ending).encode(), ACTUALS.encode())
    else:
        check(TARGETS.encode(), (ACTUALS + ending).encode())


def test_the_decimal_comma_hint_on_the_last_line_of_a_file() -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "targets.toml").write_text(TARGETS, encoding="utf-8")
        Path(folder, "actuals.toml").write_text(ACTUALS + "x = 82,2", encoding="utf-8")
        result = run("validate", "--data-dir", folder, "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "write 82.2, not 82,2" in result.output


@PROFILE
@given(DOCUMENTS, st.booleans())
def test_arbitrary_toml_documents(doc: dict[str, object], in_targets: bool) -> None:
    text = tomli_w.dumps(doc).encode()
    if in_targets:
        check(text, ACTUALS.encode())
    else:
        check(TARGETS.encode(), text)


@PROFILE
@given(st.dictionaries(KEYS, SCALARS, max_size=6))
def test_arbitrary_kpi_and_actual_tables(table: dict[str, object]) -> None:
    """Plausible files with one arbitrary [[kpi]] or [[actual]] table added."""
    check(TARGETS.encode() + b"\n" + tomli_w.dumps({"kpi": [table]}).encode(), ACTUALS.encode())
    check(TARGETS.encode(), ACTUALS.encode() + b"\n" + tomli_w.dumps({"actual": [table]}).encode())


ACTUAL_VALUES = st.fixed_dictionaries(
    {
        "kpi": st.sampled_from(["telecom.fiber", "digital.rank", "digital.revenue", "nope", 3]),
        "period": st.sampled_from(["2022", "2023", "2024-05", "2024-05-31", "2024-13", "2024-Q2", 2024]),
        "value": st.one_of(
            st.integers(-5, 200),
            st.floats(allow_nan=True, allow_infinity=True),
            st.just("82,2"),
            st.just(True),
        ),
        "source": st.sampled_from(["report", "", "   ", 7]),
    },
    optional={
        "quote": st.sampled_from(["q", "", " ", None, 1]),
        "note": st.sampled_from(["n", "", 2]),
        "published": st.sampled_from([date(2024, 7, 29), date(2025, 1, 2), "2024-07-29"]),
        "estimated": st.sampled_from([True, False, "yes"]),
        "derived": st.sampled_from([True, False, 0]),
        "cumulative": st.booleans(),
        "colour": st.just("red"),
        # The root, a unit, one not valid after 2023, an unknown one, not a string.
        "org": st.sampled_from(["vn", "a", "b", "zz", 5]),
    },
)

# Units for the figures above: b ends with 2023.
ORG_TREE = """
[[org]]
id = "vn"
name = "Việt Nam"

[[org]]
id = "a"
name = "A"
parent = "vn"

[[org]]
id = "b"
name = "B"
parent = "vn"
valid_until = 2023-12-31
"""


@PROFILE
@given(st.lists(ACTUAL_VALUES, max_size=6))
def test_the_fast_path_accepts_and_rejects_exactly_what_the_general_path_does(
    tables: list[dict[str, Any]],
) -> None:
    from kpi import loadactuals
    from kpi.loader import check as loaded

    tables = [{k: v for k, v in t.items() if v is not None} for t in tables]
    text = tomli_w.dumps({"actual": tables}).encode()
    files = DataFiles(Path("targets.toml"), (Path("actuals.toml"),), Path("actuals.toml"))
    results = []
    for fast in (True, False):
        loadactuals.FAST_PATH = fast
        try:
            problems: list[Any] = []
            dataset = loaded((TARGETS + ORG_TREE).encode(), text, files, problems)
            results.append((dataset.actuals, dataset.unit_actuals, sorted(map(str, problems))))
        finally:
            loadactuals.FAST_PATH = True
    assert results[0] == results[1]
