"""Time kpi's commands as whole processes against the cost of just parsing the data.

    python benchmarks/run.py            # print the table
    python benchmarks/run.py --check    # exit 1 when a budget is missed
    python benchmarks/run.py --large    # also 100,000 KPIs (10^6 figures, 146 MB; minutes)

Data sizes: the bundled plan, and seeded synthetic plans of 1,000 and 10,000 KPIs with 10
actuals each (100,000 KPIs with --large); at 10,000 KPIs also the same figures split over 100
actuals files ([files] actuals = "actuals/*.toml"). Each command runs several times (median
wall time; peak RSS from wait4), side by side in the same run with its floors:

    floor A: python -c "import click, tomli" + parsing every data file with tomli
    floor B: floor A + import rich.console, rich.table

At 10,000 KPIs kpi's dataset cache serves every run after the first; the rows marked
"(no cache)" show the same commands with KPI_NO_CACHE=1, parsing and checking every time, as a
first run, a CI job or a fresh clone's pre-commit hook does. The peers' rows check the same
figures as a Beancount ledger (bean-check) and an hledger journal (benchmarks/peers.py); a peer
that is not installed is skipped with a note.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import peers

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KPI = str(BIN / "kpi") if (BIN / "kpi").exists() else shutil.which("kpi") or "kpi"

FLOOR_A = "import click, tomli\nfor p in {files!r}:\n    tomli.loads(open(p, encoding='utf-8').read())"
FLOOR_B = FLOOR_A + "\nimport rich.console, rich.table"

SECTORS = ["postal", "telecom", "digital", "cybersecurity", "ict", "media"]
WORDS = [
    "tỷ",
    "lệ",
    "hộ",
    "gia",
    "đình",
    "sử",
    "dụng",
    "cáp",
    "quang",
    "doanh",
    "thu",
    "dịch",
    "vụ",
    "bưu",
    "chính",
    "viễn",
    "thông",
    "xếp",
    "hạng",
]


def generate(folder: Path, kpis: int, actuals_per_kpi: int, seed: int = 2025) -> None:
    """A synthetic plan shaped like the real one: ranks, percentages, compound revenues."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    t = ['[plan]\nname = "Synthetic plan"\nperiod = "2021-2025"\n']
    for s in SECTORS:
        t.append(f'[sectors.{s}]\nname = "{s.title()}"\nname_en = "{s.title()}"\n')
    a = []
    for n in range(kpis):
        sector = SECTORS[n % len(SECTORS)]
        kind = n % 3  # 0: percentage up, 1: rank down, 2: compound revenue
        name = " ".join(rng.choice(WORDS) for _ in range(6))
        kid = f"{sector}.kpi_{n:05d}"
        if kind == 0:
            start, t21, t25 = rng.uniform(20, 60), rng.uniform(60, 70), rng.uniform(70, 100)
            spec = 'unit = "%"\ndirection = "up"\nmin = 0\nmax = 100\n'
            step = rng.uniform(-2, 6)
        elif kind == 1:
            start, t21, t25 = rng.uniform(80, 120), rng.uniform(60, 80), rng.uniform(30, 60)
            spec = 'unit = "hạng"\ndirection = "down"\nmin = 1\n'
            step = rng.uniform(-6, 2)
        else:
            start, t21, t25 = rng.uniform(1e4, 5e4), 6e4, 1.2e5
            spec = 'unit = "tỷ đồng"\ndirection = "up"\ntrend = "compound"\nmin = 0\n'
            step = start * rng.uniform(0.02, 0.15)
        t.append(
            f'[[kpi]]\nid = "{kid}"\nsector = "{sector}"\nname = "{name}"\nname_en = "KPI {n}"\n{spec}'
            f'targets = [{{ period = "2021", value = {t21:.2f} }}, '
            f'{{ period = "2025", value = {t25:.2f} }}]\n'
            f'source = "plan.txt"\nquote = "{name} năm 2025 đạt {t25:.2f}"\n'
        )
        for m in range(actuals_per_kpi):
            year, month = 2016 + m * 9 // 12, 1 + (m * 9) % 12
            value = max(start + step * m * 0.75, 1.0)
            if kind == 0:
                value = min(value, 100.0)
            estimated = "estimated = true\n" if m % 4 == 0 else ""
            published = f"published = {year + 1}-01-15\n" if m % 2 == 0 else ""
            a.append(
                f'[[actual]]\nkpi = "{kid}"\nperiod = "{year}-{month:02d}"\nvalue = {value:.2f}\n'
                f'{estimated}{published}source = "report-{year}.txt"\nquote = "ước đạt {value:.2f}"\n'
            )
    (folder / "targets.toml").write_text("\n".join(t), encoding="utf-8")
    (folder / "actuals.toml").write_text("\n".join(a), encoding="utf-8")


