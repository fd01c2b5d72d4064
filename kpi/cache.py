"""A cache of validated datasets, so a large plan is parsed and checked once per change.

At 10^5 actuals, parsing and checking the TOML takes about 1.5 s; loading the same figures
from a pickle takes 0.1 s. There is one entry per file: targets.toml checked, and each
actuals file's figures checked alone (against that targets.toml), so editing one file of a
hundred re-checks that file only; what needs every file at once (a figure two files record,
the figures derived from others) is checked on every run. An entry is keyed by a hash of what
it was made from, kpi's version, the model's field layout and the checking code's source, so
it can never serve stale data: any change to a file (or to how kpi reads and checks it) is a
miss. Small plans (under CACHE_MIN_BYTES in all) skip the cache; they parse faster than a
cache could help. Only files without errors are cached.

The cache lives in $KPI_CACHE_DIR, else $XDG_CACHE_HOME/kpi, else ~/.cache/kpi.
KPI_NO_CACHE=1 turns it off. Any failure to read or write it is ignored: the cache can only
make kpi faster, never wrong or broken.

Threat model: entries are pickles, and unpickling runs code, so an entry is only ever loaded
if it was written by this user's kpi. The folder is created 0700 and used only while it is
owned by the user and writable by no one else; a per-user secret key (32 random bytes, in the
folder, 0600) authenticates every entry with a keyed BLAKE2b MAC over the content key and the
payload, checked before unpickling. Another user who can write to a shared cache folder (or
compute the content key from public data) cannot forge an entry: without the key, the MAC
fails and the entry is a miss. Someone who can read the user's key file can already run code
as that user.
"""

import contextlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kpi import __version__
from kpi.model import Actual, Kpi, Plan, Sector, Target, Thresholds
from kpi.periods import Period

CACHE_MIN_BYTES = 1_000_000
_LAYOUT = repr([cls._fields for cls in (Plan, Thresholds, Sector, Target, Kpi, Actual, Period)]).encode()


_KEY_NAME = "key"
_MAC_BYTES = 32


def folder() -> Path | None:
    if os.environ.get("KPI_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no"):
        return None
    if explicit := os.environ.get("KPI_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kpi"


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    own = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return own and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _safe_folder(create: bool) -> Path | None:
    """The cache folder, when it is this user's alone (created 0700 if asked)."""
    base = folder()
    if base is None:
        return None
    try:
        if create:
            base.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = base.lstat()
    except OSError:
        return None
    return base if stat.S_ISDIR(info.st_mode) and _private(info) else None


def _secret(base: Path, create: bool) -> bytes | None:
    """This user's cache key, created (0600, exclusively) on first use."""
    path = base / _KEY_NAME
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        if not create:
            return None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return None
        secret = os.urandom(32)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secret)
        return secret
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or not _private(info) or info.st_mode & 0o077:
            return None
        secret = handle.read(64)
    if len(secret) == 32:
        return secret
    if create:  # our own key, cut short by a killed first run: start again (entries then miss)
        with contextlib.suppress(OSError):
            path.unlink()
            return _secret(base, create=True)
    return None


def _mac(secret: bytes, content_key: bytes, payload: bytes) -> bytes:
    import hashlib

    mac = hashlib.blake2b(key=secret, digest_size=_MAC_BYTES)
    mac.update(content_key + b"\n")
    mac.update(payload)
    return mac.digest()


def wanted(*contents: bytes | None, share: int = 1) -> bool:
    """Whether contents this large are worth caching (share: a part of a plan, 1/share of it)."""
    return folder() is not None and sum(len(c) for c in contents if c) * share >= CACHE_MIN_BYTES


def key(contents: Sequence[bytes | None], names: Sequence[str] = ()) -> bytes:
    """What a cached result depends on: kpi's version and checking code, the bytes it was made
    from (None: a file that is not there), and the names its problems are reported under
    (targets.toml here, ../targets.toml below)."""
    import hashlib  # hashlib, pickle and tempfile cost 20 ms to import: only for large plans

    digest = hashlib.blake2b(__version__.encode() + b"\0" + _LAYOUT, digest_size=32)
    # The checking code itself: a changed rule must re-check data it once passed.
    for module in (
        "loader.py", "datafiles.py", "fields.py", "loadtargets.py", "loadactuals.py", "schema.py",
        "model.py", "periods.py", "derive.py", "flows.py", "loadorgs.py", "orgs.py", "loadreporting.py",
    ):  # fmt: skip
        digest.update((Path(__file__).parent / module).read_bytes())
    for content in contents:
        if content is None:
            digest.update(b"none")
            continue
        digest.update(len(content).to_bytes(8, "little"))
        digest.update(content)
    for name in names:
        encoded = name.encode("utf-8", "surrogateescape")
        digest.update(len(encoded).to_bytes(8, "little") + encoded)
    return digest.hexdigest().encode()


def _entry(base: Path, slot: str) -> Path:
    import hashlib

    return base / (
        hashlib.blake2b(slot.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest() + ".pickle"
    )


def slot(role: str, *paths: Path) -> str:
    """Where an entry lives: one per role and file (targets.toml; each actuals file of a plan),
    so that an edit to one file replaces that file's entry alone."""
    return "\0".join([role, *(str(p.resolve()) for p in paths)])


def load(where: str, content_key: bytes) -> Any | None:
    """The cached payload for exactly these contents, or None."""
    base = _safe_folder(create=False)
    if base is None:
        return None
    secret = _secret(base, create=False)
    if secret is None:
        return None
    import hmac
    import pickle

    try:
        fd = os.open(_entry(base, where), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or not _private(info):
                return None
            if handle.readline().rstrip(b"\n") != content_key:
                return None
            mac = handle.read(_MAC_BYTES)
            payload = handle.read()
        # Authenticated before anything is unpickled: only this user's kpi wrote it.
        if not hmac.compare_digest(mac, _mac(secret, content_key, payload)):
            return None
        return pickle.loads(payload)
    except Exception:  # missing, truncated or from another layout: a miss, never an error
        return None


def store(where: str, content_key: bytes, payload: object) -> None:
    import pickle
    import tempfile

    base = _safe_folder(create=True)
    secret = None if base is None else _secret(base, create=True)
    if base is None or secret is None:
        return
    from kpi.atomic import remove_stale_temps

    entry = _entry(base, where)
    remove_stale_temps(base, "entry")  # what a run killed while storing left behind
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=base)  # created 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content_key + b"\n")
                handle.write(_mac(secret, content_key, data))
                handle.write(data)
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
