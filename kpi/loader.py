"""Find, read and check the two data files.

Like Beancount's loader, ``load`` never stops at the first mistake: it returns the
dataset built from every entry that is sound, plus a list of every problem found,
so ``kpi validate`` can report them all at once and the other commands can refuse
to assess invalid data.
"""

import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from kpi.datafiles import (
    ACTUALS_NAME,
    TARGETS_NAME,
    DataFiles,
    DataFilesNotFound,
    Pattern,
    ReadError,
    decode,
    expand,
    file_key,
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
    across_files,
)
from kpi.loadorgs import load_orgs, load_unit_targets
from kpi.loadreporting import check_owners, load_owners
from kpi.loadtargets import (
    _load_targets,
)
from kpi.model import Actual, Dataset, Kpi, Owner, Plan, Reporting, Sector, Target, Thresholds
from kpi.orgs import NO_ORGS, Orgs
from kpi.problems import Problem, did_you_mean

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


class Targets(NamedTuple):
    """targets.toml checked: what the actuals are checked against."""

    plan: Plan
    thresholds: Thresholds
    sectors: dict[str, Sector]
    kpis: dict[str, Kpi]
    declared_ids: set[str] | None  # every KPI id written (None: targets.toml did not parse)
    name: str
    text: str | None  # for placing problems on their lines
    orgs: Orgs = NO_ORGS
    orgs_text: tuple[str, str] | None = None  # the orgs file's name and text, when there is one
    unit_targets: dict[tuple[str, str], tuple[Target, ...]] | None = None
    reporting: Reporting | None = None
    owners: dict[str, Owner] | None = None
    owner_rules: tuple[tuple[str, str], ...] = ()


def load(files: DataFiles, with_actuals: bool = True) -> tuple[Dataset, list[Problem]]:
    """Read and check targets.toml and its actuals files (or targets.toml alone); return what is
    sound and every problem.

    In a large plan, each file unchanged since it was last checked without errors comes from
    the cache (kpi/cache.py).
    """
    from kpi import cache

    problems: list[Problem] = []
    targets_bytes = _read_targets(files, problems)
    name = str(files.targets)
    # A targets.toml of thousands of KPIs is worth its own entry; a small one parses faster.
    cached = with_actuals and targets_bytes is not None and cache.wanted(targets_bytes, share=4)
    targets_key = cache.key([targets_bytes], [name]) if cached else b""
    hit = cache.load(cache.slot("targets", files.targets), targets_key) if cached else None
    if hit is not None and not _orgs_unchanged(files, hit[0]):
        hit = None  # the file of units it names changed: check both again
    if hit is not None:
        targets, warnings = hit
        problems += warnings
    else:
        targets = check_targets(targets_bytes, name, problems)
    paths = actuals_files(files, targets.plan, problems) if with_actuals else []
    sources = [
        (str(path), read_bytes(path, problems) if required or os.path.lexists(path) else None)
        for path, required in paths
    ]
    if not cached and with_actuals and targets_bytes is not None:
        cached = cache.wanted(targets_bytes, *(data for _name, data in sources))
        targets_key = cache.key([targets_bytes], [name]) if cached else b""
    # Each actuals file is checked against the units too: their file's text is in its key.
    units_key = targets_key + (targets.orgs_text[1].encode("utf-8") if targets.orgs_text else b"")
    if cached and hit is None and not problems:
        cache.store(cache.slot("targets", files.targets), targets_key, (targets, []))
    per_file = []
    for path, (file, data) in zip(_paths(paths), sources, strict=True):
        if not cached or data is None:
            per_file.append(check_file(targets, file, data, problems))
            continue
        where, file_key = cache.slot("actuals", path, files.targets), cache.key([units_key, data], [file])
        found = cache.load(where, file_key)
        if found is not None:
            figures, warnings = found
            problems += warnings
        else:
            before = len(problems)
            figures = check_file(targets, file, data, problems)
            if all(p.warning for p in problems[before:]):
                cache.store(where, file_key, (figures, problems[before:]))
        per_file.append(figures)
    dataset = combine(targets, per_file, sources, problems, files.targets, _paths(paths))
    return dataset, problems