@dataclass
class Timing:
    median: float
    rss_mb: float


def generate_provinces(folder: Path, kpis: int = 61, seed: int = 2025) -> None:
    """The bundled plan's shape per province: 61 summed KPIs, a figure per province and quarter
    from 2021 to 2026, for the 63 former units until mid-2025 and the 34 after (~8·10^4)."""
    import tomllib

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    orgs_text = (REPO / "kpi" / "orgfiles" / "vn-provinces.toml").read_text(encoding="utf-8")
    (folder / "vn-provinces.toml").write_text(orgs_text, encoding="utf-8")
    orgs = tomllib.loads(orgs_text)["org"]
    before = [o["id"] for o in orgs if o.get("parent") and "valid_from" not in o]
    after = [o["id"] for o in orgs if o.get("parent") and "valid_until" not in o]
    t = ['[plan]\nname = "Provinces"\nperiod = "2021-2025"\n\n[files]\norgs = "vn-provinces.toml"\n']
    t.append('[sectors.t]\nname = "Viễn thông"\n')
    for n in range(kpis):
        t.append(
            f'[[kpi]]\nid = "t.k{n:02d}"\nsector = "t"\nname = "KPI {n}"\nunit = "thuê bao"\n'
            f'direction = "up"\nmin = 0\naggregate = "sum"\n'
            f'targets = [{{ period = "2025", value = {rng.randint(5000, 9000)} }}]\n'
        )
    a = []
    for year in range(2021, 2027):
        for quarter in range(1, 5):
            units = before if (year, quarter) <= (2025, 2) else after
            for n in range(kpis):
                for unit in units:
                    a.append(
                        f'[[actual]]\nkpi = "t.k{n:02d}"\norg = "{unit}"\nperiod = "{year}-Q{quarter}"\n'
                        f'value = {rng.randint(50, 200)}\nsource = "sở {unit}"\n'
                    )
    (folder / "targets.toml").write_text("\n".join(t), encoding="utf-8")
    (folder / "actuals.toml").write_text("\n".join(a), encoding="utf-8")


def split(source: Path, folder: Path, files: int) -> None:
    """The plan in source with its figures split over files actuals files, by KPI (a unit's or a
    province's figures in their own file), named by [files] in targets.toml."""
    folder.mkdir(parents=True)
    (folder / "actuals").mkdir()
    targets = (source / "targets.toml").read_text(encoding="utf-8")
    (folder / "targets.toml").write_text(
        '[files]\nactuals = "actuals/*.toml"\n\n' + targets, encoding="utf-8"
    )
    tables = (source / "actuals.toml").read_text(encoding="utf-8").split("[[actual]]\n")[1:]
    per_file = -(-len(tables) // files)
    for n in range(files):
        chunk = tables[n * per_file : (n + 1) * per_file]
        text = "".join("[[actual]]\n" + t for t in chunk)
        (folder / "actuals" / f"{n:03d}.toml").write_text(text, encoding="utf-8")


def data_files(folder: Path) -> list[str]:
    actuals = (
        sorted(str(p) for p in (folder / "actuals").glob("*.toml")) if (folder / "actuals").is_dir() else []
    )
    return [str(folder / "targets.toml"), *(actuals or [str(folder / "actuals.toml")])]


@dataclass
class Job:
    argv: list[str]
    cwd: Path
    prepare: Callable[[], None] | None = None  # before each run (kpi record writes; an edit)
    env: dict[str, str] | None = None
    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)

    def run_once(self) -> None:
        if self.prepare is not None:
            self.prepare()
        start = time.perf_counter()
        env = {**os.environ, **(self.env or {})}
        proc = subprocess.Popen(
            self.argv, cwd=self.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None and proc.stderr is not None
        # Read and dropped as it comes: held here, 10^2 MB of JSON would grow this process, and
        # a child forked later counts this process's pages in its peak RSS.
        while proc.stdout.read(1 << 20):
            pass
        _, status, usage = os.wait4(proc.pid, 0)
        self.times.append(time.perf_counter() - start)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(self.argv)} failed ({code}): {proc.stderr.read().decode()}")
        self.peaks.append(usage.ru_maxrss / 1024)

    @property
    def timing(self) -> Timing:
        return Timing(statistics.median(self.times), max(self.peaks))


