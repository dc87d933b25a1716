"""Load benchmark: cold build, no-change night and 1 %-changed night on a synthetic corpus.

    .venv/bin/python benchmarks/bench_load.py [--ducklake] [N ...]      (default: 1000)

--ducklake publishes into a DuckLake in the bench folder (CNFISCAL_WAREHOUSE=ducklake:...)
instead of swapping in the single file; the publish step's time is the difference to see.

Each phase is a real `cnfiscal run` in a subprocess on a fresh warehouse; the figures are its
wall time, the peak RSS of the largest process in its tree (os.wait4; the parse workers and
dbt are separate processes, so the machine-wide peak can be higher), and the runner's own
step timings (where the time goes: fetch / parse+load in raw_ingest, dbt, the GX checks,
exports, publish). Targets (issue 7): cold 10,000 ≤ 120 s, no-change ≤ 10 s, 1 % ≤ 20 s,
peak RSS ≤ 2 GB. The corpus is synthetic (benchmarks/synth): load only, never accuracy.
"""

from __future__ import annotations

import os
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
    sys.stdout.flush()
    return wall, rss_mb, out


def bench(n: int, work: Path, ducklake: bool = False) -> None:
    corpus = work / f"corpus{n}"
    t = time.perf_counter()
    catalog = generate(corpus, n)
    size = sum(p.stat().st_size for p in (corpus / "reports").rglob("*") if p.is_file())
    print(
        f"== {n} synthetic reports ({size / 1e6:.1f} MB) generated in "
        f"{time.perf_counter() - t:.1f}s"
    )
    # The fetch cache trusts a file's stat only once it is a few seconds old (a file written
    # in the same second could change again unseen); real reports are days old, so let these
    # age before the first run, as they would have.
    time.sleep(2.5)
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)
    env.update(
        CNFISCAL_WAREHOUSE_DIR=str(work / f"warehouse{n}"),
        CNFISCAL_CATALOG=str(catalog),
        PYTHONPATH=str(ROOT),
        CNFISCAL_WAREHOUSE=f"ducklake:{work / f'lake{n}'}" if ducklake else "duckdb",
    )
    cold, rss1, _ = run_phase(f"cold {n}", env)
    quiet, rss2, _ = run_phase(f"no-change {n}", env)
    changed = len(mutate(corpus, 0.01))
    time.sleep(2.5)
    one, rss3, _ = run_phase(f"1% changed ({changed} reports) {n}", env)
    print(
        f"== summary {n}: cold {cold:.1f}s, no-change {quiet:.1f}s, 1% {one:.1f}s, "
        f"peak RSS {max(rss1, rss2, rss3):.0f} MB, load avg {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    args = sys.argv[1:]
    ducklake = "--ducklake" in args
    sizes = [int(a) for a in args if a != "--ducklake"] or [1000]
    print(f"warehouse mode: {'ducklake' if ducklake else 'duckdb file'}")
    with tempfile.TemporaryDirectory(prefix="cnfiscal-bench-") as tmp:
        for n in sizes:
            bench(n, Path(tmp), ducklake)


if __name__ == "__main__":
    main()
