"""Find, read and check the two data files.

Like Beancount's loader, ``load`` never stops at the first mistake: it returns the
dataset built from every entry that is sound, plus a list of every problem found,
so ``kpi validate`` can report them all at once and the other commands can refuse
to assess invalid data.
"""

import os
import shlex
from typing import Any

from kpi.datafiles import (
    ACTUALS_NAME,
    TARGETS_NAME,
    DataFiles,
    DataFilesNotFound,
    ReadError,
    decode,
    locate,
    parse_toml,
    read_bytes,
    read_regular,
)
from kpi.fields import (
    _Report,
    bounds_problem,
    field_problem,
)
from kpi.i18n import msg
from kpi.loadactuals import (
    _load_actuals,
)
from kpi.loadtargets import (
    _load_targets,
)
from kpi.model import Actual, Dataset, Plan, Thresholds
from kpi.problems import Problem

# The loader's API: what the rest of kpi reads the data files with.
__all__ = [
    "ACTUALS_NAME",
    "TARGETS_NAME",
    "DataFiles",
    "DataFilesNotFound",
    "ReadError",
    "actuals_from",
    "bounds_problem",
    "check",
    "decode",
    "field_problem",
    "load",
    "locate",
    "read_regular",
]


def load(files: DataFiles, with_actuals: bool = True) -> tuple[Dataset, list[Problem]]:
    """Read and check both files (or only targets.toml); return what is sound and every problem.

    A large plan whose files are unchanged since the last clean load comes from the cache.
    """
    from kpi import cache

    problems: list[Problem] = []
    targets_bytes = read_bytes(files.targets, problems)
    if (
        targets_bytes is None
        and files.targets.name == TARGETS_NAME  # what kpi init writes
        and not os.path.lexists(files.targets)
    ):
        problems[-1] = Problem(
            str(files.targets),
            msg(
                "file not found; kpi init {folder} creates one", folder=shlex.quote(str(files.targets.parent))
            ),
        )
    actuals_bytes = None
    if with_actuals and (files.actuals_required or os.path.lexists(files.actuals)):
        actuals_bytes = read_bytes(files.actuals, problems)
    content_key = None
    if (
        targets_bytes is not None
        and not problems
        and with_actuals
        and cache.wanted(targets_bytes, actuals_bytes)
    ):
        content_key = cache.key(targets_bytes, actuals_bytes, (str(files.targets), str(files.actuals)))
        hit = cache.load(files.targets, files.actuals, content_key)
        if hit is not None:
            plan, thresholds, sectors, kpis, cached, warnings = hit
            return Dataset(plan, thresholds, sectors, kpis, cached, files.targets, files.actuals), warnings

    dataset = check(targets_bytes, actuals_bytes, files, problems)
    if content_key is not None and all(p.warning for p in problems):
        # The parsed documents go before pickling: the run's peak memory stays that of a parse.
        targets_bytes = actuals_bytes = None
        payload = (dataset.plan, dataset.thresholds, dataset.sectors, dataset.kpis, dataset.actuals, problems)
        cache.store(files.targets, files.actuals, content_key, payload)
    return dataset, problems


def check(
    targets_bytes: bytes | None, actuals_bytes: bytes | None, files: DataFiles, problems: list[Problem]
) -> Dataset:
    """The dataset from the two files' bytes (however they were read: from disk, or from git),
    with every problem added to problems."""
    targets_doc = actuals_doc = None
    if targets_bytes is not None:
        text = decode(targets_bytes, str(files.targets), problems)
        targets_doc = None if text is None else parse_toml(text, str(files.targets), problems)
    declared_ids: set[str] | None = None
    if targets_doc is not None:
        declared_ids = set()
        report = _Report(str(files.targets), problems)
        plan, thresholds, sectors, kpis = _load_targets(targets_doc, report, declared_ids)
    else:
        plan, thresholds, sectors, kpis = Plan(""), Thresholds(), {}, {}
    actuals: list[Actual] = []
    if actuals_bytes is not None:
        text = decode(actuals_bytes, str(files.actuals), problems)
        actuals_doc = None if text is None else parse_toml(text, str(files.actuals), problems)
        if actuals_doc is not None:
            # "Unknown KPI" is claimed only against a targets.toml that parsed.
            actuals = _load_actuals(actuals_doc, _Report(str(files.actuals), problems), kpis, declared_ids)
    if targets_doc is not None:
        from kpi.derive import derive

        kpis, actuals, derived = derive(kpis, actuals, str(files.targets), str(files.actuals), plan.period)
        problems += derived
    del targets_doc, actuals_doc  # the parsed documents go: peak memory stays that of a parse
    if problems:  # only then: a clean run never pays for positions
        from kpi.positions import with_lines

        texts = {}
        for name, data in ((str(files.targets), targets_bytes), (str(files.actuals), actuals_bytes)):
            if data is not None:
                try:
                    texts[name] = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue
        problems[:] = with_lines(problems, texts)
    return Dataset(plan, thresholds, sectors, kpis, actuals, files.targets, files.actuals)


def actuals_from(doc: dict[str, Any], file: str, dataset: Dataset, problems: list[Problem]) -> list[Actual]:
    """Check and build the [[actual]] tables of an already parsed document."""
    return _load_actuals(doc, _Report(file, problems), dataset.kpis, set(dataset.kpis))
