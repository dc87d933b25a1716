"""Night benchmark of dbt and the exports: one incremental `dbt build` after ~1 % of the reports
were reparsed, on a copy of an existing build file, with the time of every node (where a night's
dbt time goes), then the Parquet/CSV exports of the changed marts.

    .venv/bin/python benchmarks/bench_dbt_night.py BUILD_FILE [--changed PCT] [--top N]
                      [--work DIR] [--full-refresh] [--dagster] [--exports] [--latest-year]

BUILD_FILE (e.g. the warehouse/build/cnfiscal.duckdb of a bench_load run) is copied into DIR
(default: a temp dir, removed) and never written. A first `dbt build` settles the copy (the
partial parse for its path, the change record); then the current reports with
hash(document_id) % round(100 / PCT) = 0 count as reparsed: their parse time moves by a second
and their facts' evidence gains a character (a report read one sentence differently), and
`dbt build` runs again: its wall time (dbt start included), the nodes' total by kind, and the
slowest nodes from target/run_results.json. --latest-year picks the reparsed reports among those
of the latest fiscal year only (new reports mostly are; the random pick touches every year).
--exports also writes the exports of the settled copy (a set to reuse from), then times the
export of the changed marts, with how many files it wrote and linked.
--full-refresh times `dbt build --full-refresh` on the changed copy afterwards, for scale.
--dagster runs each build as the pipeline's dbt step instead (cnfiscal_dbt_assets through
dagster-dbt, in process: release of quarantined reports, the full-refresh check, the event stream
and asset checks included) and prints that step's time as `cnfiscal run` reports it; the copy's
build stamp is set to the current transform code first, as after a night on this code.
Issue 18: at 100,000 reports, 1 % changed, the dbt step should take ≤ ~10 s. Load only: the
corpus is synthetic.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DBT_DIR = ROOT / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"


def dbt(db: Path, work: Path, *args: str) -> tuple[float, list[dict]]:
    env = dict(os.environ, CNFISCAL_DUCKDB_PATH=str(db))
    cmd = [str(DBT), *args, "--profiles-dir", str(DBT_DIR), "--project-dir", str(DBT_DIR)]
    cmd += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed:\n{done.stdout[-4000:]}")
    results = json.loads((work / "target" / "run_results.json").read_text("utf-8"))["results"]
    return wall, results


def dagster_step(db: Path, work: Path) -> tuple[float, list[dict]]:
    """The pipeline's dbt step on `db`: (its duration, the run_results of its dbt call)."""
    from dagster import DagsterInstance

    from cnfiscal.settings import Settings
    from pipelines.assets.dbt import cnfiscal_dbt_assets
    from pipelines.definitions import build_defs

    settings = Settings(work / "warehouse", work / "catalog.yaml", build_db_path=db)
    job = build_defs(settings).resolve_implicit_global_asset_job_def()
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(
        asset_selection=list(cnfiscal_dbt_assets.keys), instance=instance, raise_on_error=False
    )
    if not result.success:
        sys.exit(f"dbt step failed: {result.get_failed_step_keys()}")
    step = next(e for e in result.all_events if e.event_type_value == "STEP_SUCCESS")
    calls = settings.dbt_target_dir.glob("*/run_results.json")  # one folder per dbt call
    latest = max(calls, key=lambda p: p.stat().st_mtime)
    results = json.loads(latest.read_text("utf-8"))["results"]
    return step.event_specific_data.duration_ms / 1000, results


def stamp_current_code(db: Path) -> None:
    """Record the current transform code as the one the copy was last published with."""
    from cnfiscal.warehouse.state import raw_fingerprint, record_build_state, transform_fingerprint

    with duckdb.connect(str(db)) as con:
        record_build_state(con, f"{raw_fingerprint(con)}/{transform_fingerprint()}")


def touch_reports(db: Path, pct: float, latest_year: bool) -> int:
    modulo = max(1, round(100 / pct))
    year = "and fiscal_year = (select max(fiscal_year) from raw.documents)" if latest_year else ""
    with duckdb.connect(str(db)) as con:
        docs = con.execute(
            "update raw.documents set parsed_at = parsed_at + interval 1 second "
            f"where is_current and hash(document_id) % {modulo} = 0 {year} returning document_id"
        ).fetchall()
        con.execute(
            "update raw.facts set evidence = evidence || '。' where document_id in "
            "(select unnest(?::varchar[]))",
            [[d for (d,) in docs]],
        )
    return len(docs)


def export(db: Path, work: Path) -> str:
    from cnfiscal.exports import export_marts

    out = work / "exports"
    before = {p: p.stat().st_ino for p in out.rglob("*.*")} if out.exists() else {}
    start = time.perf_counter()
    files = export_marts(db, out, manifest_path=DBT_DIR / "target" / "manifest.json")
    wall = time.perf_counter() - start
    linked = sum(1 for f in files if before.get(f.path) == f.path.stat().st_ino)
    return f"{wall:.2f}s, {len(files) - linked} files written, {linked} linked"


def report(label: str, wall: float, results: list[dict], top: int) -> None:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for r in results:
        by_kind[r["unique_id"].split(".")[0]].append(r["execution_time"])
    kinds = ", ".join(f"{k} {sum(v):.2f}s ({len(v)})" for k, v in sorted(by_kind.items()))
    nodes = sum(sum(v) for v in by_kind.values())
    print(f"[{label}] wall {wall:.2f}s, nodes {nodes:.2f}s: {kinds}")
    for r in sorted(results, key=lambda r: -r["execution_time"])[:top]:
        print(f"   {r['execution_time']:7.3f}s  {r['unique_id']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build_file", type=Path)
    ap.add_argument("--changed", type=float, default=1.0, help="percent of reports (default 1)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--full-refresh", action="store_true")
    ap.add_argument("--dagster", action="store_true", help="time the pipeline's dbt step")
    ap.add_argument("--exports", action="store_true", help="time the exports too")
    ap.add_argument("--latest-year", action="store_true", help="reparse latest-year reports")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cnfiscal-dbt-night-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "cnfiscal.duckdb"
        shutil.copyfile(args.build_file, db)
        if args.dagster:
            os.environ["CNFISCAL_DUCKDB_PATH"] = str(db)  # the dbt project is parsed for it
            stamp_current_code(db)

        def build():
            return dagster_step(db, work) if args.dagster else dbt(db, work, "build")

        report("settle", *build(), top=0)
        if args.exports:
            print(f"[exports, settled copy] {export(db, work)}")
        touched = touch_reports(db, args.changed, args.latest_year)
        with duckdb.connect(str(db), read_only=True) as con:
            current = con.execute("select count(*) from raw.documents where is_current")
            print(f"== {touched} of {current.fetchone()[0]} current reports reparsed")
        label = f"{args.changed:g} % changed" + (", dagster step" if args.dagster else "")
        report(label, *build(), top=args.top)
        if args.exports:
            print(f"[exports, {label}] {export(db, work)}")
        if args.full_refresh:
            report("full refresh", *dbt(db, work, "build", "--full-refresh"), top=args.top)
    print(f"== load avg {os.getloadavg()[0]:.1f} (2 shared cores: compare within one run)")


if __name__ == "__main__":
    main()
