"""The data files as committed at a git revision (`git show REV:path`), for `kpi diff REV`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kpi.errors import KpiError
from kpi.i18n import msg


class GitError(KpiError):
    """git cannot give what was asked; the message says why."""


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)
    except OSError as exc:  # no git on this machine
        raise GitError(msg("cannot run git: {reason}", reason=exc.strerror or str(exc))) from None


def _locate(revision: str, path: Path) -> tuple[Path, str]:
    """The repository's top folder holding path, and the revision's commit."""
    if revision.startswith("-") or not revision.strip():
        raise GitError(msg('"{revision}" is not a git revision', revision=revision))
    folder = path.resolve().parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GitError(
            msg(
                "{folder} is not in a git repository; kpi diff REV reads the files from git",
                folder=str(folder),
            )
        )
    root = Path(top.stdout.decode("utf-8", "surrogateescape").strip())
    verify = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if verify.returncode != 0:
        raise GitError(msg('unknown git revision "{revision}"', revision=revision))
    return root, verify.stdout.decode().strip()


def files_at(revision: str, folder: Path) -> list[Path]:
    """The files under folder (at any depth) as committed at the revision."""
    root, commit = _locate(revision, folder / "x")
    relative = folder.resolve().relative_to(root.resolve()).as_posix()
    listed = _git(
        root, "ls-tree", "-r", "-z", "--name-only", commit, "--", "." if relative == "." else relative
    )
    if listed.returncode != 0:
        return []
    names = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [root / name for name in names if name]


def show(revision: str, path: Path) -> bytes | None:
    """The file's bytes at the revision; None when the file did not exist then."""
    root, commit = _locate(revision, path)
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    shown = _git(root, "show", f"{commit}:{relative}")
    if shown.returncode != 0:
        return None
    return shown.stdout