def _orgs_unchanged(files: DataFiles, targets: "Targets") -> bool:
    """Whether the file of units a cached targets.toml names still holds what it was checked with."""
    if targets.plan.orgs is None:
        return True
    try:
        data = read_regular(files.targets.parent / targets.plan.orgs)
    except ReadError:
        return False
    return targets.orgs_text is not None and data == targets.orgs_text[1].encode("utf-8")


def _paths(paths: list[tuple[Path, bool]]) -> tuple[Path, ...]:
    return tuple(path for path, _required in paths)


def _read_targets(files: DataFiles, problems: list[Problem]) -> bytes | None:
    data = read_bytes(files.targets, problems)
    if data is None and files.targets.name == TARGETS_NAME and not os.path.lexists(files.targets):
        problems[-1] = Problem(
            str(files.targets),
            msg(
                "file not found; kpi init {folder} creates one", folder=shlex.quote(str(files.targets.parent))
            ),
        )
    return data


def actuals_files(files: DataFiles, plan: Plan, problems: list[Problem]) -> list[tuple[Path, bool]]:
    """The actuals files, each with whether it must exist: those given with --actuals, else those
    [files] actuals names (a literal name must exist; a pattern may match nothing yet, with a
    warning), else actuals.toml, which may be missing (a plan without figures)."""
    if files.actuals:  # each file once, however it is named
        seen: set[object] = set()
        given = []
        for path in files.actuals:
            key = file_key(path)
            if key not in seen:
                seen.add(key)
                given.append((path, True))
        return given
    if not plan.actuals:
        return [(files.default, False)]
    matched: set[str] = set()
    found = expand(files.targets.parent, plan.actuals, matched)
    # targets.toml and the file of units are never read as figures, whatever a pattern says.
    other = {file_key(files.targets)}
    if plan.orgs is not None:
        other.add(file_key(files.targets.parent / plan.orgs))
    found = [(path, pattern) for path, pattern in found if file_key(path) not in other]
    if plan.record_to is not None and file_key(files.targets.parent / plan.record_to) in other:
        problems.append(
            Problem(
                str(files.targets),
                msg(
                    'record_to "{file}" is targets.toml or the file of units, never a file of figures',
                    file=plan.record_to,
                ),
                "[files]",
            )
        )
    for pattern in plan.actuals:
        if pattern not in matched and not Pattern(pattern).literal:
            problems.append(
                Problem(
                    str(files.targets),
                    msg('[files] actuals "{pattern}" matches no file', pattern=pattern),
                    warning=True,
                )
            )
    return [(path, Pattern(pattern).literal) for path, pattern in found]


def actuals_at(
    files: DataFiles, plan: Plan, committed: Callable[[tuple[str, ...]], dict[Path, Path]]
) -> list[tuple[Path, Path]]:
    """The actuals files of the plan as committed somewhere, each named as on disk and with the
    file it is there (committed(patterns) maps each committed path the patterns name to that):
    the rule of actuals_files — each file once, targets.toml and the file of units never as
    figures, each pattern's files sorted."""
    if files.actuals:
        return [(path, path) for path in files.actuals]
    if not plan.actuals:
        return [(files.default, files.default)]
    base = files.targets.resolve().parent
    other = {files.targets.resolve()}
    if plan.orgs is not None:
        other.add(Path(os.path.normpath(base / plan.orgs)))
    out: list[tuple[Path, Path]] = []
    seen = set(other)
    for pattern in plan.actuals:
        listing = committed((pattern,))
        for path in sorted(listing):
            real = listing[path]
            if real not in seen:
                seen.add(real)
                # Named as the files on disk are: from targets.toml's folder as given.
                out.append((files.targets.parent / os.path.relpath(path, base), real))
    return out


