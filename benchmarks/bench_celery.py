"""Parse throughput on Celery workers: real PDFs from the shared wild corpus, parsed by
`CNFISCAL_EXECUTOR=celery cnfiscal run` on one worker, then on two, in one invocation.

    .venv/bin/python benchmarks/bench_celery.py [N_FILES|all] [--steps N] [--rounds R]

Each configuration gets a fresh redis-server, DAGSTER_HOME and warehouse (a cold build: every
report is parsed). The parse window is read from the run's event log: from the first parse
step's start to the last one's end, so dbt and the rest of the run are left out; pages are
counted with pypdfium2. Worker "writer" takes every queue, worker "parser" only `parse`
(pipelines/assets/ingest.py), as in the test and docs/operations.md. N_FILES (default 80)
are every k-th wild PDF by name, so the sample spans the regions. The machine is shared, so
the configurations alternate 1, 2, 2, 1, ... over R rounds (default 2) and the ratio is of
the medians.
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

import pypdfium2 as pdfium
import yaml

from cnfiscal.local_cluster import BIN, LocalCluster
from cnfiscal.settings import REPO_ROOT

WILD = REPO_ROOT.parent / "shared" / "corpus" / "wild"


def _sample(n: int | None) -> list[Path]:
    pdfs = sorted(WILD.glob("*.pdf"))
    if n is None or n >= len(pdfs):
        return pdfs
    step = len(pdfs) / n
    return [pdfs[int(i * step)] for i in range(n)]


def _catalog(files: list[Path], root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    sources = [{"id": f"wild-{i:03d}", "location": str(p)} for i, p in enumerate(files)]
    path = root / "catalog.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


def _parse_window(dagster_home: Path, run_id: str) -> tuple[float, int, dict[str, int]]:
    """Seconds from the first parse step's start to the last one's end; steps; by worker."""
    from dagster import DagsterInstance

    starts, ends, workers = [], [], {}
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or not (event.step_key or "").startswith("raw_ingest.parse_shard"):
                continue
            if event.event_type_value == "STEP_START":
                starts.append(record.timestamp)
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                ends.append(record.timestamp)
            elif event.event_type_value == "ENGINE_EVENT":
                meta = event.engine_event_data.metadata
                if "Celery worker" in meta:
                    name = meta["Celery worker"].value.split("@")[0]
                    workers[name] = workers.get(name, 0) + 1
    return max(ends) - min(starts), len(starts), workers


def _measure(n_workers: int, catalog: Path, pages: int, steps: int, root: Path) -> dict:
    with LocalCluster(root, root / "warehouse", catalog) as cluster:
        cluster.start_redis()
        cluster.start_worker("writer", ["dagster", "parse"])
        if n_workers == 2:
            cluster.start_worker("parser", ["parse"])
        cluster.wait_ready()
        config = yaml.safe_load((REPO_ROOT / "deploy" / "celery.yaml").read_text("utf-8"))
        config["ops"]["raw_ingest"]["config"]["parse_steps"] = steps
        run_config = root / "run_config.yaml"
        run_config.write_text(yaml.safe_dump(config), encoding="utf-8")
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.run(
            [str(BIN / "cnfiscal"), "run"],
            cwd=REPO_ROOT,
            env=cluster.env(CNFISCAL_RUN_CONFIG=str(run_config)),
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        (root / "run.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        found = re.search(r"^run (\S+): (success|FAILED)", proc.stdout, re.M)
        if not found:
            sys.exit(f"cnfiscal run did not report a run: see {root / 'run.log'}")
        window, n_steps, by_worker = _parse_window(cluster.dagster_home, found.group(1))
    return {
        "workers": n_workers,
        "status": found.group(2),
        "parse_s": window,
        "pages_per_s": pages / window,
        "steps": n_steps,
        "by_worker": by_worker,
        "run_s": wall,
        "load_before": load,
    }


def main() -> None:
    args = sys.argv[1:]
    steps, rounds = 8, 2
    for flag in ("--steps", "--rounds"):
        if flag in args:
            i = args.index(flag)
            value = int(args[i + 1])
            del args[i : i + 2]
            steps, rounds = (value, rounds) if flag == "--steps" else (steps, value)
    n = None if args and args[0] == "all" else int(args[0]) if args else 80
    files = _sample(n)
    pages = sum(len(pdfium.PdfDocument(str(p))) for p in files)
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"{len(files)} wild PDFs, {pages} pages, {size:.1f} MB; up to {steps} parse steps")
    print(f"cores {os.cpu_count()}; load average now {os.getloadavg()[0]:.2f}")
    order = [w for r in range(rounds) for w in ((1, 2) if r % 2 == 0 else (2, 1))]
    with tempfile.TemporaryDirectory(prefix="bench_celery_") as tmp:
        catalog = _catalog(files, Path(tmp) / "corpus")
        results = [
            _measure(w, catalog, pages, steps, Path(tmp) / f"m{i}-w{w}")
            for i, w in enumerate(order)
        ]
    for r in results:
        print(
            f"  {r['workers']} worker(s): parse {r['parse_s']:.1f} s = {r['pages_per_s']:.1f} "
            f"pages/s over {r['steps']} parse steps {r['by_worker']}; whole run "
            f"{r['run_s']:.1f} s ({r['status']}); load average before {r['load_before']:.2f}"
        )
    medians = {
        w: statistics.median(r["pages_per_s"] for r in results if r["workers"] == w) for w in (1, 2)
    }
    print(f"  median pages/s: 1 worker {medians[1]:.1f}, 2 workers {medians[2]:.1f}")
    print(f"  scaling 2 workers / 1 worker: {medians[2] / medians[1]:.2f}x")


if __name__ == "__main__":
    main()
