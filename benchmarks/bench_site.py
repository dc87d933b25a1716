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
Each set is then timed as nightly rebuilds over the last built site (the fetch cache beside
the exports, when there is one, is used as the pipeline does): R with nothing changed, and R
nights on each of which the facts and documents of another ~1 % of the agencies changed
(evidence reworded, reports fetched later), so only those pages are rendered (and last night's
linked from the served tree) while the rest of the spare tree stays as it is. Wall and CPU
seconds: the machine is shared, and CPU time moves less with the other load.
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


def change_some(exports: Path, out: Path, percent: int = 1, night: int = 0) -> Path:
    """A copy of `exports` in which `percent` % of the agencies (at least one; those first by a
    hash of the id and `night`, so each night picks others) have reworded evidence and reports
    fetched `night` + 1 days later: what a re-fetched, re-read report does."""
    shutil.copytree(exports, out, copy_function=os.link)
    package = json.loads((exports / "datapackage.json").read_text(encoding="utf-8"))
    changes = {  # table: (column, its new value)
        "fct_fiscal_facts": ("evidence", f"evidence || '（更正{night}）'"),
        "dim_document": ("fetched_at", f"fetched_at + INTERVAL {night + 1} DAY"),
    }
    agencies = [
        str(exports / r["path"])
        for r in package["resources"]
        if r["table"] == "dim_agency" and r["format"] == "parquet"
    ]
    with duckdb.connect() as con:
        con.execute(
            f"CREATE TABLE chosen AS SELECT agency_id FROM read_parquet({agencies!r}) "
            f"ORDER BY hash(agency_id || '{night}') "
            f"LIMIT (SELECT ceil(count(*) * {percent} / 100) "
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


def _cache_for(exports: Path) -> Path | None:
    """The fetch cache beside the warehouse the exports came from: the site links its objects."""
    cache = exports.parent / "cache"
    return cache if cache.is_dir() else None


def _timed(*args) -> tuple[float, float, dict]:
    """(wall s, CPU s of this process, summary) of one build_site."""
    start, cpu = time.perf_counter(), time.process_time()
    summary = build_site(*args)
    return time.perf_counter() - start, time.process_time() - cpu, summary


def _figures(label: str, runs: list[tuple[float, float, dict]]) -> str:
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    rendered = sorted(r[2]["rendered"] for r in runs)
    return (
        f"  {label}: best {min(walls):.2f}s, median {statistics.median(walls):.2f}s of "
        f"{len(runs)} (CPU median {statistics.median(cpus):.2f}s; pages rendered "
        f"{rendered[0]}-{rendered[-1]})"
    )


def bench_site(exports: Path, catalog: Path | None, repeat: int) -> None:
    cache = _cache_for(exports)
    with tempfile.TemporaryDirectory(prefix="cnfiscal-bench-site-") as tmp:
        cold = [
            _timed(exports, Path(tmp) / f"site{i}", catalog, None, cache) for i in range(repeat)
        ]
        site = Path(tmp) / f"site{repeat - 1}"
        # The site is two trees (cnfiscal/site/slots.py): the second build fills the second
        # one, linking every page and source once. Then the written pages go to disk first:
        # linking files still being written back waits on the journal (seconds per thousand),
        # which a night after a full build does not meet.
        second = _timed(exports, site, catalog, None, cache)
        os.sync()
        same = [_timed(exports, site, catalog, None, cache) for _ in range(repeat)]
        # nights: each ~1 % of the agencies changed, others than the night before's (so the
        # tree being updated, two nights old, lacks two nights of changes: one rendered, one
        # linked from the served tree)
        nights = []
        for night in range(1, repeat + 1):
            changed = change_some(exports, Path(tmp) / f"night{night}", night=night)
            nights.append(_timed(changed, site, catalog, None, cache))
            if night > 1:
                shutil.rmtree(Path(tmp) / f"night{night - 1}")
    summary = cold[-1][2]
    print(
        f"site over {exports}: {summary['agencies']} agencies, {summary['charts']} charts, "
        f"{summary['downloads']} downloads, fetch cache {'used' if cache else 'none'}\n"
        + _figures("full build into an empty folder", cold)
        + f"\n  second build (fills the second tree): {second[0]:.2f}s\n"
        + _figures("nothing changed", same)
        + "\n"
        + _figures("a night with ~1 % of agencies changed", nights)
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
