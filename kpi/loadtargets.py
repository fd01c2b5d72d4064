"""targets.toml checked and built: the plan, the assessment settings, the sectors and the KPIs with
their targets."""

from typing import Any

from kpi import schema
from kpi.fields import (
    ASSESSMENT_FIELDS,
    FILES_FIELDS,
    KPI_FIELDS,
    KPI_ID,
    PLAN_FIELDS,
    PLAN_PERIOD,
    SECTOR_FIELDS,
    SECTOR_ID,
    TARGET_FIELDS,
    _array,
    _finite,
    _fmt,
    _is_number,
    _kind,
    _period,
    _Report,
    _table,
    bounds_problem,
)
from kpi.i18n import msg
from kpi.loadreporting import assignments_of, reporting_of
from kpi.model import Aggregate, Kpi, Plan, Sector, Target, Thresholds
from kpi.problems import did_you_mean


def _load_targets(
    doc: dict[str, Any], report: _Report, declared_ids: set[str]
) -> tuple[Plan, Thresholds, dict[str, Sector], dict[str, Kpi]]:
    known = {
        "plan": _table,
        "assessment": _table,
        "files": _table,
        "sectors": _table,
        "kpi": _array,
        "org": _array,
        "merge": _array,
        "rename": _array,
        "target": _array,
        "reporting": _table,
        "owners": _table,
        "owner_rule": _array,
    }
    for key, value in doc.items():
        if key not in known:
            report.add(
                None, msg('unknown top-level key "{key}"{hint}', key=key, hint=did_you_mean(key, known))
            )
        elif (wanted := known[key](value)) is not None:
            hint = msg(" (write [[{key}]] tables)", key=key) if known[key] is _array else ""
            report.add(
                None,
                msg(
                    '"{key}" must be {wanted}, not {found}{hint}',
                    key=key,
                    wanted=wanted,
                    found=_kind(value),
                    hint=hint,
                ),
            )

    plan = Plan(name="")
    raw_plan = doc.get("plan")
    if raw_plan is None:
        report.add(None, msg('missing the [plan] table (it needs at least name = "...")'))
    elif isinstance(raw_plan, dict) and report.fields(
        raw_plan, PLAN_FIELDS, schema.REQUIRED["plan"], "[plan]"
    ):
        period = raw_plan.get("period")
        if period is not None and not PLAN_PERIOD.match(period):
            report.add("[plan]", msg('period "{period}" must look like "2021-2025"', period=period))
        plan = Plan(raw_plan["name"], period, raw_plan.get("name_en"), raw_plan.get("lang"))
    raw_files = doc.get("files")
    if isinstance(raw_files, dict):
        plan = plan._replace(**_files(raw_files, report))

    thresholds = Thresholds()
    raw_bands = doc.get("assessment")
    if isinstance(raw_bands, dict) and report.fields(raw_bands, ASSESSMENT_FIELDS, (), "[assessment]"):
        on_track = float(raw_bands.get("on_track", thresholds.on_track))
        acceleration = float(raw_bands.get("acceleration_needed", thresholds.acceleration_needed))
        base = _period(report, "[assessment]", raw_bands.get("base_period"), "base_period")
        coverage = float(raw_bands.get("min_coverage", thresholds.min_coverage))
        if not 0 < coverage <= 1:
            report.add(
                "[assessment]", msg("min_coverage {value} must be above 0 and at most 1", value=str(coverage))
            )
        elif not 0 <= acceleration <= on_track:
            report.add(
                "[assessment]",
                msg(
                    "need 0 <= acceleration_needed ({acceleration}) <= on_track ({on_track})",
                    acceleration=str(acceleration),
                    on_track=str(on_track),
                ),
            )
        else:
            thresholds = Thresholds(
                on_track,
                acceleration,
                raw_bands.get("method", "linear"),
                base,
                raw_bands.get("grade_without_target", False),
                coverage,
            )

    sectors: dict[str, Sector] = {}
    raw_sectors = doc.get("sectors")
    if isinstance(raw_sectors, dict):
        for sector_id, raw in raw_sectors.items():
            path = f"[sectors.{sector_id}]"
            if not SECTOR_ID.match(sector_id):
                report.add(path, msg('sector id "{id}" must match [a-z][a-z0-9_]*', id=sector_id))
                continue
            if not isinstance(raw, dict):
                report.add(path, msg("must be a table, not {found}", found=_kind(raw)))
                continue
            if report.fields(raw, SECTOR_FIELDS, schema.REQUIRED["sector"], path):
                sectors[sector_id] = Sector(sector_id, raw["name"], raw.get("name_en"), raw.get("owner"))

    kpis: dict[str, Kpi] = {}
    first_index: dict[str, int] = {}
    raw_kpis = doc.get("kpi")
    if isinstance(raw_kpis, list):
        declared = set(raw_sectors) if isinstance(raw_sectors, dict) else set()
        for index, raw in enumerate(raw_kpis, 1):
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                declared_ids.add(raw["id"])
            kpi = _load_kpi(raw, index, declared, report)
            if kpi is None:
                continue
            if kpi.id in kpis:
                report.add(
                    f'kpi "{kpi.id}" (kpi[{index}])',
                    msg("duplicate KPI id: already declared at kpi[{n}]", n=str(first_index[kpi.id])),
                )
                continue
            kpis[kpi.id] = kpi
            first_index[kpi.id] = index
        _check_derivations(kpis, first_index, report)
        _check_aggregates(kpis, first_index, report, declared_ids)
    return plan, thresholds, sectors, kpis


