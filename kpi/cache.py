"""A cache of validated datasets, so a large plan is parsed and checked once per change.

At 10^5 actuals, parsing and checking the TOML takes about 1.5 s; loading the same dataset
from a pickle takes 0.1 s. An entry is keyed by a hash of both files' bytes, kpi's version,
the model's field layout and the checking code's source, so it can never serve stale data:
any change to either file (or to how kpi reads and checks them) is a miss. Small plans
(under CACHE_MIN_BYTES) skip the cache; they parse faster than a cache could help. Only
data without problems is cached.

The cache lives in $KPI_CACHE_DIR, else $XDG_CACHE_HOME/kpi, else ~/.cache/kpi; one file per
pair of data files. KPI_NO_CACHE=1 turns it off. Any failure to read or write it is ignored:
the cache can only make kpi faster, never wrong or broken.
"""

import os
from pathlib import Path
from typing import Any

from kpi import __version__
from kpi.model import Actual, Kpi, Plan, Sector, Target, Thresholds
from kpi.periods import Period

CACHE_MIN_BYTES = 1_000_000
_LAYOUT = repr([cls._fields for cls in (Plan, Thresholds, Sector, Target, Kpi, Actual, Period)]).encode()


def folder() -> Path | None:
    if os.environ.get("KPI_NO_CACHE"):
        return None
    if explicit := os.environ.get("KPI_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kpi"


def wanted(*contents: bytes | None) -> bool:
    return folder() is not None and sum(len(c) for c in contents if c) >= CACHE_MIN_BYTES


def key(targets: bytes, actuals: bytes | None) -> bytes:
    import hashlib  # hashlib, pickle and tempfile cost 20 ms to import: only for large plans

    digest = hashlib.blake2b(__version__.encode() + b"\0" + _LAYOUT, digest_size=32)
    # The checking code itself: a changed rule must re-check data it once passed.
    for module in ("loader.py", "model.py", "periods.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    for content in (targets, actuals if actuals is not None else b""):
        digest.update(len(content).to_bytes(8, "little"))
        digest.update(content)
    digest.update(b"actuals" if actuals is not None else b"none")
    return digest.hexdigest().encode()


def _entry(targets: Path, actuals: Path) -> Path | None:
    import hashlib

    base = folder()
    if base is None:
        return None
    where = f"{targets.resolve()}\0{actuals.resolve()}".encode()
    return base / (hashlib.blake2b(where, digest_size=16).hexdigest() + ".pickle")


def load(targets: Path, actuals: Path, content_key: bytes) -> Any | None:
    """The cached payload for exactly these contents, or None."""
    import pickle

    entry = _entry(targets, actuals)
    if entry is None:
        return None
    try:
        with open(entry, "rb") as handle:
            if handle.readline().rstrip(b"\n") != content_key:
                return None
            return pickle.load(handle)
    except Exception:  # missing, truncated or from another layout: a miss, never an error
        return None


def store(targets: Path, actuals: Path, content_key: bytes, payload: object) -> None:
    import pickle
    import tempfile

    entry = _entry(targets, actuals)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=entry.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content_key + b"\n")
                pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
