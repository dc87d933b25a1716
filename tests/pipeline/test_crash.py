"""kill -9 in the middle of a run: the published file stays whole and the next run publishes.

Real subprocesses of `cnfiscal run` on a private corpus copy and warehouse; the second run is
killed (SIGKILL to its whole process group, dbt included) once dbt has started building.
"""

import os
import signal
import subprocess
import sys
import time

import duckdb

from cnfiscal.settings import REPO_ROOT

RUN = [
    sys.executable,
    "-c",
    "import sys; from cnfiscal.runner import run_pipeline; sys.exit(run_pipeline())",
]


def _env(settings):
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)
    # An earlier test in the session may have exported its own build path (export_env).
    env.pop("CNFISCAL_DUCKDB_PATH", None)
    env["CNFISCAL_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    env["CNFISCAL_CATALOG"] = str(settings.catalog_path)
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def _published(settings):
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        docs = con.execute(
            "select document_id from raw.documents where is_current order by 1"
        ).fetchall()
        facts = con.execute("select count(*) from marts.fct_fiscal_facts").fetchall()[0][0]
        return docs, facts


def test_sigkill_mid_run_keeps_published_copy(settings, tmp_path):
    env = _env(settings)
    first = subprocess.run(RUN, env=env, capture_output=True, text=True, timeout=480)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    before = _published(settings)

    # Nothing changed: the launcher fetches, finds nothing to parse or rebuild, republishes
    # the fetch log and does not launch the job.
    quiet = subprocess.run(RUN, env=env, capture_output=True, text=True, timeout=480)
    assert quiet.returncode == 0, quiet.stdout[-2000:] + quiet.stderr[-2000:]
    assert "nothing changed, job not launched" in quiet.stdout
    assert "cnfiscal_dbt_assets" not in quiet.stdout
    run_id = quiet.stdout.split("precheck ", 1)[1].split(":", 1)[0]
    assert _published(settings) == before
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        fetched = con.execute(
            "select count(*) from raw.fetches where run_id = ?", [run_id]
        ).fetchall()[0][0]
    assert fetched == len(before[0])

    seed = next((settings.catalog_path.parent / "seeds").glob("002_*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8") + "\n本报告已更正。\n", encoding="utf-8")
    log = (tmp_path / "killed.log").open("w+")
    proc = subprocess.Popen(
        RUN, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 300
    try:
        # Wait until dbt is rebuilding the marts in the build file, then kill everything.
        while time.monotonic() < deadline and proc.poll() is None:
            log.seek(0)
            if "START sql table model" in log.read():
                break
            time.sleep(0.2)
        assert proc.poll() is None, "run ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert _published(settings) == before  # opens, and holds the previous data
    assert not list(settings.warehouse_dir.glob(".publish-*"))

    third = subprocess.run(RUN, env=env, capture_output=True, text=True, timeout=480)
    assert third.returncode == 0, third.stdout[-2000:] + third.stderr[-2000:]
    docs, facts = _published(settings)
    assert len(docs) == 5 and docs != before[0] and facts > 0