def _copier(source: Path, target: Path) -> Callable[[], None]:
    """Before each run, the file as it was (kpi record writes to it)."""
    return lambda: shutil.copyfile(source, target) and None


def _edit_one(path: Path) -> Callable[[], None]:
    """Before each run, one file of the hundred changes (a comment is added): the cache serves
    the 99 others, and what spans files is checked again."""
    runs = [0]

    def edit() -> None:
        runs[0] += 1
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"# edit {runs[0]}\n")

    return edit


def measure_round_robin(jobs: dict[str, Job], runs: int) -> dict[str, Timing]:
    """Run every job once per round, so floors and commands share the machine's noise."""
    for _ in range(runs):
        for job in jobs.values():
            job.run_once()
    return {name: job.timing for name, job in jobs.items()}


# (size, command): (floor, time ratio budget, peak RSS ratio budget or None)
BUDGETS: dict[tuple[str, str], tuple[str, float, float | None]] = {
    ("bundled", "kpi validate"): ("A", 1.25, None),
    ("bundled", "kpi status"): ("B", 1.5, None),
    ("bundled", "kpi --help"): ("A", 1.2, None),
    ("10k", "kpi validate"): ("A", 1.5, 2.0),
    ("10k", "kpi status --format json"): ("A", 1.5, 2.0),
    ("10k", "kpi gap --format json"): ("A", 1.5, 2.0),
    ("10k", "kpi status"): ("B", 2.0, None),
    ("10k", "kpi record"): ("A", 1.5, None),
    # Issue 18: the uncached path at the parse floor.
    ("10k", "kpi validate (no cache)"): ("A", 1.1, 1.5),
    ("10k", "kpi status --format json (no cache)"): ("A", 1.1, 1.5),
    ("10k", "kpi gap --format json (no cache)"): ("A", 1.1, 1.5),
    ("10k", "kpi status (no cache)"): ("B", 1.1, 1.5),
    ("10k×100 files", "kpi validate (no cache)"): ("A", 1.1, 1.5),
    ("100k", "kpi validate (no cache)"): ("A", 1.2, 2.0),
    ("100k", "kpi status --format json (no cache)"): ("A", 1.2, 2.0),
    # Issue 20: the roll-ups cost a fraction of reading the figures.
    ("provinces", "kpi status --by org (no cache)"): ("kpi validate (no cache)", 1.5, None),
    ("provinces", "kpi status --by org --kpi (no cache)"): ("kpi validate (no cache)", 1.5, None),
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument("--runs", type=int, default=9, help="rounds at the small sizes (default 9)")
    parser.add_argument("--large-runs", type=int, default=5, help="rounds at 10,000 KPIs (default 5)")
    parser.add_argument("--large", action="store_true", help="also 100,000 KPIs (10^6 figures)")
    parser.add_argument("--huge-runs", type=int, default=1, help="rounds at 100,000 KPIs (default 1)")
    parser.add_argument("--generate", nargs=3, metavar=("DIR", "KPIS", "PER_KPI"), help=argparse.SUPPRESS)
    parser.add_argument("--peers-data", nargs=2, metavar=("PLAN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--split", nargs=2, metavar=("PLAN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--provinces", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        folder, kpis, per_kpi = args.generate
        generate(Path(folder), int(kpis), int(per_kpi))
        return 0
    if args.provinces:
        generate_provinces(Path(args.provinces))
        return 0
    if args.split:
        split(Path(args.split[0]), Path(args.split[1]), 100)
        return 0
    if args.peers_data:
        peers.write(Path(args.peers_data[0]), Path(args.peers_data[1]))
        return 0
    # Byte-compile kpi as an installed package would be: with PYTHONDONTWRITEBYTECODE set (as on
    # CI machines), an editable install would otherwise compile its sources on every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "kpi")], check=True)
    work = Path(tempfile.mkdtemp(prefix="kpi-bench-"))
    os.environ["KPI_CACHE_DIR"] = str(work / "cache")  # start empty, leave the user's alone
    sizes = {"bundled": REPO, "1k": work / "1k", "10k": work / "10k", "10k×100 files": work / "10k-files"}
    generated = [("1k", 1_000), ("10k", 10_000)] + ([("100k", 100_000)] if args.large else [])
    if args.large:
        sizes["100k"] = work / "100k"
    for size, count in generated:
        # In a child process: the generated text would otherwise inflate this process, and with it
        # the peak RSS wait4 reports for every child forked from it.
        subprocess.run(
            [sys.executable, __file__, "--generate", str(sizes[size]), str(count), "10"], check=True
        )
    # In child processes too, for the same reason.
    for option, out in (("--split", sizes["10k×100 files"]), ("--peers-data", work / "peers")):
        subprocess.run([sys.executable, __file__, option, str(sizes["10k"]), str(out)], check=True)
    sizes["provinces"] = work / "provinces"
    subprocess.run([sys.executable, __file__, "--provinces", str(sizes["provinces"])], check=True)
    peer_jobs, notes = peers.commands(work / "peers" / "plan.beancount", work / "peers" / "plan.journal")
    as_of = ["--as-of", "2025-06-30"]  # the same work every run, whatever the date
    cold = {"KPI_NO_CACHE": "1"}
    results: dict[str, dict[str, Timing]] = {}
    try:
        for size, folder in sizes.items():
            files = data_files(folder)
            data = ["--data-dir", str(folder)]
            jobs = {
                "floor A": Job([sys.executable, "-c", FLOOR_A.format(files=files)], folder),
                "floor B": Job([sys.executable, "-c", FLOOR_B.format(files=files)], folder),
                # The process's start alone: --help now loads every command's module to list them.
                "kpi --version": Job([KPI, "--version"], folder),
            }
            if size == "10k×100 files":
                jobs["kpi validate (no cache)"] = Job([KPI, "validate", *data], folder, env=cold)
                jobs["kpi validate (one file edited)"] = Job(
                    [KPI, "validate", *data], folder, prepare=_edit_one(folder / "actuals" / "042.toml")
                )
                results[size] = measure_round_robin(jobs, args.large_runs)
                continue
            if size == "provinces":
                for name, more in (
                    ("kpi validate", []),
                    ("kpi status --by org", ["status", "--by", "org", "--as-of", "2026-12-31"]),
                    (
                        "kpi status --by org --kpi",
                        ["status", "--by", "org", "--kpi", "t.k07", "--as-of", "2026-12-31"],
                    ),
                ):
                    argv = [KPI, *(more or ["validate"]), *data]
                    jobs[f"{name} (no cache)"] = Job(argv, folder, env=cold)
                results[size] = measure_round_robin(jobs, args.large_runs)
                continue
            if size == "100k":
                for name, argv in (
                    ("kpi validate", [KPI, "validate", *data]),
                    ("kpi status --format json", [KPI, "status", *data, *as_of, "--format", "json"]),
                ):
                    jobs[f"{name} (no cache)"] = Job(argv, folder, env=cold)
                results[size] = measure_round_robin(jobs, args.huge_runs)
                continue
            jobs |= {
                "kpi --help": Job([KPI, "--help"], folder),
                "kpi validate": Job([KPI, "validate", *data], folder),
                "kpi status": Job([KPI, "status", *data, *as_of], folder),
                "kpi status --format json": Job([KPI, "status", *data, *as_of, "--format", "json"], folder),
                "kpi gap --format json": Job([KPI, "gap", *data, *as_of, "--format", "json"], folder),
            }
            if size == "10k":
                # The default runs use the dataset cache after their first run; these never do.
                for name in (
                    "kpi validate",
                    "kpi status --format json",
                    "kpi gap --format json",
                    "kpi status",
                ):
                    jobs[f"{name} (no cache)"] = Job(jobs[name].argv, folder, env=cold)
                copy = work / "record"
                copy.mkdir()
                shutil.copyfile(folder / "targets.toml", copy / "targets.toml")
                argv = [KPI, "record", "telecom.kpi_00001", "42", "--period", "2026-01", "--source", "bench"]
                jobs["kpi record"] = Job(
                    argv, copy, prepare=_copier(folder / "actuals.toml", copy / "actuals.toml")
                )
                for name, peer in peer_jobs.items():
                    jobs[name] = Job(peer, folder)
            results[size] = measure_round_robin(jobs, args.large_runs if size == "10k" else args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for note in notes:
        print(f"note: {note}")
    return report(results, args.check)


def report(results: dict[str, dict[str, Timing]], check: bool) -> int:
    print(
        f"kpi benchmark — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"medians of whole processes run round-robin with their floors"
    )
    header = (
        f"{'size':<13} {'command':<44} {'median s':>8} {'RSS MB':>7} "
        f"{'vs floor':>9} {'ratio':>6} {'budget':>14}  ok"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for size, timings in results.items():
        for name in ("floor A", "floor B"):
            t = timings[name]
            print(f"{size:<13} {name:<44} {t.median:8.3f} {t.rss_mb:7.0f}")
        for name, t in timings.items():
            if name.startswith("floor"):
                continue
            floor, budget, rss_budget = BUDGETS.get(
                (size, name), ("B" if name == "kpi status" else "A", 0, None)
            )
            base = timings[f"floor {floor}"] if floor in ("A", "B") else timings[floor]
            ratio = t.median / base.median
            ok = ratio <= budget if budget else None
            text = ""
            if budget:
                text = f"≤{budget:g}"
                if rss_budget is not None:
                    rss_ok = t.rss_mb <= rss_budget * base.rss_mb
                    ok = ok and rss_ok
                    text += f", RSS ≤{rss_budget:g}×"
            mark = "" if ok is None else ("yes" if ok else "NO")
            against = f"floor {floor}" if floor in ("A", "B") else "validate"
            print(
                f"{size:<13} {name:<44} {t.median:8.3f} {t.rss_mb:7.0f} "
                f"{against:>9} {ratio:6.2f} {text:>14}  {mark}"
            )
            if ok is False:
                failed.append(f"{size} {name}")
    steps = [
        ("1k", "10k", ("kpi validate", "kpi status", "kpi status --format json", "kpi gap --format json"))
    ]
    if "100k" in results:
        steps.append(("10k", "100k", ("kpi validate (no cache)", "kpi status --format json (no cache)")))
    for low, high, names in steps:
        print()
        print(
            f"Scaling {low} → {high} KPIs: time and peak RSS above start-up (kpi --version at that "
            "size), budget ≤ 12× each"
        )
        start_low, start_high = results[low]["kpi --version"], results[high]["kpi --version"]
        for name in names:
            small = results[low][name].median - start_low.median
            large = results[high][name].median - start_high.median
            factor = large / small if small > 0 else float("inf")
            memory = (results[high][name].rss_mb - start_high.rss_mb) / max(
                results[low][name].rss_mb - start_low.rss_mb, 1
            )
            ok = factor <= 12 and memory <= 12
            print(
                f"  {name:<36} {small:7.3f} s → {large:7.3f} s   ×{factor:5.1f}   RSS ×{memory:5.1f}  "
                f"{'yes' if ok else 'NO'}"
            )
            if not ok:
                failed.append(f"scaling {low}→{high} {name}")
    if failed:
        print("\nbudgets missed: " + ", ".join(failed))
    return 1 if (check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
