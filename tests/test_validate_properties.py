"""Whatever is in the files, `kpi validate` answers 0 or 1 and never a traceback."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
