"""DuckLake mode: the pipeline publishes into a DuckLake that other processes read while a run
writes, and no reader ever sees half of a run.

Real `cnfiscal run` subprocesses on a private corpus copy, a real reader process on the real
lake (SQLite catalog + Parquet files in a temp dir), extensions from the locked packages.
"""

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from cnfiscal.settings import REPO_ROOT, parse_warehouse
from cnfiscal.warehouse import lake
from cnfiscal.warehouse.load import ensure_schema

RUN = [
    sys.executable,
    "-c",
    "import sys; from cnfiscal.runner import run_pipeline; sys.exit(run_pipeline())",
]

# One statement, so one snapshot: what a run published, seen together.
STATE_SQL = (
    "SELECT (SELECT fingerprint FROM meta.build_state), "
    "(SELECT count(*) FROM raw.documents WHERE is_current), "
    "(SELECT count(*) FROM raw.facts), "
    "(SELECT count(*) FROM marts.fct_fiscal_facts), "
    "(SELECT count(*) FROM marts.dim_document)"
)

# A second process that reads the lake's state in a loop until `stop` exists, one JSON line
# per read; errors are recorded, not fatal, so the test can say what went wrong.
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from cnfiscal.warehouse import lake
    lake_dir, stop, sql = Path(sys.argv[1]), Path(sys.argv[3]), sys.argv[4]
    out = open(sys.argv[2], "w")
    con = lake.connect(lake_dir, read_only=True)
    last = False
    while not last:
        last = stop.exists()
        try:
            row = con.execute(sql).fetchone()
            out.write(json.dumps({"t": time.time(), "state": list(row)}) + "\\n")
        except Exception as exc:
            out.write(json.dumps({"t": time.time(), "error": str(exc)[:300]}) + "\\n")
        out.flush()
        time.sleep(0.02)
    """
)


def _env(settings_dir: Path, catalog: Path, lake_dir: Path) -> dict:
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)
    env.pop("CNFISCAL_DUCKDB_PATH", None)
    env.update(
        CNFISCAL_WAREHOUSE_DIR=str(settings_dir),
        CNFISCAL_CATALOG=str(catalog),
        CNFISCAL_WAREHOUSE=f"ducklake:{lake_dir}",
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


def _state(lake_dir: Path) -> list:
    with lake.connect(lake_dir, read_only=True) as con:
        return list(con.execute(STATE_SQL).fetchone())


def _shorten_last_report(corpus: Path) -> None:
    """The last seed report loses the second half of its lines: a new version with fewer facts
    (the old version's rows stay in raw, as history)."""
    report = sorted((corpus / "seeds").glob("*.txt"))[-1]
    lines = report.read_text("utf-8").splitlines(keepends=True)
    report.write_text("".join(lines[: len(lines) // 2]), "utf-8")
    # The fetch cache trusts a file's stat only once it is a few seconds old.
    time.sleep(2.5)


def test_readers_see_whole_runs_while_a_run_publishes(corpus, tmp_path):
    lake_dir = tmp_path / "lake"
    catalog = corpus / "catalog.yaml"
    env = _env(tmp_path / "warehouse", catalog, lake_dir)
    first = subprocess.run(RUN, env=env, capture_output=True, text=True, timeout=480)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert "published warehouse: DuckLake" in first.stdout
    # Nothing was published as a file: the lake is the analysts' warehouse.
    assert not (tmp_path / "warehouse" / "cnfiscal.duckdb").exists()
    before = _state(lake_dir)
    assert before[1] == 5 and before[3] > 0, before

    _shorten_last_report(corpus)
    out, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(lake_dir), str(out), str(stop), STATE_SQL],
        env=env,
    )
    try:
        # The reader is attached and reading before the run starts.
        deadline = time.time() + 60
        while not (out.exists() and out.read_text("utf-8").count("\n") >= 3):
            assert time.time() < deadline and reader.poll() is None, "reader did not start"
            time.sleep(0.1)
        second = subprocess.run(RUN, env=env, capture_output=True, text=True, timeout=480)
        stop.touch()
        reader.wait(timeout=60)
    finally:
        reader.kill()
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    after = _state(lake_dir)
    # Still five current reports; one is a new, shorter version: new stamp, fewer mart facts.
    assert after[0] != before[0] and after[1] == 5 and after[3] < before[3], (before, after)

    reads = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    errors = [r["error"] for r in reads if "error" in r]
    states = [r["state"] for r in reads if "state" in r]
    assert not errors, errors[:5]
    # Every state seen is one whole run, and once the new run is seen the old one never is.
    assert all(s in (before, after) for s in states), [
        s for s in states if s not in (before, after)
    ]
    assert states[0] == before and states[-1] == after
    first_new = states.index(after)
    assert all(s == after for s in states[first_new:])
    assert len(states) > 20  # it kept reading through the run, not once at each end


def _build_file(path: Path, docs: int) -> None:
    """A build file with the raw schema and a mart, holding `docs` reports of one fact each."""
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)
        con.execute(
            "INSERT INTO raw.documents SELECT 'd' || i, 's' || i, 'x', 'h', 1, 'txt', now(), "
            "now(), 'p', 'a', 'r', 2020, 'budget', 1, 0, 'loaded', NULL, now(), NULL, true "
            "FROM range(?) t(i)",
            [docs],
        )
        con.execute(
            "INSERT INTO raw.facts (document_id, fact_seq, statement, item, scope, basis, year, "
            "measure, value, unit, source) SELECT document_id, 0, 'expenditure', 'total', "
            "'all', 'budget', 2020, 'amount', 1.5, '万元', 'text' FROM raw.documents"
        )
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.fct_fiscal_facts AS SELECT * FROM raw.facts")
        con.execute("CREATE TABLE marts.dim_document AS SELECT * FROM raw.documents")
        if docs == 2:  # a view only the first build has
            con.execute("CREATE VIEW marts.only_in_a AS SELECT 1 AS x")
        con.execute("CREATE SCHEMA meta")
        con.execute(f"CREATE TABLE meta.build_state AS SELECT 'build-{docs}' AS fingerprint")


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cnfiscal.warehouse import lake
    build, lake_dir, ready, go = (Path(a) for a in sys.argv[1:5])
    def hold():
        ready.touch()
        while not go.exists():
            time.sleep(0.05)
    print(lake.publish(build, lake_dir, before_commit=hold))
    """
)


def test_a_publish_in_flight_is_invisible_to_other_processes(tmp_path):
    """Deterministic: the writer process stops with every table replaced but not committed;
    this process must still read the previous run whole, then the new one whole."""
    a, b, lake_dir = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "lake"
    _build_file(a, 2)
    _build_file(b, 7)
    lake.publish(a, lake_dir)
    before = _state(lake_dir)
    assert before == ["build-2", 2, 2, 2, 2]
    ready, go = tmp_path / "ready", tmp_path / "go"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(b), str(lake_dir), str(ready), str(go)],
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while not ready.exists():
            assert time.time() < deadline and writer.poll() is None, "writer did not get ready"
            time.sleep(0.05)
        assert _state(lake_dir) == before
        with lake.connect(lake_dir, read_only=True) as con:
            assert con.execute("SELECT x FROM marts.only_in_a").fetchall() == [(1,)]
        go.touch()
        stdout, _ = writer.communicate(timeout=60)
    finally:
        writer.kill()
    assert writer.returncode == 0
    assert _state(lake_dir) == ["build-7", 7, 7, 7, 7]
    with lake.connect(lake_dir, read_only=True) as con:
        # A table the new build no longer has is gone, not left over from the old run.
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        # The lake has no constraints: the build file is where keys are enforced.
        constraints = con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchone()[0]
    assert "only_in_a" not in tables and "fct_fiscal_facts" in tables
    assert constraints == 0
    assert int(stdout.strip()) > 1  # the snapshot id readers see from now on


def test_extensions_load_from_the_packages_without_downloading(tmp_path):
    with lake.connect(tmp_path / "lake") as con:
        settings = con.execute(
            "SELECT current_setting('autoinstall_known_extensions'), "
            "current_setting('autoload_known_extensions')"
        ).fetchone()
        loaded = dict(
            con.execute(
                "SELECT extension_name, install_path FROM duckdb_extensions() WHERE loaded"
            ).fetchall()
        )
    assert settings == (False, False)
    assert {"ducklake", "sqlite_scanner"} <= set(loaded)
    ext = lake.extension_file("duckdb_extension_ducklake", "ducklake")
    assert "site-packages" in str(ext) and ext.is_file()


def test_warehouse_setting():
    assert parse_warehouse("") is None and parse_warehouse("duckdb") is None
    assert parse_warehouse("ducklake:/srv/lake") == Path("/srv/lake")
    for bad in ("ducklake:", "postgres:x", "lake"):
        with pytest.raises(ValueError):
            parse_warehouse(bad)


def _snapshots_and_files(lake_dir: Path) -> tuple[list[int], int]:
    with lake.connect(lake_dir, read_only=True) as con:
        rows = con.execute("SELECT snapshot_id FROM ducklake_snapshots('lake')").fetchall()
        ids = [r[0] for r in rows]
    return ids, sum(len(files) for _, _, files in os.walk(lake_dir / lake.DATA_DIR))


def test_old_snapshots_and_their_files_go_only_after_the_retention(tmp_path):
    build, lake_dir = tmp_path / "b.duckdb", tmp_path / "lake"
    with duckdb.connect(str(build)) as con:
        # Past the catalog's inlining limit, so each publish writes a Parquet file.
        con.execute(
            "CREATE SCHEMA raw; CREATE TABLE raw.fetches AS SELECT range AS a FROM range(5000)"
        )
    for _ in range(3):
        lake.publish(build, lake_dir)
    ids, files = _snapshots_and_files(lake_dir)
    assert ids == [0, 1, 2, 3] and files == 3  # all within the default retention: all kept
    time.sleep(1.5)
    lake.publish(build, lake_dir, retention=timedelta(seconds=1))
    ids, files = _snapshots_and_files(lake_dir)
    assert ids == [4] and files == 4  # expired, but their files wait for a later publish
    time.sleep(1.5)
    lake.publish(build, lake_dir, retention=timedelta(seconds=1))
    ids, files = _snapshots_and_files(lake_dir)
    assert ids == [5] and files == 2  # the current snapshot's file and the one just expired