def check_targets(
    data: bytes | None, name: str, problems: list[Problem], read: Callable[[str], bytes | None] | None = None
) -> Targets:
    """targets.toml's bytes (from disk, or from git) checked, every problem added to problems;
    read(path) gives the bytes of a file it names ([files] orgs), relative to it (default: from
    disk, beside it)."""
    doc = None
    text = None if data is None else decode(data, name, problems)
    if text is not None:
        doc = parse_toml(text, name, problems)
    if doc is None:
        return Targets(Plan(""), Thresholds(), {}, {}, None, name, text)
    declared_ids: set[str] = set()
    report = _Report(name, problems)
    plan, thresholds, sectors, kpis = _load_targets(doc, report, declared_ids)
    orgs, orgs_text = NO_ORGS, None
    if plan.orgs is None:
        orgs = load_orgs(doc, report)
    else:
        orgs, orgs_text = _orgs_file(plan.orgs, name, doc, problems, read)
    unit_targets = load_unit_targets(doc, kpis, orgs, report) if "target" in doc else {}
    reporting, owners, rules = load_owners(doc, report)
    check_owners(kpis, sectors, owners, rules, report)
    if orgs.merges:  # a count of units counts other units after a merger: its series breaks there
        days = tuple(sorted({m.day for m in orgs.merges}))
        kpis = {k: kpi._replace(breaks=days) if kpi.basis == "units" else kpi for k, kpi in kpis.items()}
    return Targets(
        plan, thresholds, sectors, kpis, declared_ids, name, text, orgs, orgs_text, unit_targets,
        reporting, owners, rules,
    )  # fmt: skip


def _orgs_file(
    relative: str,
    targets: str,
    doc: dict[str, Any],
    problems: list[Problem],
    read: Callable[[str], bytes | None] | None,
) -> tuple[Orgs, tuple[str, str] | None]:
    """The organisations of the file [files] orgs names (never with [[org]] tables of its own)."""
    path = Path(targets).parent / relative
    name = str(path)
    if any(key in doc for key in ("org", "merge", "rename")):
        problems.append(
            Problem(
                targets,
                msg("[[org]] tables are in {file} ([files] orgs) and here; keep one place", file=name),
            )
        )
    if read is None:
        data = read_bytes(path, problems)
    else:
        data = read(relative)
        if data is None:
            problems.append(Problem(name, msg("file not found")))
    text = None if data is None else decode(data, name, problems)
    orgs_doc = None if text is None else parse_toml(text, name, problems)
    if orgs_doc is None or text is None:
        return NO_ORGS, None
    report = _Report(name, problems)
    for key in orgs_doc:
        if key not in ("org", "merge", "rename"):
            report.add(
                None,
                msg(
                    'unknown top-level key "{key}"{hint}',
                    key=key,
                    hint=did_you_mean(key, ["org", "merge", "rename"]),
                ),
            )
    return load_orgs(orgs_doc, report), (name, text)


def check_file(targets: Targets, name: str, data: bytes | None, problems: list[Problem]) -> list[Actual]:
    """One actuals file's figures, checked alone against targets.toml (None: not there)."""
    if data is None:
        return []
    text = decode(data, name, problems)
    doc = None if text is None else parse_toml(text, name, problems)
    del text
    if doc is None:
        return []
    # "Unknown KPI" is claimed only against a targets.toml that parsed.
    return _load_actuals(doc, _Report(name, problems), targets.kpis, targets.declared_ids, name, targets.orgs)


