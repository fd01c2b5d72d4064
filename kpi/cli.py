"""The command line: the kpi group, its language and its one-line failures, and main().

Each command lives in kpi/commands/ (and kpi/sheets/commands.py): it parses its options, calls
the core, and hands the results to a renderer. Start-up is kept lean on purpose: Rich, Babel
and json are imported inside the code paths that use them, because `kpi validate` runs on
every commit.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from kpi import __version__
from kpi.i18n import msg, tr

# The core is imported inside the commands: `kpi --help` needs none of it.
if TYPE_CHECKING:
    pass

from kpi.commands.shared import (
    EXIT_ON_CLOSED_PIPE,
    _silence_stdout,
    fail,
)
from kpi.options import (
    CONTEXT,
    KpiCommand,
)

# Each command: its name, its module and the function in it.
COMMANDS = {
    "validate": ("kpi.commands.setup", "validate"),
    "init": ("kpi.commands.setup", "init"),
    "schema": ("kpi.commands.setup", "schema"),
    "status": ("kpi.commands.assessment", "status"),
    "gap": ("kpi.commands.assessment", "gap"),
    "show": ("kpi.commands.assessment", "show"),
    "list": ("kpi.commands.assessment", "list_"),
    "report": ("kpi.commands.assessment", "report"),
    "diff": ("kpi.commands.history", "diff"),
    "due": ("kpi.commands.cycle", "due"),
    "record": ("kpi.commands.recording", "record"),
    "import": ("kpi.sheets.commands", "import_"),
    "template": ("kpi.sheets.commands", "template"),
    "export": ("kpi.sheets.commands", "export"),
}


def all_commands(group: click.Group) -> list[click.Command]:
    """Every command, loaded (for the catalog's extraction of their help, and the tests)."""
    ctx = click.Context(group)
    return [c for name in group.list_commands(ctx) if (c := group.get_command(ctx, name)) is not None]


class KpiGroup(KpiCommand, click.Group):
    """Click's group, with every message it prints made safe and every failure a one-liner.

    Click echoes command-line values in its usage errors as they were typed; a value holding
    terminal escapes (OSC 52 writes the clipboard, OSC 8 makes links) would reach the terminal.
    Everything Click would print for an error goes through display.printable first. An
    argument that is not valid UTF-8 is refused up front: it could not be written to a UTF-8
    file or shown faithfully.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        from kpi.i18n import LanguageError, resolve, set_language

        try:
            set_language(resolve(_lang_in(argv), None, os.environ))
        except LanguageError:  # reported by --lang's check, in the language the rest asks for
            with contextlib.suppress(LanguageError):
                set_language(resolve(None, None, os.environ))
        try:
            for arg in argv:
                if not _is_utf8(arg):
                    raise click.UsageError(
                        tr(
                            msg(
                                "argument {arg} is not valid UTF-8 text; kpi takes UTF-8 arguments",
                                arg=_shown(arg),
                            )
                        )
                    )
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            shown = io.StringIO()
            exc.show(file=shown)
            from kpi.display import printable

            sys.stderr.write(printable(shown.getvalue()))
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            from kpi.i18n import click_gettext

            sys.stderr.write(click_gettext("Aborted!") + "\n")
            sys.exit(1)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                # The reader (`kpi status | head`) stopped reading: what it wanted was printed.
                _silence_stdout()
                sys.exit(EXIT_ON_CLOSED_PIPE[0])
            if exc.filename:
                fail(msg("{file}: {reason}", file=str(exc.filename), reason=exc.strerror or str(exc)))
            fail(msg("cannot write the output: {reason}", reason=exc.strerror or str(exc)))
        sys.exit(result if isinstance(result, int) else 0)

    command_class = KpiCommand

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        # A command's module is imported when the command is run (or listed in --help): kpi
        # validate, on every commit, loads no other command's code.
        if name in COMMANDS and name not in self.commands:
            import importlib

            module, attribute = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        # Click turns a closed pipe into exit 1 before main() sees it; a reader that stopped
        # early (`kpi status --format csv | head`) is not an error.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(EXIT_ON_CLOSED_PIPE[0])


def _lang_in(argv: Sequence[str]) -> str | None:
    """--lang's value, read ahead of Click, so that even an error in the arguments before it is
    said in the language asked for."""
    for n, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and n + 1 < len(argv):
            return argv[n + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes arrive as lone surrogates (PEP 383)
        return False
    return True


def _shown(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _print_version(ctx: click.Context) -> None:
    from kpi.i18n import click_gettext

    click.echo(click_gettext("%(prog)s, version %(version)s") % {"prog": "kpi", "version": __version__})
    ctx.exit(0)


@click.group(cls=KpiGroup, context_settings=CONTEXT)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, param, value: _print_version(ctx) if value else None,
    help="Show the version and exit.",
)
def cli() -> None:
    """Track a sector plan's KPIs against their targets.

    The plan lives in targets.toml (sectors, KPIs, milestone targets) and the figures in
    actuals.toml, found in the current folder or the nearest parent that has a targets.toml.

    \b
    Examples:
      kpi status                      traffic lights for the whole plan
      kpi gap --sector telecom        shortfalls, largest first
      kpi show telecom.fiber_households
      kpi validate                    check both files (a pre-commit hook)
      kpi record telecom.fiber_households 84.1 --period 2024-12 --source "..."
    """


def _usable_streams() -> None:
    """Streams that can take any text: a closed stdout or stderr (`kpi validate 2>&-`) becomes
    /dev/null rather than a crash, and an encoding without Vietnamese letters (ASCII under
    PYTHONIOENCODING or a C locale) shows them as escapes rather than failing."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
        elif hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="backslashreplace")


def main() -> None:
    # A short-lived process whose data lives until exit creates no garbage cycles worth
    # collecting; the cyclic collector would rescan every parsed table as 10^5 actuals are built.
    gc.disable()
    _usable_streams()
    try:
        cli(prog_name="kpi")
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except Exception as exc:  # a bug: one line, not a traceback (KPI_DEBUG=1 shows it)
        if os.environ.get("KPI_DEBUG"):
            raise
        sys.stderr.write(f"kpi: internal error: {type(exc).__name__}: {exc} (KPI_DEBUG=1 shows where)\n")
        code = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # output piped into `head` closed early: what the reader wanted was printed
    except OSError as exc:  # /dev/full, a vanished disk: the output did not arrive
        sys.stderr.write(f"kpi: cannot write the output: {exc.strerror or exc}\n")
        code = code or 1
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
