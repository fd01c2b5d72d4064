"""The same work for the plain-text tools kpi's users know: Beancount's bean-check and hledger.

A generated plan becomes a Beancount ledger and an hledger journal with as many entries as its
actuals: one account per KPI (plus one counter account every transaction balances against), one
transaction per figure, dated on the last day of its period, its value as the amount, its quote
as the narration, its source (and published date) as metadata and estimated as a tag. Each tool
then checks its file as kpi validate checks the plan. A tool that is not installed is skipped
with a note (bean-check: `pip install beancount`; hledger: `apt-get install hledger`).
"""

from __future__ import annotations

import calendar
import os
import shutil
import subprocess
import tomllib
from pathlib import Path


def _account(kpi_id: str) -> str:
    sector, name = kpi_id.split(".")  # "telecom.kpi_00001" -> Assets:Telecom:Kpi-00001
    return f"Assets:{sector.capitalize()}:{name.capitalize().replace('_', '-')}"


def _period_end(text: str) -> str:
    year, month = int(text[:4]), int(text[5:7])
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def write(plan: Path, out: Path) -> tuple[Path, Path]:
    """plan/targets.toml and plan/actuals.toml as out/plan.beancount and out/plan.journal."""
    out.mkdir(parents=True, exist_ok=True)
    kpis = tomllib.loads((plan / "targets.toml").read_text(encoding="utf-8"))["kpi"]
    actuals = tomllib.loads((plan / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    rows = sorted(actuals, key=lambda a: _period_end(a["period"]))  # in date order, as kept by hand
    bean = [
        'option "title" "Synthetic plan"\noption "operating_currency" "KPI"\n',
        "2015-01-01 commodity KPI\n",
        "2015-01-01 open Equity:Plan KPI\n",
        *(f"2015-01-01 open {_account(k['id'])} KPI\n" for k in kpis),
    ]
    journal = [
        "commodity 1000.00 KPI\n",
        "account Equity:Plan\n",
        *(f"account {_account(k['id'])}\n" for k in kpis),
    ]
    for a in rows:
        day, account, value = _period_end(a["period"]), _account(a["kpi"]), f"{a['value']:.2f}"
        meta = f'  source: "{_quoted(a["source"])}"\n'
        tags = [f"source:{a['source']}"]
        if "published" in a:
            meta += f"  published: {a['published'].isoformat()}\n"
            tags.append(f"published:{a['published'].isoformat()}")
        if a.get("estimated"):
            tags.append("estimated:")
        tag = " #estimated" if a.get("estimated") else ""
        bean.append(
            f'\n{day} * "{_quoted(a["quote"])}"{tag}\n{meta}  {account}  {value} KPI\n  Equity:Plan\n'
        )
        journal.append(
            f"\n{day} * {a['quote']}  ; {', '.join(tags)}\n    {account}  {value} KPI\n    Equity:Plan\n"
        )
    ledger, hledger = out / "plan.beancount", out / "plan.journal"
    ledger.write_text("".join(bean), encoding="utf-8")
    hledger.write_text("".join(journal), encoding="utf-8")
    return ledger, hledger


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return "?"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


def commands(ledger: Path, journal: Path) -> tuple[dict[str, list[str]], list[str]]:
    """The peers' check commands that can run here (name: argv), and a note for each that cannot.
    bean-check runs without its pickle cache (-C), as kpi's rows run without kpi's."""
    jobs: dict[str, list[str]] = {}
    notes: list[str] = []
    # KPI_BENCH_PEERS_PATH: where else to look (a virtualenv holding beancount, say).
    path = os.pathsep.join(p for p in (os.environ.get("KPI_BENCH_PEERS_PATH"), os.environ.get("PATH")) if p)
    bean_check = shutil.which("bean-check", path=path)
    if bean_check:
        name = f"bean-check -C ({_version([bean_check, '--version'])})"
        jobs[name] = [bean_check, "-C", str(ledger)]
    else:
        notes.append("bean-check not found (pip install beancount): its row is skipped")
    hledger = shutil.which("hledger", path=path)
    if hledger:
        version = _version([hledger, "--version"]).split(",")[0]
        jobs[f"hledger check ({version})"] = [hledger, "-f", str(journal), "check"]
        jobs[f"hledger check --strict ({version})"] = [hledger, "-f", str(journal), "check", "--strict"]
    else:
        notes.append("hledger not found (apt-get install hledger): its rows are skipped")
    return jobs, notes
