"""The Celery executor for real: a redis-server on 127.0.0.1, two dagster-celery workers (one
the warehouse writer, one parser only) and `cnfiscal run` with CNFISCAL_EXECUTOR=celery, the
command users run. The marts must equal those of the default (one-process) run of the same
corpus, and the parse steps must have run on both workers."""

import re
import shutil
import subprocess

import duckdb
import pytest

from cnfiscal.local_cluster import BIN, LocalCluster
from cnfiscal.settings import REPO_ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="redis-server is not installed (scripts/system_packages.txt lists it)",
)


@pytest.fixture
def cluster(tmp_path, corpus):
    c = LocalCluster(tmp_path / "cluster", tmp_path / "wh-celery", corpus / "catalog.yaml")
    try:
        c.start_redis()
        c.start_worker("writer", ["dagster", "parse"])
        c.start_worker("parser", ["parse"])
        c.wait_ready()
        yield c
    finally:
        c.close()


def _cnfiscal_run(env: dict, log) -> str:
    proc = subprocess.run(
        [str(BIN / "cnfiscal"), "run"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    assert proc.returncode == 0, f"cnfiscal run failed, see {log}:\n{proc.stderr[-3000:]}"
    return re.search(r"^run (\S+): success", proc.stdout, re.M).group(1)


def _steps_by_worker(dagster_home, run_id: str) -> dict[str, str]:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        where = {}
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or event.event_type_value != "ENGINE_EVENT":
                continue
            meta = event.engine_event_data.metadata
            if "Celery worker" in meta:
                where[meta["step_keys"].value] = meta["Celery worker"].value
        return where


def _mart_rows(path) -> dict[str, list[tuple]]:
    """Every marts table's rows, sorted, without the timestamp columns (when fetched)."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            " ORDER BY 1"
        ).fetchall()
        rows = {}
        for (table,) in tables:
            cols = con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts'"
                " AND table_name = ? AND data_type NOT LIKE 'TIMESTAMP%' ORDER BY ordinal_position",
                [table],
            ).fetchall()
            select = ", ".join(f'"{c}"' for (c,) in cols)
            data = con.execute(f"SELECT {select} FROM marts.{table}").fetchall()
            rows[table] = sorted(data, key=repr)
        return rows


def test_celery_run_parses_on_both_workers_and_builds_the_same_marts(cluster, tmp_path):
    run_id = _cnfiscal_run(cluster.env(), tmp_path / "celery-run.log")

    where = _steps_by_worker(cluster.dagster_home, run_id)
    parse_steps = {k: w for k, w in where.items() if k.startswith("raw_ingest.parse_shard[")}
    assert len(parse_steps) >= 2, where
    assert {w.split("@")[0] for w in parse_steps.values()} == {"writer", "parser"}, parse_steps
    # Everything that opens the warehouse ran on the one writer.
    others = {k: w for k, w in where.items() if k not in parse_steps}
    assert "raw_ingest.ingest_load" in others and "cnfiscal_dbt_assets" in others
    assert {w.split("@")[0] for w in others.values()} == {"writer"}, others

    reference_env = cluster.env(
        CNFISCAL_EXECUTOR="multiprocess", CNFISCAL_WAREHOUSE_DIR=str(tmp_path / "wh-local")
    )
    del reference_env["DAGSTER_HOME"]
    _cnfiscal_run(reference_env, tmp_path / "local-run.log")

    celery = _mart_rows(cluster.warehouse_dir / "cnfiscal.duckdb")
    local = _mart_rows(tmp_path / "wh-local" / "cnfiscal.duckdb")
    assert celery.keys() == local.keys()
    assert local["fct_fiscal_facts"], "the reference run published no facts"
    for table in local:
        assert celery[table] == local[table], table