def _files(raw: dict[str, Any], report: _Report) -> dict[str, Any]:
    """[files]: the actuals patterns (each checked) and record_to, which must be a file they name."""
    from kpi.datafiles import names, pattern_problem

    if not report.fields(raw, FILES_FIELDS, (), "[files]"):
        return {}
    given = raw.get("actuals", ())
    patterns = [given] if isinstance(given, str) else list(given)
    sound = []
    for pattern in patterns:
        wrong = pattern_problem(pattern)
        if wrong is None:
            sound.append(pattern)
        else:
            report.add("[files]", msg("actuals {problem}", problem=wrong))
    out: dict[str, Any] = {"actuals": tuple(sound) if "actuals" in raw else ()}
    orgs = raw.get("orgs")
    if orgs is not None:
        wrong = pattern_problem(orgs)
        if wrong is not None:
            report.add("[files]", msg("orgs {problem}", problem=wrong))
        else:
            out["orgs"] = orgs
    record_to = raw.get("record_to")
    if record_to is not None:
        wrong = pattern_problem(record_to)
        listed = out["actuals"] or ("actuals.toml",)
        if wrong is not None:
            report.add("[files]", msg("record_to {problem}", problem=wrong))
        elif any(c in record_to for c in "*?["):
            report.add("[files]", msg('record_to "{file}" must name one file, not a pattern', file=record_to))
        elif not names(record_to, listed):
            report.add(
                "[files]",
                msg(
                    'record_to "{file}" is not one of the actuals files ({patterns}): '
                    "a figure written there would not count",
                    file=record_to,
                    patterns=", ".join(listed),
                ),
            )
        else:
            out["record_to"] = record_to
    return out


# Units that name a share or a rank: summing them across units is almost always a mistake.
_NOT_SUMMED = ("%", "%/năm", "hạng", "nhóm", "điểm")


def _check_aggregates(
    kpis: dict[str, Kpi], first_index: dict[str, int], report: _Report, declared: set[str]
) -> None:
    """A ratio's or mean's KPIs exist and do not combine each other in a loop; a sum of
    percentages or ranks is flagged."""
    for cycle in _aggregate_cycles(kpis):
        first = cycle[0]
        report.add(
            f'kpi "{first}" (kpi[{first_index[first]}])',
            msg("aggregate makes a cycle: {chain}", chain=" → ".join(cycle)),
        )
        for member in cycle[:-1]:
            kpis.pop(member, None)
    for kpi in list(kpis.values()):
        path = f'kpi "{kpi.id}" (kpi[{first_index[kpi.id]}])'
        if kpi.id in kpi.aggregate.kpis:
            report.add(path, msg("aggregate names the KPI itself; a ratio or mean combines other KPIs"))
        for other in kpi.aggregate.kpis:
            if other in declared and other not in kpis:
                report.add(
                    path, msg('aggregate names KPI "{kpi}", which has problems of its own (above)', kpi=other)
                )
            elif other not in kpis and other != kpi.id:
                report.add(
                    path,
                    msg(
                        'aggregate names an unknown KPI "{kpi}"{hint}',
                        kpi=other,
                        hint=did_you_mean(other, kpis),
                    ),
                )
        if kpi.org_targets == "inherit" and kpi.aggregate.rule == "sum":
            report.add(
                path,
                msg(
                    "org_targets = \"inherit\" on a sum: the plan's target for the total is no unit's "
                    "target; set units' targets with [[target]] tables"
                ),
            )
        if kpi.aggregate.rule == "sum" and (kpi.unit in _NOT_SUMMED or kpi.unit.startswith("%")):
            report.warn(
                path,
                msg(
                    'aggregate = "sum" adds up "{unit}" across units; a share is a ratio of sums '
                    '({{ ratio = ["num", "den"], factor = 100 }}) and a rank does not combine',
                    unit=kpi.unit,
                ),
            )


