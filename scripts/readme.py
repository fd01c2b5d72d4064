"""The README's example outputs, generated from the commands themselves so that they cannot drift.

A fenced block right after a line `<!-- output: kpi ARGS -->` holds what `kpi ARGS` prints on
the bundled plan in an 80-column terminal (`<!-- output in DIR: kpi ARGS -->`: run in the
folder DIR, its messages included); a table right after `<!-- fields: TABLE -->` lists the
keys of that table of the data format, from its one definition (kpi/schema.py).

    python scripts/readme.py          # rewrite the blocks
    python scripts/readme.py --check  # exit 1 when one differs (tests/test_readme.py runs it)
"""

from __future__ import annotations

import inspect
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- output(?: in ([^:>]+))?: (kpi [^>]*?) -->\n+```\n)(.*?)(```)", re.DOTALL)
COMMANDS = re.compile(r"(<!-- commands -->\n\n)((?:\|[^\n]*\n)*)")
FIELDS = re.compile(r"(<!-- fields: ([a-z_]+) -->\n\n)((?:\|[^\n]*\n)*)")
KINDS = {
    "text": "text",
    "string": "text (may be empty)",
    "number": "number",
    "boolean": "true or false",
    "date": "date (2024-07-29)",
    "day": "date (2025-07-01), years 1000–9899",
    "period": "period",
    "plan_period": "years (2021-2025)",
    "kpi_id": "KPI id",
    "sector_id": "sector id",
    "fraction": "number ≥ 0",
    "share": "number above 0, at most 10",
    "coverage": "number above 0, at most 1",
    "due": "{ days = N } or { months = M, day = D }",
    "owners": "list of { owner, from, until }",
    "change_from": 'a year, or "same period last year"',
    "target": "{ period, value, … }",
    "targets": "list of { period, value, … }",
    "globs": "file pattern, or list of them",
    "org_id": "organisation id",
    "org_ids": "list of organisation ids",
    "aggregate": '"sum", "none", { ratio = [...], factor } or { mean = "..." }',
}


def fields(table: str) -> str:
    sys.path.insert(0, str(ROOT))
    from kpi import schema

    definition = {"plan": schema.PLAN, "assessment": schema.ASSESSMENT, "files": schema.FILES,
                  "sector": schema.SECTOR, "kpi": schema.KPI, "target": schema.TARGET,
                  "actual": schema.ACTUAL, "org": schema.ORG, "merge": schema.MERGE,
                  "rename": schema.RENAME, "unit_target": schema.UNIT_TARGET}[table]  # fmt: skip
    required = schema.REQUIRED.get(table, ())
    rows = ["| key | value | required | meaning |", "|---|---|---|---|"]
    for key, (kind, meaning) in definition.items():
        value = " · ".join(f"`{c}`" for c in kind) if isinstance(kind, tuple) else KINDS[kind]
        rows.append(f"| `{key}` | {value} | {'yes' if key in required else ''} | {meaning} |")
    return "\n".join(rows) + "\n"


def output(command: str, folder: str | None = None) -> str:
    kpi = str(Path(sys.executable).with_name("kpi"))
    env = {**os.environ, "COLUMNS": "80", "KPI_DATA_DIR": str(ROOT)}
    env.pop("KPI_LANG", None)
    args = shlex.split(command)[1:]
    if folder is None:
        done = subprocess.run([kpi, *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
        return done.stdout
    del env["KPI_DATA_DIR"]
    done = subprocess.run(
        [kpi, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT / folder
    )
    return done.stdout


SHARED = ("--targets", "--actuals", "--data-dir", "--lang")  # every command's: said below the table


def commands() -> str:
    """The command table: each command's usage, the first sentence of its help, and its options,
    read from the commands themselves."""
    sys.path.insert(0, str(ROOT))
    import click

    from kpi.cli import COMMANDS, all_commands, cli

    loaded = {c.name: c for c in all_commands(cli)}
    rows = ["| command | what it does | options |", "|---|---|---|"]
    for name in COMMANDS:
        command = loaded[name]
        ctx = click.Context(command, info_name=name)
        args = " ".join(p for p in command.collect_usage_pieces(ctx) if p != "[OPTIONS]")
        usage = f"kpi {name} {args}".strip().replace("|", "\\|")
        first = " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())
        options = ", ".join(
            f"`{o.opts[-1] if o.opts[-1].startswith('--') else o.opts[0]}`"
            for o in command.params
            if isinstance(o, click.Option) and o.opts[0] not in SHARED
        )
        rows.append(f"| `{usage}` | {first} | {options} |")
    return "\n".join(rows) + "\n"


def render(text: str) -> str:
    text = BLOCK.sub(lambda m: m.group(1) + output(m.group(3), m.group(2)) + m.group(5), text)
    text = COMMANDS.sub(lambda m: m.group(1) + commands(), text)
    return FIELDS.sub(lambda m: m.group(1) + fields(m.group(2)), text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in sys.argv[1:]:
        if new != text:
            print("README.md: an example output differs from the command's; run python scripts/readme.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
