"""Which layer may import which: the core (the model, periods, loading and checking, the
assessment, the selections) is plain functions on plain values, testable without Click or Rich;
the output layer turns results into text, tables, pictures and files, and never loads the data
files; only the command line uses Click. Imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KPI = Path(__file__).resolve().parents[1] / "kpi"

COMMAND_LINE = {"kpi.cli", "kpi.__main__", "kpi.options", "kpi.commands", "kpi.sheets.commands"}
OUTPUT = {"kpi.output", "kpi.sheets.workbook"}  # the package of outputs, and the workbook writer
# kpi.display (a number in the language's notation, text made inert) is pure functions on values:
# the core's messages use it too.


def modules() -> dict[str, set[str]]:
    found = {}
    for path in KPI.rglob("*.py"):
        name = ".".join(("kpi", *path.relative_to(KPI).with_suffix("").parts)).removesuffix(".__init__")
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                if node.module == "kpi":
                    imported.update(f"kpi.{alias.name}" for alias in node.names)
        found[name] = imported
    return found


def layer(name: str) -> str:
    if name in COMMAND_LINE or name.startswith("kpi.commands."):
        return "command line"
    return "output" if within(name, OUTPUT) else "core"


def within(name: str, group: set[str]) -> bool:
    return any(name == g or name.startswith(g + ".") for g in group)


MODULES = modules()


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) == "core"))
def test_the_core_uses_no_click_rich_or_output(module: str) -> None:
    wrong = sorted(
        i for i in MODULES[module]
        if i.split(".")[0] in ("click", "rich") or within(i, OUTPUT) or within(i, COMMAND_LINE)
    )  # fmt: skip
    assert not wrong, f"{module} imports {wrong}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) == "output"))
def test_the_output_layer_loads_no_files_and_parses_no_options(module: str) -> None:
    files = {"kpi.loader", "kpi.datafiles", "kpi.loadtargets", "kpi.loadactuals", "kpi.cache"}
    wrong = sorted(
        i
        for i in MODULES[module]
        if i.split(".")[0] == "click" or within(i, files) or within(i, COMMAND_LINE)
    )
    assert not wrong, f"{module} imports {wrong}"


def test_the_layers_are_all_there() -> None:
    assert {layer(m) for m in MODULES} == {"core", "output", "command line"}
    assert "kpi.assess" in MODULES and layer("kpi.assess") == "core"
    assert layer("kpi.output.render") == "output" and layer("kpi.sheets.read") == "core"


def test_one_handler_maps_the_error_family_to_exit_codes() -> None:
    import click
    from click.testing import CliRunner

    from kpi.errors import KpiError, UsageProblem
    from kpi.options import KpiCommand
    from kpi.record import RecordError

    assert issubclass(RecordError, KpiError) and issubclass(UsageProblem, KpiError)

    @click.command(cls=KpiCommand)
    @click.argument("which")
    def broken(which: str) -> None:
        if which == "usage":
            raise UsageProblem("no sector x", "--sector")
        raise RecordError("the file is locked")

    data = CliRunner().invoke(broken, ["data"])
    assert data.exit_code == 1 and data.output == "kpi: the file is locked\n"
    usage = CliRunner().invoke(broken, ["usage"])
    assert usage.exit_code == 2 and "Invalid value for --sector: no sector x" in usage.output


def test_imports_are_absolute_so_that_the_layer_test_sees_them() -> None:
    relative = []
    for path in KPI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                relative.append(f"{path.name}:{node.lineno}")
    assert not relative, relative