def combine(
    targets: Targets,
    per_file: list[list[Actual]],
    sources: list[tuple[str, bytes | None]],
    problems: list[Problem],
    targets_path: Path | None = None,
    actuals_paths: tuple[Path, ...] = (),
) -> Dataset:
    """The dataset from every file's figures: what needs them all at once (a figure two files
    record, figures derived from others), then every problem placed on its line."""
    actuals = per_file[0] if len(per_file) == 1 else [a for figures in per_file for a in figures]
    kpis = targets.kpis
    if len(per_file) > 1:
        problems += across_files(actuals, kpis)
    # The units' figures stay apart: everything below (derived figures, the assessment) reads
    # the plan's own series, which the units' roll-ups complete.
    units = [a for a in actuals if a.org is not None] if targets.orgs.units else []
    if units:
        actuals = [a for a in actuals if a.org is None]
    if targets.declared_ids is not None:
        from kpi.derive import derive

        only = sources[0][0] if len(sources) == 1 else ""
        kpis, actuals, derived = derive(kpis, actuals, targets.name, only, targets.plan.period)
        problems += derived
    rollup = None
    if units and targets.declared_ids is not None:
        from kpi.derive import growth_of_totals, unit_conflicts
        from kpi.rollup import Rollup, national, revision_eves

        problems += unit_conflicts(kpis, units)
        rollup = Rollup(kpis, targets.orgs, actuals, units, targets.thresholds.min_coverage)
        added, disagreements = national(rollup, targets.name)
        # Before each later revision of a unit's figure, the plan's total as it then was: a
        # revision of the total, published when its part was, so --as-of replays it.
        eves = revision_eves(kpis, units)
        by_kpi: dict[str, list[Actual]] = {}
        for a in [*units, *actuals] if eves else ():
            by_kpi.setdefault(a.kpi, []).append(a)
        for day, revised in eves.items():  # only the KPIs revised then
            mine = {k: kpis[k] for k in revised}
            figures = [a for k in revised for a in by_kpi.get(k, ()) if a.org is not None]
            stated = [a for k in revised for a in by_kpi.get(k, ()) if a.org is None]
            earlier = Rollup(mine, targets.orgs, stated, figures, targets.thresholds.min_coverage, day)
            added += national(earlier)[0]
        totals = list(dict.fromkeys(added))
        actuals = [*actuals, *totals, *growth_of_totals(kpis, actuals, totals)]
        problems += disagreements
    dataset = Dataset(
        targets.plan,
        targets.thresholds,
        targets.sectors,
        kpis,
        actuals,
        targets_path,
        actuals_paths,
        targets.orgs,
        units,
        targets.unit_targets or {},
        rollup,
        targets.reporting,
        targets.owners or {},
        targets.owner_rules,
    )
    if targets.reporting is not None or any(k.reporting for k in kpis.values()):
        from kpi.due import frequency_notes

        problems += frequency_notes(dataset)
    if problems:  # only then: a clean run never pays for positions
        from kpi.positions import with_lines

        texts = {targets.name: targets.text} if targets.text is not None else {}
        if targets.orgs_text is not None:
            texts[targets.orgs_text[0]] = targets.orgs_text[1]
        for name, data in sources:
            if data is not None:
                try:
                    texts[name] = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue
        problems[:] = with_lines(problems, texts)
    return dataset


def check_actuals(
    targets: Targets, sources: list[tuple[str, bytes | None]], problems: list[Problem]
) -> Dataset:
    """The dataset from checked targets and the actuals files' bytes (name, bytes; None for a
    file that is not there), every problem added to problems."""
    per_file = [check_file(targets, name, data, problems) for name, data in sources]
    return combine(targets, per_file, sources, problems)


def check(
    targets_bytes: bytes | None, actuals_bytes: bytes | None, files: DataFiles, problems: list[Problem]
) -> Dataset:
    """The dataset from targets.toml's bytes and one actuals file's."""
    targets = check_targets(targets_bytes, str(files.targets), problems)
    name = str(files.actuals[0] if files.actuals else files.default)
    return check_actuals(targets, [(name, actuals_bytes)], problems)


def actuals_from(doc: dict[str, Any], file: str, dataset: Dataset, problems: list[Problem]) -> list[Actual]:
    """Check and build the [[actual]] tables of an already parsed document."""
    return _load_actuals(doc, _Report(file, problems), dataset.kpis, set(dataset.kpis), file, dataset.orgs)
