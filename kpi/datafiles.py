"""The data files: where they are (targets.toml found upwards from the current folder, actuals.toml
beside it), and reading them safely (regular files only, a size limit, UTF-8, TOML with its
errors placed on their line)."""

import os
import posixpath
import re
import stat
from pathlib import Path
from typing import Any, NamedTuple

import tomli

from kpi.errors import KpiError
from kpi.i18n import msg
from kpi.problems import Problem

TARGETS_NAME = "targets.toml"


ACTUALS_NAME = "actuals.toml"


# value = 82,2: a Vietnamese decimal comma, which TOML reads as a syntax error
DECIMAL_COMMA = re.compile(r"=\s*([-+]?\d+,\d+)\s*(?:#.*)?$", re.ASCII)


class DataFilesNotFound(KpiError):
    """No targets.toml where the user pointed or in any parent directory."""


class DataFiles(NamedTuple):
    targets: Path
    actuals: tuple[Path, ...]  # --actuals, as often as given: then the plan's figures are these
    default: Path  # actuals.toml beside targets.toml (or in --data-dir), when nothing else says


def locate(
    targets: Path | None = None,
    actuals: Path | tuple[Path, ...] | None = None,
    data_dir: Path | None = None,
    cwd: Path | None = None,
) -> DataFiles:
    """Resolve the data files from options, else search upwards from the current directory."""
    if targets is None:
        if data_dir is not None:
            targets = data_dir / TARGETS_NAME
        else:
            start = (cwd or Path.cwd()).resolve()
            for folder in (start, *start.parents):
                if (folder / TARGETS_NAME).is_file():
                    # Named as the user would from here (targets.toml, ../targets.toml), as git does.
                    targets = Path(os.path.relpath(folder, start)) / TARGETS_NAME
                    break
            else:
                raise DataFilesNotFound(
                    msg(
                        "no {name} in {folder} or any parent directory; "
                        "use --data-dir DIR, --targets PATH or KPI_DATA_DIR, or start a plan with kpi init",
                        name=TARGETS_NAME,
                        folder=str(start),
                    )
                )
    folder = data_dir if data_dir is not None else targets.parent
    given = (actuals,) if isinstance(actuals, Path) else tuple(actuals or ())
    return DataFiles(targets, given, folder / ACTUALS_NAME)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: through symlinks, relative parts or hard links."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def file_key(path: Path) -> object:
    """What makes two paths one file: its device and inode (a hard link is the same file), else,
    for a file that is not there, its real path."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return os.path.normcase(os.path.realpath(path))
    return (info.st_dev, info.st_ino)


class Pattern(NamedTuple):
    """One entry of [files] actuals: a path relative to targets.toml whose segments may hold the
    wildcards *, ? and [...] (a wildcard never crosses a /)."""

    text: str

    @property
    def literal(self) -> bool:
        return not any(c in self.text for c in "*?[")


def pattern_problem(text: str) -> str | None:
    """What is wrong with an actuals pattern, or None."""
    if "\0" in text:
        return msg('"{pattern}" holds a NUL character, which no file name can', pattern=text)
    if os.path.isabs(text) or text.startswith("~"):
        return msg('"{pattern}" must be relative to targets.toml', pattern=text)
    if "**" in text:
        return msg('"{pattern}": ** is not supported; name each folder (actuals/*.toml)', pattern=text)
    if "\\" in text:
        return msg('"{pattern}": write / between folders', pattern=text)
    return None


def _segments(text: str) -> list[str]:
    return [s for s in text.split("/") if s not in ("", ".")]


def matches(path: Path, base: Path, patterns: tuple[str, ...]) -> bool:
    """Whether the file is one a pattern names, as expand() would find it."""

    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:  # another drive
        return False
    return names(relative.replace(os.sep, "/"), patterns)


def names(relative: str, patterns: tuple[str, ...]) -> bool:
    """Whether a path relative to targets.toml's folder (a/b.toml, ../shared/x.toml) is one the
    patterns name; decided on the text alone, wherever kpi runs from."""
    import fnmatch

    parts = _segments(posixpath.normpath(relative))
    for pattern in patterns:
        wanted = _segments(pattern)
        if len(wanted) == len(parts) and all(
            fnmatch.fnmatchcase(part, want)
            and (want.startswith(".") or not part.startswith(".") or part == want)
            for part, want in zip(parts, wanted, strict=True)
        ):
            return True
    return False


def expand(base: Path, patterns: tuple[str, ...], matched: set[str] | None = None) -> list[tuple[Path, str]]:
    """The files the patterns name, each pattern's matches sorted, a file named twice kept once
    (in the first pattern's place); with the pattern that found it. A literal pattern is kept
    whether or not its file exists (reading it says); a wildcard never names a hidden file
    unless its segment starts with a dot, as in a shell."""
    out: list[tuple[Path, str]] = []
    seen: set[object] = set()
    for pattern in patterns:
        if Pattern(pattern).literal:
            found = [base / pattern]
        else:
            # Anything but a folder: a broken link, a loop or a FIFO that a pattern names is
            # reported when it is read, never silently left out of the figures.
            found = sorted(p for p in base.glob(pattern) if not p.is_dir() and matches(p, base, (pattern,)))
        for path in found:
            if matched is not None and (not Pattern(pattern).literal or os.path.lexists(path)):
                matched.add(pattern)
            key = file_key(path)
            if key not in seen:
                seen.add(key)
                out.append((path, pattern))
    return out


# Far above any real plan (10^6 figures with quotes take ~150 MB), low enough that a data file
# that is really a device or a runaway generator is refused before it exhausts memory.
MAX_FILE_BYTES = 512 * 1024 * 1024


class ReadError(KpiError):
    """A data file that cannot be read; the message says why."""


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (symlinks followed), at most limit of them.

    A FIFO, socket or device is refused before reading from it: a FIFO would block forever and
    /dev/zero would never end. O_NONBLOCK makes opening a FIFO return at once instead of waiting
    for a writer; it has no effect on regular files.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ReadError(msg("file not found")) from None
    except IsADirectoryError:
        raise ReadError(msg("is a directory, not a file")) from None
    except PermissionError:
        raise ReadError(msg("cannot read the file: permission denied")) from None
    except OSError as exc:
        raise ReadError(msg("cannot read the file: {reason}", reason=exc.strerror or str(exc))) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadError(msg("is a directory, not a file"))
        if not stat.S_ISREG(info.st_mode):
            kind = _file_kind(info.st_mode)
            raise ReadError(msg("is not a regular file ({kind}); kpi reads only regular files", kind=kind))
        if info.st_size > limit:
            raise ReadError(
                msg(
                    "is {size:,} bytes, over kpi's limit of {limit:,} for a data file",
                    size=info.st_size,
                    limit=limit,
                )
            )
        chunks = []
        size = 0
        while chunk := os.read(fd, max(info.st_size - size, 0) + 65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # grew while being read
                raise ReadError(msg("is over kpi's limit of {limit:,} bytes for a data file", limit=limit))
        return b"".join(chunks)
    except OSError as exc:
        raise ReadError(msg("cannot read the file: {reason}", reason=exc.strerror or str(exc))) from None
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return msg("a named pipe")
    if stat.S_ISSOCK(mode):
        return msg("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return msg("a device")
    return msg("another kind of file")


def read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    """A data file's bytes; anything but a readable regular file is a problem."""
    try:
        return read_regular(path)
    except ReadError as exc:
        problems.append(Problem(str(path), exc.args[0]))
        return None


def decode(data: bytes, name: str, problems: list[Problem]) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(
            Problem(
                name,
                msg("starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM"),
                line=1,
                column=1,
            )
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            Problem(
                name,
                msg("invalid UTF-8 (byte 0x{byte}); save the file as UTF-8", byte=f"{data[exc.start]:02x}"),
                line=line,
                column=column,
            )
        )
        return None


def parse_toml(text: str, name: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        return tomli.loads(text)
    except RecursionError:
        problems.append(
            Problem(name, msg("TOML nested too deeply to read (arrays or tables inside each other)"))
        )
        return None
    except tomli.TOMLDecodeError as exc:
        message = getattr(exc, "msg", None) or str(exc).split(" (at ")[0]
        hint: str = ""
        lineno = getattr(exc, "lineno", None)
        if lineno is not None:
            # TOML counts lines by "\n" alone (splitlines() would also split at \x0c or
            # \u2028), and the error may sit on the empty line after the last newline.
            lines = text.split("\n")
            comma = DECIMAL_COMMA.search(lines[lineno - 1] if 0 < lineno <= len(lines) else "")
            if comma is not None:
                fixed = comma.group(1).replace(",", ".")
                hint = msg(
                    " (TOML numbers take a decimal point: write {fixed}, not {written})",
                    fixed=fixed,
                    written=comma.group(1),
                )
        problems.append(
            Problem(
                name,
                msg("TOML syntax error: {detail}{hint}", detail=message, hint=hint),
                line=getattr(exc, "lineno", None),
                column=getattr(exc, "colno", None),
            )
        )
        return None