def _aggregate_cycles(kpis: dict[str, Kpi]) -> list[list[str]]:
    """Each loop of ratios and means that combine each other (a ratio of a ratio of itself),
    whose roll-ups would each need the other's first; one depth-first pass over them all."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []
    for root in kpis:
        if root in state:
            continue
        path, stack = [root], [iter(kpis[root].aggregate.kpis)]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif nxt in kpis and nxt != path[-1]:  # naming itself is said on its own
                if state.get(nxt) == 1:
                    cycles.append([*path[path.index(nxt) :], nxt])
                elif nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append(iter(kpis[nxt].aggregate.kpis))
    return cycles


def _check_derivations(kpis: dict[str, Kpi], first_index: dict[str, int], report: _Report) -> None:
    """A KPI derived from another names one that exists, and no chain of them loops."""
    for kpi in list(kpis.values()):
        source = kpi.derived_from
        if source is None:
            continue
        path = f'kpi "{kpi.id}" (kpi[{first_index[kpi.id]}])'
        if source not in kpis:
            report.add(
                path,
                msg(
                    'derived_from names an unknown KPI "{kpi}"{hint}',
                    kpi=source,
                    hint=did_you_mean(source, kpis),
                ),
            )
            del kpis[kpi.id]
            continue
        seen = [kpi.id]
        while source is not None and source in kpis and source not in seen:
            seen.append(source)
            source = kpis[source].derived_from
        if source is not None and source in seen:
            report.add(path, msg("derived_from makes a cycle: {chain}", chain=" → ".join([*seen, source])))
            del kpis[kpi.id]


def _load_kpi(raw: object, index: int, sectors: set[str], report: _Report) -> Kpi | None:
    if not isinstance(raw, dict):
        report.add(f"kpi[{index}]", msg("must be a table, not {found}", found=_kind(raw)))
        return None
    kpi_id = raw.get("id")
    path = f'kpi "{kpi_id}" (kpi[{index}])' if isinstance(kpi_id, str) else f"kpi[{index}]"
    ok = report.fields(raw, KPI_FIELDS, schema.REQUIRED["kpi"], path)
    if isinstance(kpi_id, str) and not KPI_ID.match(kpi_id):
        report.add(path, msg('id "{id}" must use only a-z, 0-9, "_", "." and "-"', id=kpi_id))
        ok = False
    sector = raw.get("sector")
    if isinstance(sector, str) and sector not in sectors:
        hint = did_you_mean(sector, sectors)
        choices = ", ".join(sorted(sectors)) or msg("none declared")
        report.add(
            path,
            msg(
                'sector "{sector}" is not declared under [sectors]{hint}',
                sector=sector,
                hint=hint or msg(" (declared: {choices})", choices=choices),
            ),
        )
        ok = False
    has_targets = bool(raw.get("targets")) or "baseline" in raw
    if has_targets and "direction" not in raw:
        report.add(path, msg('missing "direction" ("up" or "down"): it decides what meeting a target means'))
        ok = False
    direction = raw.get("direction", "up")
    trend = raw.get("trend", "linear")
    base_period = _period(report, path, raw.get("base_period"), "base_period")
    if "base_period" in raw and base_period is None:
        ok = False
    if raw.get("measure") == "flow" and raw.get("direction") == "down":
        report.add(
            path,
            msg('a flow is judged on the amount reached so far: direction = "down" flows are not supported'),
        )
        ok = False
    if ("derived_from" in raw) != ("formula" in raw):
        report.add(
            path,
            msg('"derived_from" and "formula" go together: formula = "growth", derived_from = "a KPI id"'),
        )
        ok = False
    low = float(raw["min"]) if _is_number(raw.get("min")) and _finite(raw["min"]) else None
    high = float(raw["max"]) if _is_number(raw.get("max")) and _finite(raw["max"]) else None
    if low is not None and high is not None and low > high:
        report.add(path, msg("min ({low}) is greater than max ({high})", low=str(low), high=str(high)))
        ok = False

    def check_value(value: object, where: str) -> bool:
        if not _is_number(value) or not _finite(value):
            return False
        wrong = bounds_problem(None, float(value), low, high, trend == "compound")
        if wrong is not None:
            report.add(path, msg("{where} {value} {problem}", where=where, value=_fmt(value), problem=wrong))
            return False
        return True

    def load_point(raw_point: object, where: str) -> Target | None:
        if not isinstance(raw_point, dict):
            report.add(
                path,
                msg(
                    '{where} must be a table such as {{ period = "2025", value = 80 }}, not {found}',
                    where=where,
                    found=_kind(raw_point),
                ),
            )
            return None
        good = report.fields(raw_point, TARGET_FIELDS, schema.REQUIRED["target"], path, prefix=f"{where}.")
        period = _period(report, path, raw_point.get("period"), f"{where}.period")
        value = raw_point.get("value")
        label = f"{where} ({raw_point.get('period')})"
        good = check_value(value, label + " value") and good
        stretch = raw_point.get("stretch")
        if stretch is not None and _is_number(stretch) and _finite(stretch) and _is_number(value):
            good = check_value(stretch, label + " stretch") and good
            beyond = stretch > value if direction == "up" else stretch < value
            if direction in ("up", "down") and not beyond:
                if direction == "up":
                    wrong = msg(
                        '{label} stretch {stretch} must be above its value {value} for direction = "up"',
                        label=label, stretch=_fmt(stretch), value=_fmt(value),
                    )  # fmt: skip
                else:
                    wrong = msg(
                        '{label} stretch {stretch} must be below its value {value} for direction = "down"',
                        label=label, stretch=_fmt(stretch), value=_fmt(value),
                    )  # fmt: skip
                report.add(path, wrong)
                good = False
        if not good or period is None:
            return None
        return Target(
            period,
            float(value),  # type: ignore[arg-type]
            float(stretch) if stretch is not None else None,
            raw_point.get("source"),
            raw_point.get("quote"),
            raw_point.get("note"),
            bool(raw_point.get("derived", False)),
        )

    baseline = None
    if isinstance(raw.get("baseline"), dict):
        baseline = load_point(raw["baseline"], "baseline")
        ok = ok and baseline is not None
    targets: list[Target] = []
    if isinstance(raw.get("targets"), list):
        seen: dict[Any, str] = {}  # date -> the period that target was written for
        for n, raw_target in enumerate(raw["targets"], 1):
            target = load_point(raw_target, f"targets[{n}]")
            if target is None:
                ok = False
                continue
            if target.date in seen:
                report.add(
                    path,
                    msg(
                        'two targets for one period: targets[{n}] ("{period}") and the one for "{other}"',
                        n=str(n),
                        period=target.period.text,
                        other=seen[target.date],
                    ),
                )
                ok = False
                continue
            seen[target.date] = target.period.text
            targets.append(target)
        targets.sort(key=lambda t: t.date)
    if baseline is not None and targets and baseline.date >= targets[0].date:
        report.add(
            path,
            msg(
                'baseline period "{period}" must be before the first target ("{first}")',
                period=baseline.period.text,
                first=targets[0].period.text,
            ),
        )
        ok = False
    if not ok:
        return None
    return Kpi(
        id=raw["id"],
        sector=raw["sector"],
        name=raw["name"],
        unit=raw["unit"],
        direction=direction,
        trend=trend,
        name_en=raw.get("name_en"),
        unit_en=raw.get("unit_en"),
        min=low,
        max=high,
        baseline=baseline,
        targets=tuple(targets),
        source=raw.get("source"),
        quote=raw.get("quote"),
        note=raw.get("note"),
        position=index,
        method=raw.get("method"),
        base_period=base_period,
        measure=raw.get("measure", "level"),
        derived_from=raw.get("derived_from"),
        formula=raw.get("formula"),
        aggregate=_aggregate(raw.get("aggregate")),
        basis=raw.get("basis"),
        org_targets=raw.get("org_targets"),
        owners=assignments_of(raw, report, path),
        reporting=reporting_of(raw, report, path),
    )


def _aggregate(raw: object) -> Aggregate:
    """The aggregate a KPI writes (its type already checked), as the model holds it."""
    if isinstance(raw, dict) and "ratio" in raw:
        return Aggregate("ratio", tuple(raw["ratio"]), float(raw.get("factor", 1)))
    if isinstance(raw, dict):
        return Aggregate("mean", (raw["mean"],))
    return Aggregate("sum") if raw == "sum" else Aggregate()
