"""Load benchmark: cold build, no-change night and 1 %-changed night on a synthetic corpus.

    .venv/bin/python benchmarks/bench_load.py [--ducklake] [--work DIR] [--again]
                                              [--changed FRACTION] [N ...]   (default: 1000)
    .venv/bin/python benchmarks/bench_load.py --ratio [--rounds N] --work DIR SMALL LARGE

--ducklake publishes into a DuckLake in the bench folder (CNFISCAL_WAREHOUSE=ducklake:...)
instead of swapping in the single file; the publish step's time is the difference to see.
--work DIR keeps the corpus and warehouse there (default: a temp dir, removed); --again, with
--work, skips generation and the cold build and runs another 1 %-changed night on what is there
(for profiling one phase at 100,000 without rebuilding). --changed sets the fraction of reports
that night rewrites (default 0.01): 0.001 of 100,000 changes as many reports as 0.01 of 10,000,
which tells the cost of a bigger warehouse from the cost of more changes. --ratio runs the three
nights that issue 18's ratio needs back to back on DIR's warehouses and prints it; --rounds N
alternates N pairs of 1 % nights before the third and takes the ratio of their medians.

Each phase is a real `cnfiscal run` in a subprocess on a fresh warehouse; the figures are its
wall time, the peak RSS of the largest process in its tree (os.wait4; the parse workers and
dbt are separate processes, so the machine-wide peak can be higher), and the runner's own
step timings (where the time goes: fetch / parse+load in raw_ingest, dbt, the GX checks,
exports, publish), and a split: precheck, dbt build, quality gate, other steps, start-up.
Targets (issue 7): cold 10,000 ≤ 120 s, no-change ≤ 10 s, 1 % ≤ 20 s, peak RSS ≤ 2 GB;
(issue 18, incremental marts) at 100,000: cold ≤ 15 min, no change ≤ 15 s, 1 % ≤ 90 s and
≤ 1.5 × the 1 % figure at 10,000, peak RSS ≤ 4 GB. The corpus is synthetic (benchmarks/synth):
load only, never accuracy.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synth import RUN_PIPELINE as RUN  # noqa: E402
from benchmarks.synth.generate import generate, mutate  # noqa: E402


def run_phase(name: str, env: dict) -> tuple[float, float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(RUN, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    rss_mb = usage.ru_maxrss / 1024
    summary = [line for line in out.splitlines() if line.startswith(("precheck ", "run ", "  "))]
    ok = "ok" if os.waitstatus_to_exitcode(status) == 0 else "FAILED"
    print(f"[{name}] {ok} wall {wall:.1f}s, peak RSS {rss_mb:.0f} MB")
    for line in summary:
        print("   " + line)
    split = time_split(out, wall)
    if split:
        print("   split: " + ", ".join(f"{k} {v:.1f}s" for k, v in split.items()))
    sys.stdout.flush()
    return wall, rss_mb, out


def time_split(out: str, wall: float) -> dict[str, float]:
    """dbt (the build step), the quality gate (its marts rebuild included), the rest of the
    steps, and start-up: the wall time outside the precheck and every step (importing Dagster,
    dagster-dbt and the definitions, building the run)."""
    steps = {m[1]: float(m[2]) for m in re.finditer(r"^  step (\S+): ([0-9.]+)s$", out, re.M)}
    if not steps:
        return {}
    pre = re.search(r"^precheck .* in ([0-9.]+)s$", out, re.M)
    dbt = steps.pop("cnfiscal_dbt_assets", 0.0)
    gate = steps.pop("quality_gate", 0.0)
    other = sum(steps.values())
    precheck = float(pre[1]) if pre else 0.0
    return {
        "precheck": precheck,
        "dbt build": dbt,
        "quality gate": gate,
        "other steps": other,
        "start-up": wall - precheck - dbt - gate - other,
    }


def bench(
    n: int, work: Path, ducklake: bool = False, again: bool = False, fraction: float = 0.01
) -> float:
    """The phases for `n` reports; returns the wall time of the last (changed) night."""
    corpus = work / f"corpus{n}"
    if again:
        catalog = corpus / "catalog.csv"
    else:
        t = time.perf_counter()
        catalog = generate(corpus, n)
        size = sum(p.stat().st_size for p in (corpus / "reports").rglob("*") if p.is_file())
        print(
            f"== {n} synthetic reports ({size / 1e6:.1f} MB) generated in "
            f"{time.perf_counter() - t:.1f}s"
        )
        # The fetch cache trusts a file's stat only once it is a few seconds old (a file
        # written in the same second could change again unseen); real reports are days old,
        # so let these age before the first run, as they would have.
        time.sleep(2.5)
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)
    env.update(
        CNFISCAL_WAREHOUSE_DIR=str(work / f"warehouse{n}"),
        CNFISCAL_CATALOG=str(catalog),
        PYTHONPATH=str(ROOT),
        CNFISCAL_WAREHOUSE=f"ducklake:{work / f'lake{n}'}" if ducklake else "duckdb",
    )
    if again:
        changed = len(mutate(corpus, fraction))
        time.sleep(2.5)
        wall, _, _ = run_phase(f"{fraction:.1%} changed again ({changed} reports) {n}", env)
        return wall
    cold, rss1, _ = run_phase(f"cold {n}", env)
    quiet, rss2, _ = run_phase(f"no-change {n}", env)
    changed = len(mutate(corpus, 0.01))
    time.sleep(2.5)
    one, rss3, out = run_phase(f"1% changed ({changed} reports) {n}", env)
    split = time_split(out, one)
    print(
        f"== summary {n}: cold {cold:.1f}s, no-change {quiet:.1f}s, 1% {one:.1f}s "
        f"(dbt {split.get('dbt build', 0):.1f}s), "
        f"peak RSS {max(rss1, rss2, rss3):.0f} MB, load avg {os.getloadavg()[0]:.1f}"
    )
    print(f"== start-up {n} (1% run, outside precheck and steps): {split.get('start-up', 0):.1f}s")
    return one


def ratio(small: int, large: int, work: Path, ducklake: bool, rounds: int = 1) -> None:
    """Issue 18's ratio in one run, on the warehouses an earlier run left in `work`: a 1 % night
    at each size (`rounds` pairs, alternating, so that a slower spell of the machine falls on
    both sizes alike), then a night at `large` changing as many reports as 1 % of `small` does,
    which separates what the bigger warehouse costs from what the ten times more changes cost.
    With several rounds the ratio is that of the two sizes' medians, each pair's printed too."""
    pairs = []
    for _ in range(max(1, rounds)):
        one_small = bench(small, work, ducklake, again=True)
        one_large = bench(large, work, ducklake, again=True)
        pairs.append((one_small, one_large))
    same = bench(large, work, ducklake, again=True, fraction=0.01 * small / large)
    if len(pairs) > 1:
        print("== pairs: " + ", ".join(f"{b:.1f}s / {a:.1f}s = {b / a:.2f}" for a, b in pairs))
    one_small = statistics.median(a for a, _ in pairs)
    one_large = statistics.median(b for _, b in pairs)
    what = "median " if len(pairs) > 1 else ""
    print(
        f"== ratio: {what}1 % at {large} {one_large:.1f}s / {what}1 % at {small} "
        f"{one_small:.1f}s = {one_large / one_small:.2f} (target <= 1.5)"
    )
    print(
        f"== same changed reports at {large}: {same:.1f}s, {same / one_small:.2f}x the {small} "
        f"night (the warehouse's size); the extra changes cost {one_large - same:.1f}s"
    )


def main() -> None:
    args = sys.argv[1:]
    ducklake = "--ducklake" in args
    again = "--again" in args
    pair = "--ratio" in args
    work = None
    fraction = 0.01
    rounds = 1
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i : i + 2]
        if "--ratio" not in args:
            sys.exit("--rounds applies to --ratio")
    if "--changed" in args:
        i = args.index("--changed")
        fraction = float(args[i + 1])
        del args[i : i + 2]
        if not again:
            sys.exit("--changed applies to --again nights")
    if "--work" in args:
        i = args.index("--work")
        work = Path(args[i + 1])
        del args[i : i + 2]
    if again and work is None:
        sys.exit("--again needs --work DIR (the folder of an earlier run)")
    sizes = [int(a) for a in args if a not in ("--ducklake", "--again", "--ratio")] or [1000]
    print(f"warehouse mode: {'ducklake' if ducklake else 'duckdb file'}")
    if pair:
        if work is None or len(sizes) != 2 or sizes[0] >= sizes[1]:
            sys.exit("--ratio needs --work DIR (an earlier run's folder), two sizes, small first")
        ratio(sizes[0], sizes[1], work, ducklake, rounds)
        return
    if work is not None:
        work.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            bench(n, work, ducklake, again, fraction)
        return
    with tempfile.TemporaryDirectory(prefix="cnfiscal-bench-") as tmp:
        for n in sizes:
            bench(n, Path(tmp), ducklake)


if __name__ == "__main__":
    main()
