"""Fetch benchmark: per-source cost of `fetch_sources` over N local files.

    .venv/bin/python benchmarks/bench_fetch.py [N ...]      (default: 10000)

Writes N small files (2-8 KB) and a catalog in a temp dir, then times `fetch_sources` into a
temp DuckDB three times: cold (empty cache), a no-change pass, and a pass with 1 % of the files
rewritten. The files' mtimes are set an hour back, as a real catalog's reports are old (a file
written in the last seconds is always re-read: its mtime is too close to the read to trust).
Figures only; nothing is asserted.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnfiscal.catalog import load_catalog  # noqa: E402
from cnfiscal.ingest import connect_path, fetch_sources  # noqa: E402


def make_files(root: Path, n: int, rng: random.Random) -> list[Path]:
    past = time.time() - 3600
    paths, rows = [], []
    for i in range(n):
        rel = f"docs/{i // 1000:03d}/r{i:06d}.txt"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(2048, 8192)))
        os.utime(path, (past, past))
        paths.append(path)
        rows.append({"id": f"bench-{i:06d}", "location": rel})
    with (root / "catalog.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "location"])
        writer.writeheader()
        writer.writerows(rows)
    return paths


def timed_pass(name: str, catalog, db: Path, cache: Path, run: str) -> None:
    start = time.perf_counter()
    summary = fetch_sources(catalog, connect_path(db), cache, run)
    wall = time.perf_counter() - start
    per = wall / max(1, summary.attempted) * 1000
    print(f"  {name:<10} {wall:7.2f} s  {per:6.2f} ms/source  {summary.by_status}")
    sys.stdout.flush()


def bench(n: int, work: Path) -> None:
    rng = random.Random(7)
    root = work / f"n{n}"
    t = time.perf_counter()
    paths = make_files(root, n, rng)
    catalog = load_catalog(root / "catalog.csv")
    print(f"== {n} local files, written in {time.perf_counter() - t:.1f}s")
    db, cache = root / "bench.duckdb", root / "cache"
    timed_pass("cold", catalog, db, cache, "r1")
    timed_pass("no-change", catalog, db, cache, "r2")
    past = time.time() - 1800
    for path in rng.sample(paths, max(1, n // 100)):
        path.write_bytes(rng.randbytes(rng.randint(2048, 8192)))
        os.utime(path, (past, past))
    timed_pass("1% changed", catalog, db, cache, "r3")


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [10_000]
    with tempfile.TemporaryDirectory(prefix="cnfiscal-bench-fetch-") as tmp:
        for n in sizes:
            bench(n, Path(tmp))


if __name__ == "__main__":
    main()
