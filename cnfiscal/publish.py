"""Publishing the analysts' copy of the warehouse.

File mode: the copy is written beside its destination first and swapped in with os.replace,
so a run that dies half-way leaves the previous published file whole. The copy of a large
file takes seconds (by direct I/O, see cnfiscal.file_copy), so the exports step starts it
(stage_copy) as soon as the build is final, and the publish step swaps it in if the build file
is still the one copied.
DuckLake mode (CNFISCAL_WAREHOUSE=ducklake:PATH): the build is copied into the lake in one
transaction (cnfiscal.warehouse.lake), which readers in other processes see whole or not at all.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

import duckdb

from cnfiscal.file_copy import copy_file
from cnfiscal.settings import Settings
from cnfiscal.warehouse import lake
from cnfiscal.warehouse.load import ensure_schema
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
    what it was built from (see cnfiscal.warehouse.state). A copy staged by stage_copy is
    swapped in instead if the build file has not changed since it was taken."""
    staged = _take_staged(build_db, published_db)
    if staged is not None:
        os.replace(staged, published_db)
        return published_db
    _stamp(build_db)
    published_db.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_copy_path(published_db)
    try:
        copy_file(build_db, tmp)
        os.replace(tmp, published_db)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return published_db


def _new_copy_path(published_db: Path, prefix: str = ".publish-") -> str:
    fd, tmp = tempfile.mkstemp(dir=published_db.parent, prefix=prefix, suffix=".duckdb")
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; analysts must be able to read it
    return tmp


# Beside the published file: the staged copies, and which one is complete, of which build file.
STAGED_PREFIX = ".publish-staged-"
STAGED_RECORD = ".publish-staged.json"


def file_identity(path: Path) -> list[int]:
    """Which file is at `path`: a file renamed over it, or written, changes it."""
    st = os.stat(path)
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


class StagedCopy:
    """A copy of the stamped build file being written beside the published one, in a thread.
    finish() waits for it and records it (or drops it, if `keep` is false or the build file
    changed meanwhile); publish_database then renames it in instead of copying again."""

    def __init__(self, build_db: Path, published_db: Path):
        self.build_db, self.published_db = build_db, published_db
        published_db.parent.mkdir(parents=True, exist_ok=True)
        discard_staged(published_db)
        _stamp(build_db)
        self.identity = file_identity(build_db)
        self.path = _new_copy_path(published_db, STAGED_PREFIX)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy, name="stage-publish", daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        try:
            copy_file(self.build_db, self.path)
        except BaseException as exc:  # finish() then drops the copy; publishing copies again
            self.error = exc

    def finish(self, keep: bool = True) -> bool:
        self._thread.join()
        if keep and self.error is None and file_identity(self.build_db) == self.identity:
            record = {"file": os.path.basename(self.path), "build": str(self.build_db)}
            record["identity"] = self.identity
            _write_record(self.published_db.parent / STAGED_RECORD, record)
            return True
        Path(self.path).unlink(missing_ok=True)
        return False


def stage_copy(settings: Settings) -> StagedCopy | None:
    """Start staging the published copy (file mode only: DuckLake publishes by transaction).
    The build file must not be written again before publishing, or the copy is not used."""
    if settings.lake_dir is not None:
        return None
    return StagedCopy(settings.build_db, settings.published_db)


def _take_staged(build_db: Path, published_db: Path) -> str | None:
    """The staged copy's path if it is complete and the build file is still the one copied;
    otherwise None, and any staged copy is removed."""
    record_path = published_db.parent / STAGED_RECORD
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        path = str(published_db.parent / record["file"])
        ok = record["build"] == str(build_db) and record["identity"] == file_identity(build_db)
        ok = ok and os.path.getsize(path) == record["identity"][2]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        ok = False
    if not ok:
        discard_staged(published_db)
        return None
    record_path.unlink()
    return path


def discard_staged(published_db: Path) -> None:
    """Remove staged copies and their record (left by a failed or unpublished run)."""
    (published_db.parent / STAGED_RECORD).unlink(missing_ok=True)
    for leftover in published_db.parent.glob(f"{STAGED_PREFIX}*.duckdb"):
        leftover.unlink(missing_ok=True)


def _write_record(path: Path, record: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


def refresh_published_fetch_log(build_db: Path, published_db: Path) -> Path:
    """After a run that changed nothing else, give analysts this run's fetch log (failed
    fetches included) without rebuilding: a copy of the published file gets the build's
    raw.fetches, run totals and first sightings, and is swapped in atomically. Marts are
    untouched, so no check is bypassed. Only the runs that differ are rewritten
    (see _sync_fetch_runs)."""
    tmp = _new_copy_path(published_db)
    try:
        copy_file(published_db, tmp)
        with duckdb.connect(tmp) as con:
            ensure_schema(con)  # a copy published by an older version gets raw.fetch_runs
            con.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
            con.execute("BEGIN")
            _sync_fetch_runs(con)
            con.execute("COMMIT")
            con.execute("DETACH build")
            con.execute("CHECKPOINT")
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
    # one row per run: copied whole
    con.execute("DELETE FROM raw.fetch_runs")
    con.execute("INSERT INTO raw.fetch_runs SELECT * FROM build.raw.fetch_runs")
    # a first sighting never changes: only the build's new sources
    con.execute(
        "INSERT INTO raw.source_first_seen SELECT * FROM build.raw.source_first_seen"
        " WHERE source_id NOT IN (SELECT source_id FROM raw.source_first_seen)"
    )
