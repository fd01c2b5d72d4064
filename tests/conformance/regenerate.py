"""Run every case through the real sdg-build progress measure and write opensdg_expected.json.

The code run is vendor/ProgressMeasure.py, sdg-build's sdg/ProgressMeasure.py copied verbatim.
It needs numpy and pandas, which kpi does not use, so run this from a throwaway environment:

    python3 -m venv /tmp/sdgvenv
    /tmp/sdgvenv/bin/pip install pandas numpy
    /tmp/sdgvenv/bin/python tests/conformance/regenerate.py

Each case of opensdg_cases.py becomes one indicator: a Year/Value table (so no series, unit or
disaggregation filtering happens), metadata ``auto_progress_calculation: true`` with one entry of
``progress_calculation_options`` built from the case (a key left out when the case has None, so
Open SDG's own defaults apply), and the column options of a plain Open SDG site. The rest of the
sdg package is not needed: ProgressMeasure.py imports only ``Loggable`` from it, stubbed below
with the same interface; the stub records the warnings instead of printing them.

The JSON (sorted keys, indent 1; floats as Python writes them, so they round-trip, with NaN and
Infinity where Open SDG computes them) has, per case: the case's inputs; ``category`` (the
series status, None for Open SDG's "not_available"), ``ratio`` (its progress value) and ``score``;
``indicator_status`` and ``indicator_score``, what the indicator page shows; the calculation
components Open SDG caches; its warnings; and ``error`` where it raises instead.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import types
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENDORED = HERE / "vendor" / "ProgressMeasure.py"
OUTPUT = HERE / "opensdg_expected.json"
SOURCE = {
    "repository": "https://github.com/open-sdg/sdg-build",
    "path": "sdg/ProgressMeasure.py",
    "commit": "139fede74ba534d2ed8b9eee4cd878b41f54cb67",
    "licence": "MIT, Copyright (c) 2018 Office for National Statistics",
}
INPUT_KEYS = ("series", "direction", "target", "target_year", "base_year", "limit", "progress_thresholds")

WARNINGS: list[str] = []


class Loggable:
    """Stand-in for sdg.Loggable (sdg/Loggable.py): same methods, messages kept in WARNINGS."""

    def __init__(self, logging: Any = None) -> None:
        self.logging = logging

    def warn(self, message: str, **kwargs: Any) -> None:
        WARNINGS.append(message)

    def debug(self, message: str, **kwargs: Any) -> None:
        pass


class Options:
    """The IndicatorOptions attributes ProgressMeasure.py reads, as on a plain Open SDG site."""

    def __init__(self) -> None:
        self.series_column = "Series"
        self.unit_column = "Units"
        self.progress_column = "Progress"
        self.non_disaggregation_columns = ["Year", "Value"]

    def get_observation_attributes(self) -> list[str]:
        return []


class Indicator:
    def __init__(self, inid: str, data: Any, meta: dict[str, Any]) -> None:
        self.inid = inid
        self.data = data
        self.meta = meta
        self.options = Options()


def load_progress_measure() -> types.ModuleType:
    sdg = types.ModuleType("sdg")
    sdg.Loggable = Loggable  # type: ignore[attr-defined]
    sys.modules["sdg"] = sdg
    spec = importlib.util.spec_from_file_location("ProgressMeasure", VENDORED)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config_of(case: dict[str, Any]) -> dict[str, Any]:
    """The progress_calculation_options entry for a case, as it would be written in YAML."""
    config: dict[str, Any] = {"direction": "positive" if case["direction"] == "up" else "negative"}
    for key in ("target", "target_year", "base_year", "limit", "progress_thresholds"):
        if case.get(key) is not None:
            config[key] = case[key]
    return config


def number(value: Any) -> float | None:
    """A numpy or Python number as a plain float, None as None."""
    if value is None:
        return None
    return float(value)


def run(pm: types.ModuleType, pd: Any, case: dict[str, Any]) -> dict[str, Any]:
    data = pd.DataFrame(
        {
            "Year": pd.Series([year for year, _ in case["series"]], dtype="int64"),
            "Value": pd.Series([value for _, value in case["series"]], dtype="float64"),
        }
    )
    config = config_of(case)
    meta = {"auto_progress_calculation": True, "progress_calculation_options": [config]}
    indicator = Indicator("case", data, meta)
    WARNINGS.clear()
    result: dict[str, Any] = {
        "name": case["name"],
        "input": {key: case.get(key) for key in INPUT_KEYS},
        "config": config,
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            progress = pm.IndicatorProgress(indicator)
            indicator_score, indicator_status = progress.get_indicator_progress()
        except Exception as error:  # Open SDG raising is a result too
            result["error"] = f"{type(error).__name__}: {error}"
            indicator_score = indicator_status = None
    result["warnings"] = list(WARNINGS)
    result["numpy_warnings"] = sorted(
        {str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)}
    )
    if "error" in result:
        result.update(category=None, ratio=None, score=None, indicator_status=None, indicator_score=None)
        return result
    (components,) = [v for k, v in progress.cache_store["case"].items() if isinstance(v, dict)]
    status = components["status"]
    result.update(
        components=dict(components),  # already plain Python: Open SDG passes numbers through float()
        category=None if status == "not_available" else status,
        ratio=number(components["progress_value"]),
        score=number(components["score"]),
        indicator_status=indicator_status,
        indicator_score=number(indicator_score),
    )
    return result


def main() -> None:
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(REPO))
    from tests.conformance.opensdg_cases import CASES

    pm = load_progress_measure()
    results = [run(pm, pd, case) for case in CASES]
    document = {
        "source": SOURCE,
        "generated_with": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "cases": results,
    }
    text = json.dumps(document, sort_keys=True, indent=1, allow_nan=True) + "\n"
    # Check that every float survives the round trip (json writes floats with repr).
    assert _same(json.loads(text), document)
    OUTPUT.write_text(text, encoding="utf-8")
    errors = sum("error" in r for r in results)
    print(f"{len(results)} cases ({errors} where Open SDG raises) written to {OUTPUT.relative_to(REPO)}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and bool(a == b)


if __name__ == "__main__":
    main()
