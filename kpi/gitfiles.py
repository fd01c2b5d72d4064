"""The data files as committed at a git revision (`git show REV:path`), for `kpi diff REV`."""

from __future__ import annotations

import os
import posixpath
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


def files_at(revision: str, folder: Path) -> dict[Path, Path]:
    """Every file of the repository holding folder, as committed at the revision: each path with
    the file it is (a symlink followed inside the tree; one that leads out of it, or nowhere, is
    left out), so that patterns with .. find their files and a link is read as its file."""
    root, commit = _locate(revision, folder / "x")
    listed = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
    if listed.returncode != 0:
        return {}
    blobs: dict[str, str] = {}  # name: "" for a file, the link's object for a symlink
    for entry in listed.stdout.decode("utf-8", "surrogateescape").split("\0"):
        head, _tab, name = entry.partition("\t")
        parts = head.split()
        if name and len(parts) == 3 and parts[1] == "blob":
            blobs[name] = parts[2] if parts[0] == "120000" else ""
    out: dict[Path, Path] = {}
    for name in blobs:
        real = _follow(root, name, blobs)
        if real is not None:
            out[root / name] = root / real
    return out


def _follow(root: Path, name: str, blobs: dict[str, str]) -> str | None:
    """The file a committed path is, its symlinks followed within the tree (as the checkout
    would), or None."""
    for _hop in range(40):  # the kernel's limit on a chain of links
        link = blobs.get(name)
        if link is None:
            return None
        if not link:
            return name
        shown = _git(root, "cat-file", "blob", link)
        target = shown.stdout.decode("utf-8", "surrogateescape")
        if shown.returncode != 0 or os.path.isabs(target):
            return None
        name = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        if name.startswith("../") or name == "..":
            return None
    return None


def show(revision: str, path: Path) -> bytes | None:
    """The file's bytes at the revision; None when the file did not exist then."""
    root, commit = _locate(revision, path)
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    shown = _git(root, "show", f"{commit}:{relative}")
    if shown.returncode != 0:
        return None
    return shown.stdout
