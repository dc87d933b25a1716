"""Publishing the analysts' copy of the warehouse.

File mode: the copy is written beside its destination first and swapped in with os.replace,
so a run that dies half-way leaves the previous published file whole. DuckLake mode
(CNFISCAL_WAREHOUSE=ducklake:PATH): the build is copied into the lake in one transaction
(cnfiscal.warehouse.lake), which readers in other processes see whole or not at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from cnfiscal.settings import Settings
from cnfiscal.warehouse import lake
from cnfiscal.warehouse.state import build_fingerprint, published_fingerprint, record_build_state


def publish_warehouse(settings: Settings) -> str:
    """Publish the build where settings say analysts read; returns a description of it."""
    if settings.lake_dir is None:
        return str(publish_database(settings.build_db, settings.published_db))
    _stamp(settings.build_db)
    snapshot = lake.publish(settings.build_db, settings.lake_dir)
    return f"{settings.published_label} snapshot {snapshot}"


def refresh_published(settings: Settings) -> None:
    """refresh_published_fetch_log for whichever warehouse mode is in use."""
    if settings.lake_dir is None:
        refresh_published_fetch_log(settings.build_db, settings.published_db)
    else:
        lake.refresh_fetch_log(settings.build_db, settings.lake_dir)


def published_state(settings: Settings) -> str | None:
    """The published warehouse's build stamp (None: nothing published, or unreadable)."""
    if settings.lake_dir is None:
        return published_fingerprint(settings.published_db)
    return lake.fingerprint(settings.lake_dir)


def is_published(settings: Settings) -> bool:
    if settings.lake_dir is None:
        return settings.published_db.exists()
    return lake.catalog_path(settings.lake_dir).exists()


def _stamp(build_db: Path) -> None:
    with duckdb.connect(str(build_db)) as con:
        record_build_state(con, build_fingerprint(con))
        con.execute("CHECKPOINT")


def publish_database(build_db: Path, published_db: Path) -> Path:
    """Copy the build file over the published one atomically (after a checkpoint), stamped with
    what it was built from (see cnfiscal.warehouse.state)."""
    _stamp(build_db)
    published_db.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=published_db.parent, prefix=".publish-", suffix=".duckdb")
    os.close(fd)
    try:
        shutil.copyfile(build_db, tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; analysts must be able to read it
        os.replace(tmp, published_db)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return published_db


def refresh_published_fetch_log(build_db: Path, published_db: Path) -> Path:
    """After a run that changed nothing else, give analysts this run's fetch log (failed
    fetches included) without rebuilding: a copy of the published file gets the build's
    raw.fetches and is swapped in atomically. Marts are untouched, so no check is bypassed.
    Only the runs that differ are rewritten (see _sync_fetch_runs)."""
    fd, tmp = tempfile.mkstemp(dir=published_db.parent, prefix=".publish-", suffix=".duckdb")
    os.close(fd)
    try:
        shutil.copyfile(published_db, tmp)
        with duckdb.connect(tmp) as con:
            con.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
            con.execute("BEGIN")
            _sync_fetch_runs(con)
            con.execute("COMMIT")
            con.execute("DETACH build")
            con.execute("CHECKPOINT")
        os.chmod(tmp, 0o644)
        os.replace(tmp, published_db)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return published_db


# Per run: its rows, their time span and a hash of every row, so a run whose rows changed
# (a re-executed step replaces its own) differs too.
_RUN_DIGEST = (
    "SELECT run_id, count(*) AS n, min(fetched_at) AS lo, max(fetched_at) AS hi,"
    " bit_xor(hash(source_id, location, status, sha256, size_bytes, http_status, etag,"
    " last_modified, fetched_at, message)) AS h FROM {table} GROUP BY run_id"
)


def _sync_fetch_runs(con: duckdb.DuckDBPyConnection) -> None:
    """Make the published copy's raw.fetches equal to the build's (attached as `build`) by
    rewriting only the runs that differ: usually tonight's, which is just inserted. Deleting
    the whole log and inserting it again cost ~40 s of CPU at 100,000 reports × 9 nights (the
    primary key's index deletes), and grew with every night."""
    # both sets before either side is touched
    for name, mine, other in (
        ("_stale", "raw.fetches", "build.raw.fetches"),
        ("_wanted", "build.raw.fetches", "raw.fetches"),
    ):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT run_id FROM ("
            f"{_RUN_DIGEST.format(table=mine)} EXCEPT {_RUN_DIGEST.format(table=other)})"
        )
    if con.execute("SELECT count(*) FROM _stale").fetchone()[0]:
        con.execute("DELETE FROM raw.fetches WHERE run_id IN (SELECT run_id FROM _stale)")
    con.execute(
        "INSERT INTO raw.fetches SELECT * FROM build.raw.fetches"
        " WHERE run_id IN (SELECT run_id FROM _wanted)"
    )
    con.execute("DROP TABLE _stale")
    con.execute("DROP TABLE _wanted")
