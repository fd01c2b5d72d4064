"""Time kpi's commands as whole processes against the cost of just parsing the data.

    python benchmarks/run.py            # print the table
    python benchmarks/run.py --check    # exit 1 when a budget is missed

Three data sizes: the bundled plan, and seeded synthetic plans of 1,000 and 10,000 KPIs
with 10 actuals each. Each command runs several times (median wall time; peak RSS from
wait4), side by side in the same run with its floors:

    floor A: python -c "import click, tomli" + parsing both files with tomli
    floor B: floor A + import rich.console, rich.table

At 10,000 KPIs kpi's dataset cache serves every run after the first; the rows marked
"(no cache)" show the same commands with KPI_NO_CACHE=1, parsing and checking every time.
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
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass
class Job:
    argv: list[str]
    cwd: Path
    prepare: Path | None = None  # copied to cwd/actuals.toml before each run (kpi record writes)
    env: dict[str, str] | None = None
    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)

    def run_once(self) -> None:
        if self.prepare is not None:
            shutil.copyfile(self.prepare, self.cwd / "actuals.toml")
        start = time.perf_counter()
        env = {**os.environ, **(self.env or {})}
        proc = subprocess.Popen(
            self.argv, cwd=self.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        self.times.append(time.perf_counter() - start)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(self.argv)} failed ({code}): {proc.stderr.read().decode()}")
        self.peaks.append(usage.ru_maxrss / 1024)

    @property
    def timing(self) -> Timing:
        return Timing(statistics.median(self.times), max(self.peaks))


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
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument("--runs", type=int, default=9, help="rounds at the small sizes (default 9)")
    parser.add_argument("--large-runs", type=int, default=5, help="rounds at 10,000 KPIs (default 5)")
    parser.add_argument("--generate", nargs=3, metavar=("DIR", "KPIS", "PER_KPI"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        folder, kpis, per_kpi = args.generate
        generate(Path(folder), int(kpis), int(per_kpi))
        return 0
    # Byte-compile kpi as an installed package would be: with PYTHONDONTWRITEBYTECODE set (as on
    # CI machines), an editable install would otherwise compile its sources on every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "kpi")], check=True)
    work = Path(tempfile.mkdtemp(prefix="kpi-bench-"))
    os.environ["KPI_CACHE_DIR"] = str(work / "cache")  # start empty, leave the user's alone
    sizes = {"bundled": REPO, "1k": work / "1k", "10k": work / "10k"}
    for size, count in (("1k", 1_000), ("10k", 10_000)):
        # In a child process: the generated text would otherwise inflate this process, and with it
        # the peak RSS wait4 reports for every child forked from it.
        subprocess.run(
            [sys.executable, __file__, "--generate", str(sizes[size]), str(count), "10"], check=True
        )
    as_of = ["--as-of", "2025-06-30"]  # the same work every run, whatever the date
    results: dict[str, dict[str, Timing]] = {}
    try:
        for size, folder in sizes.items():
            files = [str(folder / "targets.toml"), str(folder / "actuals.toml")]
            data = ["--data-dir", str(folder)]
            jobs = {
                "floor A": Job([sys.executable, "-c", FLOOR_A.format(files=files)], folder),
                "floor B": Job([sys.executable, "-c", FLOOR_B.format(files=files)], folder),
                "kpi --help": Job([KPI, "--help"], folder),
                # The process's start alone: --help now loads every command's module to list them.
                "kpi --version": Job([KPI, "--version"], folder),
                "kpi validate": Job([KPI, "validate", *data], folder),
                "kpi status": Job([KPI, "status", *data, *as_of], folder),
                "kpi status --format json": Job([KPI, "status", *data, *as_of, "--format", "json"], folder),
                "kpi gap --format json": Job([KPI, "gap", *data, *as_of, "--format", "json"], folder),
            }
            if size == "10k":
                # The default runs use the dataset cache after their first run; these never do.
                cold = {"KPI_NO_CACHE": "1"}
                for name in ("kpi validate", "kpi status --format json", "kpi gap --format json"):
                    jobs[f"{name} (no cache)"] = Job(jobs[name].argv, folder, env=cold)
                copy = work / "record"
                copy.mkdir()
                shutil.copyfile(folder / "targets.toml", copy / "targets.toml")
                argv = [KPI, "record", "telecom.kpi_00001", "42", "--period", "2026-01", "--source", "bench"]
                jobs["kpi record"] = Job(argv, copy, prepare=folder / "actuals.toml")
            results[size] = measure_round_robin(jobs, args.large_runs if size == "10k" else args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report(results, args.check)


def report(results: dict[str, dict[str, Timing]], check: bool) -> int:
    print(
        f"kpi benchmark — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"medians of whole processes run round-robin with their floors"
    )
    header = (
        f"{'size':<8} {'command':<36} {'median s':>8} {'RSS MB':>7} "
        f"{'vs floor':>9} {'ratio':>6} {'budget':>14}  ok"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for size, timings in results.items():
        for name in ("floor A", "floor B"):
            t = timings[name]
            print(f"{size:<8} {name:<36} {t.median:8.3f} {t.rss_mb:7.0f}")
        for name, t in timings.items():
            if name.startswith("floor"):
                continue
            floor, budget, rss_budget = BUDGETS.get(
                (size, name), ("B" if name == "kpi status" else "A", 0, None)
            )
            base = timings[f"floor {floor}"]
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
            print(
                f"{size:<8} {name:<36} {t.median:8.3f} {t.rss_mb:7.0f} "
                f"{'floor ' + floor:>9} {ratio:6.2f} {text:>14}  {mark}"
            )
            if ok is False:
                failed.append(f"{size} {name}")
    print()
    print("Scaling 1k → 10k KPIs: time above start-up (kpi --version at that size), budget ≤ 12×")
    for name in ("kpi validate", "kpi status", "kpi status --format json", "kpi gap --format json"):
        small = results["1k"][name].median - results["1k"]["kpi --version"].median
        large = results["10k"][name].median - results["10k"]["kpi --version"].median
        factor = large / small if small > 0 else float("inf")
        ok = factor <= 12
        print(f"  {name:<36} {small:7.3f} s → {large:7.3f} s   ×{factor:5.1f}  {'yes' if ok else 'NO'}")
        if not ok:
            failed.append(f"scaling {name}")
    if failed:
        print("\nbudgets missed: " + ", ".join(failed))
    return 1 if (check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
