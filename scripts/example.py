"""Write kpi/example/ (what `kpi init --example` copies) from the bundled data.

    python scripts/example.py

The example is the telecom and digital sectors of the bundled plan: their KPIs that have both a target and a
figure, with those figures, sources and quotes as the bundled files state them. Nothing in it
is made up; tests/test_init.py checks that it is what this script writes.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kpi" / "example"
SECTORS = ("telecom", "digital")

HEADER = {
    "targets.toml": (
        "# An example plan for trying kpi: two sectors of the Ministry of Information and\n"
        "# Communications' 2021–2025 plan, with its real targets, figures and sources (written by\n"
        "# `kpi init --example`). Replace it with your own plan, or start from `kpi init`.\n\n"
    ),
    "actuals.toml": (
        "# Figures for the example plan, each with its source document and the fragment quoted.\n"
        "# Add yours with `kpi record`.\n\n"
    ),
}


def example() -> dict[str, bytes]:
    targets = tomllib.loads((ROOT / "targets.toml").read_text(encoding="utf-8"))
    actuals = tomllib.loads((ROOT / "actuals.toml").read_text(encoding="utf-8"))
    figures = [a for a in actuals["actual"] if a["kpi"].split(".")[0] in SECTORS]
    with_figures = {a["kpi"] for a in figures}
    kpis = [
        k for k in targets["kpi"] if k["sector"] in SECTORS and k.get("targets") and k["id"] in with_figures
    ]
    chosen = {k["id"] for k in kpis}
    plan: dict[str, Any] = {
        "plan": targets["plan"],
        "assessment": targets["assessment"],
        "sectors": {s: targets["sectors"][s] for s in SECTORS},
        "kpi": kpis,
    }
    figures = [a for a in figures if a["kpi"] in chosen]
    return {
        "targets.toml": (HEADER["targets.toml"] + tomli_w.dumps(plan, multiline_strings=False)).encode(),
        "actuals.toml": (HEADER["actuals.toml"] + tomli_w.dumps({"actual": figures})).encode(),
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, data in example().items():
        (OUT / name).write_bytes(data)
    sys.stdout.write(f"wrote {OUT}\n")


if __name__ == "__main__":
    main()
