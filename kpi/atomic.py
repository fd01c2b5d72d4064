"""Writing a data file so that nothing the user wrote is ever lost.

A write goes to a temporary file beside the target, is flushed and fsynced, takes the
original's permissions, and replaces the original with ``os.replace``: a crash at any
moment leaves the old file or the new one, never a torn one. Writers of one folder take
an exclusive lock first, so concurrent ``kpi record`` runs queue instead of losing entries.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kpi.errors import KpiError
from kpi.i18n import Message, msg


class WriteError(KpiError):
    """A write that could not be done; the original is untouched. The message says why."""


def real_path(path: Path) -> Path:
    """The file a symlink points to, so the link is kept and its target updated."""
    try:
        return path.resolve(strict=False) if path.is_symlink() else path
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before Python 3.13
        raise WriteError(
            msg("{file}: cannot follow the symbolic link: {reason}", file=str(path), reason=str(exc))
        ) from None


def _wait_for(attempt: Callable[[], bool], timeout: float, message: Message) -> None:
    """Call attempt until it succeeds; after timeout seconds, fail with message."""
    deadline = time.monotonic() + timeout
    while not attempt():
        if time.monotonic() >= deadline:
            raise WriteError(message)
        time.sleep(0.02)


@contextlib.contextmanager
def locked(folder: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on a folder's data files; wait up to timeout seconds."""
    if not folder.is_dir():
        raise WriteError(msg("{folder}: folder does not exist", folder=str(folder)))
    try:
        import fcntl
    except ImportError:  # not POSIX: a lock file created exclusively
        with _lock_file(folder, timeout):
            yield
        return
    # flock on the folder itself: released by the kernel if the process dies, no file left behind.
    fd = os.open(folder, os.O_RDONLY)

    def attempt() -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        _wait_for(
            attempt,
            timeout,
            msg(
                "{folder}: another kpi process is writing here; gave up after {seconds:g} s",
                folder=str(folder),
                seconds=timeout,
            ),
        )
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _lock_file(folder: Path, timeout: float) -> Iterator[None]:
    lock = folder / ".kpi.lock"
    fds: list[int] = []

    def attempt() -> bool:
        try:
            fds.append(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    _wait_for(
        attempt,
        timeout,
        msg("{lock}: locked by another kpi process (delete it if none is running)", lock=str(lock)),
    )
    try:
        yield
    finally:
        os.close(fds[0])
        lock.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Temporary files are named .NAME.XXXXXXXX.tmp beside their target (tempfile's random part).
_TEMP_SUFFIX = ".tmp"
STALE_TEMP_SECONDS = 60.0


def _read_only(mode: int, path: str) -> bool:
    """Read-only for this user, or by its owner's write bit. root passes access() for any file,
    yet a file (or folder) whose owner's write bit is off (0444, 0464, 0555) is one meant not to
    be written."""
    return not (mode & stat.S_IWUSR) or not os.access(path, os.W_OK)


def check_writable(path: Path, links: bool = True) -> Path:
    """The path to write (a symlink's target), or WriteError saying why it must not be written:
    anything but a regular file or a missing path, a read-only file, a read-only folder; with
    links=False (a report written with -o), a symbolic link too, which could lead anywhere."""
    if not links and path.is_symlink():
        raise WriteError(
            msg(
                "{file}: a symbolic link; kpi writes a report only to a regular file or a new path "
                "(give the link's target, or remove the link)",
                file=str(path),
            )
        )
    target = real_path(path)
    folder = target.parent
    if not folder.is_dir():
        raise WriteError(msg("{file}: folder {folder} does not exist", file=str(target), folder=str(folder)))
    try:
        info = target.lstat()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise WriteError(
            msg("{file}: cannot write: {reason}; nothing was changed", file=str(target), reason=exc.strerror)
        ) from None
    else:
        if not stat.S_ISREG(info.st_mode):
            raise WriteError(
                msg(
                    "{file}: not a regular file; kpi writes only regular files "
                    "(use -o - for standard output)",
                    file=str(target),
                )
            )
        if _read_only(info.st_mode, str(target)):
            raise WriteError(msg("{file}: the file is read-only; nothing was changed", file=str(target)))
        if info.st_nlink > 1:
            # Replacing it atomically would give this name a new file and leave the others the old.
            raise WriteError(
                msg(
                    "{file}: the file has {links} hard links, which an atomic write would split; "
                    "nothing was changed",
                    file=str(target),
                    links=info.st_nlink,
                )
            )
    if _read_only(folder.stat().st_mode, str(folder)):
        raise WriteError(
            msg(
                "{file}: the folder {folder} is read-only; nothing was changed",
                file=str(target),
                folder=str(folder),
            )
        )
    return target


def remove_stale_temps(folder: Path, name: str, now: float | None = None) -> None:
    """Delete this tool's temporary files for name that a killed write left behind: only regular
    files of this user, matching .NAME.*.tmp, untouched for a minute (a live write takes less)."""
    now = time.time() if now is None else now
    prefix = f".{name}."
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX)):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if (
                stat.S_ISREG(info.st_mode)
                and (uid is None or info.st_uid == uid)
                and now - info.st_mtime > STALE_TEMP_SECONDS
            ):
                os.unlink(entry.path)
        except OSError:
            continue


def atomic_write(path: Path, data: bytes, links: bool = True) -> None:
    """Replace path's content with data, atomically and durably; verify what landed. A symlink's
    target is written (a data file kept elsewhere), unless links=False (see check_writable)."""
    target = check_writable(path, links)
    folder = target.parent
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    remove_stale_temps(folder, target.name)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise WriteError(
            msg(
                "{file}: cannot write in {folder}: {reason}; nothing was changed",
                file=str(target),
                folder=str(folder),
                reason=exc.strerror,
            )
        ) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = msg("the disk is full") if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise WriteError(
            msg("{file}: cannot write: {reason}; nothing was changed", file=str(target), reason=reason)
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    if target.read_bytes() != data:
        raise WriteError(msg("{file}: the file read back differs from what was written", file=str(target)))


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
