"""Site benchmark: seconds for `build_site` (no dbt docs) over the exports of N reports.

    .venv/bin/python benchmarks/bench_site.py [N | EXPORTS_DIR ...] [--repeat R] [--replicate K]

An argument that is a directory is taken as an existing exports dir (warehouse/exports, with
datapackage.json); its catalog is looked up in CNFISCAL_CATALOG, or as catalog.csv next to a
corpus/ beside the warehouse. A number N builds the exports first with the real pipeline on a
synthetic corpus of N reports (benchmarks/synth; a `cnfiscal run` in a subprocess, about 4 minutes
for 1,000) in a temporary directory. Each full build writes a new temporary directory; the
figures are the best and the median wall time of R builds, with the agency, chart and page counts.
--replicate K also times the site over the exports repeated K times with suffixed agency, document
and source ids (K times the agencies, pages and sources, without a K times longer pipeline run).
Each set is also timed as a nightly rebuild: over the last built site, after the facts and
documents of about 1 % of the agencies changed (evidence reworded, reports fetched a day later),
so only their pages are rendered and the rest are linked from the previous site.
Issue 7: the site must cost at most a few seconds of a 10,000-report cold build. Load figures
only: the corpus is synthetic.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from benchmarks.synth import RUN_PIPELINE as RUN  # noqa: E402
from benchmarks.synth.generate import generate  # noqa: E402
from cnfiscal.site.build import SITE_TABLES, build_site  # noqa: E402


def build_exports(n: int, work: Path) -> tuple[Path, Path]:
    """The exports dir and catalog of a real pipeline run over N synthetic reports."""
    t = time.perf_counter()
    catalog = generate(work / "corpus", n)
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)
    env.update(
        CNFISCAL_WAREHOUSE_DIR=str(work / "warehouse"),
        CNFISCAL_CATALOG=str(catalog),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(RUN, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    exports = work / "warehouse" / "exports"
    if not (exports / "datapackage.json").is_file():
        sys.exit(f"pipeline run failed (exit {done.returncode}): no exports in {exports}")
    print(f"== {n} synthetic reports: exports built in {time.perf_counter() - t:.0f}s")
    return exports, catalog


def _catalog_for(exports: Path) -> Path | None:
    if os.environ.get("CNFISCAL_CATALOG"):
        return Path(os.environ["CNFISCAL_CATALOG"])
    guess = exports.parent.parent / "corpus" / "catalog.csv"
    return guess if guess.is_file() else None


def replicate(exports: Path, k: int, out: Path) -> Path:
    """A copy of `exports` whose site tables hold every row k times, ids suffixed ~1..~k-1."""
    shutil.copytree(exports, out, copy_function=os.link)
    package = json.loads((exports / "datapackage.json").read_text(encoding="utf-8"))
    with duckdb.connect() as con:
        for r in package["resources"]:
            if r["format"] != "parquet" or r["table"] not in SITE_TABLES:
                continue
            src, dst = exports / r["path"], out / r["path"]
            cols = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM '{src}'").fetchall()]
            ids = [c for c in cols if c.endswith(("agency_id", "document_id")) or c == "source_id"]
            sel = ", ".join(
                f"CASE WHEN i = 0 THEN {c} ELSE {c} || '~' || i END AS {c}" if c in ids else c
                for c in cols
            )
            dst.unlink()  # a hard link to the original: never write through it
            con.execute(
                f"COPY (SELECT {sel} FROM '{src}', range({k}) t(i) ORDER BY i) TO '{dst}' "
                "(FORMAT parquet)"
            )
    return out


def change_some(exports: Path, out: Path, percent: int = 1) -> Path:
    """A copy of `exports` in which `percent` % of the agencies (at least one; those first by a
    hash of the id) have reworded evidence and reports fetched a day later: what a re-fetched,
    re-read report does."""
    shutil.copytree(exports, out, copy_function=os.link)
    package = json.loads((exports / "datapackage.json").read_text(encoding="utf-8"))
    changes = {  # table: (column, its new value)
        "fct_fiscal_facts": ("evidence", "evidence || '（更正）'"),
        "dim_document": ("fetched_at", "fetched_at + INTERVAL 1 DAY"),
    }
    agencies = [
        str(exports / r["path"])
        for r in package["resources"]
        if r["table"] == "dim_agency" and r["format"] == "parquet"
    ]
    with duckdb.connect() as con:
        con.execute(
            f"CREATE TABLE chosen AS SELECT agency_id FROM read_parquet({agencies!r}) "
            f"ORDER BY hash(agency_id) LIMIT (SELECT ceil(count(*) * {percent} / 100) "
            f"FROM read_parquet({agencies!r}))"
        )
        for r in package["resources"]:
            if r["format"] != "parquet" or r["table"] not in changes:
                continue
            src, dst = exports / r["path"], out / r["path"]
            col, new = changes[r["table"]]
            dst.unlink()  # a hard link to the original: never write through it
            con.execute(
                "COPY (SELECT * REPLACE (CASE WHEN agency_id IN (SELECT agency_id FROM chosen) "
                f"THEN {new} ELSE {col} END AS {col}) "
                f"FROM read_parquet('{src}', hive_partitioning = false)) TO '{dst}' "
                "(FORMAT parquet)"
            )
    return out


def _inodes(site: Path) -> dict[str, int]:
    return {e.name: e.inode() for e in os.scandir(site / "agencies")}


def bench_site(exports: Path, catalog: Path | None, repeat: int) -> None:
    times, nightly, rendered = [], [], []
    with tempfile.TemporaryDirectory(prefix="cnfiscal-bench-site-") as tmp:
        for i in range(repeat):
            start = time.perf_counter()
            summary = build_site(exports, Path(tmp) / f"site{i}", catalog)
            times.append(time.perf_counter() - start)
        # nightly: alternate between the two sets over the last site, ~1 % differing each time
        changed = change_some(exports, Path(tmp) / "changed")
        site = Path(tmp) / f"site{repeat - 1}"
        for i in range(repeat):
            before = _inodes(site)
            start = time.perf_counter()
            build_site(changed if i % 2 == 0 else exports, site, catalog)
            nightly.append(time.perf_counter() - start)
            rendered.append(sum(1 for n, ino in _inodes(site).items() if before.get(n) != ino))
    print(
        f"site over {exports}: {summary['agencies']} agencies, {summary['charts']} charts, "
        f"{summary['downloads']} downloads: best {min(times):.2f}s, "
        f"median {statistics.median(times):.2f}s of {repeat}\n"
        f"  nightly rebuild, ~1 % of agencies changed ({min(rendered)}-{max(rendered)} pages "
        f"rendered, the rest linked): best {min(nightly):.2f}s, "
        f"median {statistics.median(nightly):.2f}s of {repeat}"
    )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=["1000"], help="N or an exports dir")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--replicate", type=int, default=1, metavar="K")
    args = parser.parse_args()
    for target in args.targets:
        with tempfile.TemporaryDirectory(prefix="cnfiscal-bench-site-") as tmp:
            if Path(target).is_dir():
                exports, catalog = Path(target), _catalog_for(Path(target))
            else:
                exports, catalog = build_exports(int(target), Path(tmp))
            bench_site(exports, catalog, args.repeat)
            if args.replicate > 1:
                bigger = replicate(exports, args.replicate, Path(tmp) / "replicated")
                print(f"-- replicated {args.replicate} times:")
                bench_site(bigger, catalog, args.repeat)


if __name__ == "__main__":
    main()
