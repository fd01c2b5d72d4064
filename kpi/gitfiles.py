"""The data files as committed at a git revision (`git show REV:path`), for `kpi diff REV`."""

from __future__ import annotations

import os
import posixpath
import subprocess
from pathlib import Path
from typing import NamedTuple

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


class Tree(NamedTuple):
    """A revision's listing: the repository's top folder, and every committed file's name with
    "" (a file) or its symlink's object."""

    root: Path
    base: str  # the plan's folder, relative to root
    blobs: dict[str, str]


def tree_at(revision: str, folder: Path) -> Tree:
    """The revision's files (one git ls-tree of the whole commit)."""
    root, commit = _locate(revision, folder / "x")
    listed = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
    blobs: dict[str, str] = {}
    for entry in (
        listed.stdout.decode("utf-8", "surrogateescape").split("\0") if listed.returncode == 0 else ()
    ):
        head, _tab, name = entry.partition("\t")
        parts = head.split()
        if name and len(parts) == 3 and parts[1] == "blob":
            blobs[name] = parts[2] if parts[0] == "120000" else ""
    return Tree(root, folder.resolve().relative_to(root.resolve()).as_posix(), blobs)


def files_at(tree: Tree, patterns: tuple[str, ...]) -> dict[Path, Path]:
    """The files the patterns (relative to the plan's folder) name in the tree, each with the
    file it is: a committed symlink is followed inside the tree, a folder that is a link too;
    one that leads out of the repository is that file on disk. Only what a pattern can name is
    looked at."""
    from kpi.datafiles import names

    root, base, blobs = tree
    out: dict[Path, Path] = {}
    for pattern in patterns:
        wanted = posixpath.normpath(posixpath.join(base, pattern))
        if wanted == ".." or wanted.startswith("../"):
            continue  # out of the repository: nothing committed there
        wanted, link, target = _through_folder_links(root, wanted, blobs)
        fixed = wanted.split("/")
        first_wild = next((n for n, s in enumerate(fixed) if any(c in s for c in "*?[")), len(fixed))
        literal = "/".join(fixed[:first_wild])
        for name in blobs:
            if name != literal and not name.startswith(literal + "/"):
                continue
            if names(name, (wanted,)):
                real = _follow(root, name, blobs)
                if real is not None:  # named as the pattern names it: through the link
                    out[root / (link + name[len(target) :] if link else name)] = real
    return out


def _through_folder_links(root: Path, wanted: str, blobs: dict[str, str]) -> tuple[str, str, str]:
    """A pattern whose folder is a committed link (data -> ../shared): the pattern in the linked
    folder, the link as the pattern names it and its target ("", "" when no link is crossed)."""
    parts = wanted.split("/")[:-1]
    for n in range(len(parts), 0, -1):
        prefix = "/".join(parts[:n])
        if blobs.get(prefix):  # a symlink, not a file
            target = _link_target(root, prefix, blobs[prefix])
            if target is None or target == ".." or target.startswith("../") or posixpath.isabs(target):
                break
            return posixpath.join(target, *wanted.split("/")[n:]), prefix, target
    return wanted, "", ""


def _link_target(root: Path, name: str, link: str) -> str | None:
    shown = _git(root, "cat-file", "blob", link)
    if shown.returncode != 0:
        return None
    target = shown.stdout.decode("utf-8", "surrogateescape")
    if os.path.isabs(target):
        return target
    return posixpath.normpath(posixpath.join(posixpath.dirname(name), target))


def _follow(root: Path, name: str, blobs: dict[str, str]) -> Path | None:
    """The file a committed path is, its symlinks followed within the tree (as the checkout
    would); a link out of the repository is the file it names on disk; None when it leads
    nowhere."""
    for _hop in range(40):  # the kernel's limit on a chain of links
        link = blobs.get(name)
        if link is None:
            return None
        if not link:
            return root / name
        target = _link_target(root, name, link)
        if target is None:
            return None
        if os.path.isabs(target) or target == ".." or target.startswith("../"):
            return Path(os.path.normpath(target if os.path.isabs(target) else root / target))
        name = target
    return None


def show(revision: str, path: Path) -> bytes | None:
    """The file's bytes at the revision; None when the file did not exist then."""
    root, commit = _locate(revision, path)
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    shown = _git(root, "show", f"{commit}:{relative}")
    if shown.returncode != 0:
        return None
    return shown.stdout


def show_committed(revision: str, real: Path, anchor: Path) -> bytes | None:
    """A file files_at found (anchor: a path in the repository): its bytes at the revision, read
    by its committed name (never through the working tree's links); a committed link out of the
    repository reads that file as it is now; None when it is not there."""
    from kpi.datafiles import ReadError, read_regular

    root, commit = _locate(revision, anchor)
    try:
        relative = real.relative_to(root).as_posix()
    except ValueError:
        try:
            return read_regular(real)
        except ReadError:
            return None
    shown = _git(root, "show", f"{commit}:{relative}")
    return shown.stdout if shown.returncode == 0 else None
