"""The DuckLake warehouse mode: the published warehouse as a DuckLake (a SQLite catalog and
Parquet data files in one folder) that many processes read while one run publishes.

A run still builds in its private DuckDB build file (one writer, keys checked, dbt and
the quality gate as in file mode). Publishing copies every table and view of the build into the
lake in ONE DuckLake transaction, so a reader's snapshot holds either the previous run or this
one, never a mix. The catalog is SQLite, not a DuckDB file: a DuckDB file is locked by the
process that writes it, so no other process could attach it during a publish.

The extensions come from Python packages pinned in the lock file (duckdb-extension-ducklake,
duckdb-extension-sqlite-scanner) and are LOADed from their files, with autoinstall and autoload
of known extensions off: nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import timedelta
from importlib import resources
from pathlib import Path

import duckdb

ALIAS = "lake"
CATALOG_FILE = "catalog.sqlite"
DATA_DIR = "data"
# Snapshots (and the Parquet files only they use) older than this are removed after a publish:
# a reader that attached before then may still be scanning them.
RETENTION = timedelta(hours=1)

# (package, extension) for every extension the lake needs, in load order.
_EXTENSIONS = [
    ("duckdb_extension_sqlite_scanner", "sqlite_scanner"),
    ("duckdb_extension_ducklake", "ducklake"),
]
_OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class LakeUnavailable(RuntimeError):
    """The packaged DuckLake extension is missing or cannot load in this DuckDB."""


def extension_file(package: str, name: str) -> Path:
    """The .duckdb_extension a package ships for this DuckDB version."""
    try:
        mod = importlib.import_module(package)
    except ImportError as exc:
        raise LakeUnavailable(f"{package} is not installed: {exc}") from exc
    path = resources.files(mod) / "extensions" / f"v{duckdb.__version__}"
    path = Path(str(path)) / f"{name}.duckdb_extension"
    if not path.is_file():
        raise LakeUnavailable(f"{package} has no {name} build for DuckDB {duckdb.__version__}")
    return path


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    for package, name in _EXTENSIONS:
        con.execute(f"LOAD '{extension_file(package, name)}'")


def catalog_path(lake_dir: Path) -> Path:
    return lake_dir / CATALOG_FILE


def attach_sql(lake_dir: Path, read_only: bool = False) -> str:
    opts = f"DATA_PATH '{lake_dir / DATA_DIR}/'"
    if read_only:
        opts += ", READ_ONLY"
    return f"ATTACH 'ducklake:sqlite:{catalog_path(lake_dir)}' AS {ALIAS} ({opts})"


def connect(lake_dir: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as `lake` and in use (so `marts.x` works)."""
    if read_only and not catalog_path(lake_dir).exists():
        raise FileNotFoundError(catalog_path(lake_dir))
    lake_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config=dict(_OFFLINE))
    try:
        load_extensions(con)
        con.execute(attach_sql(lake_dir, read_only))
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def _objects(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    """(schema, name) of every user table and view of an attached database."""
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
        "UNION SELECT schema_name, view_name FROM duckdb_views() "
        "WHERE database_name = ? AND NOT internal ORDER BY 1, 2",
        [database, database],
    ).fetchall()


def _q(*parts: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def _attach_build(con: duckdb.DuckDBPyConnection, build_db: Path) -> str:
    """Attach the build file read-only under its own name: dbt's views name their tables with
    the file's catalog ("cnfiscal"."main_staging"...), which must resolve here too."""
    name = build_db.stem
    if name in (ALIAS, "memory", "system", "temp"):
        raise ValueError(f"build file {build_db} clashes with a catalog name of the connection")
    con.execute(f"ATTACH '{build_db}' AS {_q(name)} (READ_ONLY)")
    return name


def publish(
    build_db: Path,
    lake_dir: Path,
    retention: timedelta = RETENTION,
    before_commit: Callable[[], None] | None = None,
) -> int:
    """Replace the lake's contents with the build file's, in one transaction; returns the
    snapshot id readers see from then on. Views are published as tables (their SQL names the
    build file's catalog, which readers of the lake do not have). `before_commit` runs with
    every table written and nothing committed (tests hold the transaction open there)."""
    with connect(lake_dir) as con:
        build = _attach_build(con, build_db)
        new = _objects(con, build)
        old = _objects(con, ALIAS)
        con.execute("BEGIN")
        try:
            for schema in sorted({s for s, _ in new}):
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(ALIAS, schema)}")
            for schema, name in old:
                if (schema, name) not in new:
                    con.execute(f"DROP TABLE IF EXISTS {_q(ALIAS, schema, name)}")
            for schema, name in new:
                con.execute(
                    f"CREATE OR REPLACE TABLE {_q(ALIAS, schema, name)} AS "
                    f"SELECT * FROM {_q(build, schema, name)}"
                )
            if before_commit is not None:
                before_commit()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute(f"DETACH {_q(build)}")
        snapshot = current_snapshot(con)
        expire(con, retention)
    return snapshot


FETCH_LOG_TABLES = ("fetches", "fetch_runs", "source_first_seen")


def refresh_fetch_log(build_db: Path, lake_dir: Path) -> int:
    """A no-change run's fetch log replaces the lake's, in one transaction (marts untouched)."""
    with connect(lake_dir) as con:
        build = _attach_build(con, build_db)
        con.execute("BEGIN")
        for table in FETCH_LOG_TABLES:
            source = _q(build, "raw", table)
            # a lake published before one of these tables existed gets it here
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {ALIAS}.raw.{table} AS SELECT * FROM {source} LIMIT 0"
            )
            con.execute(f"DELETE FROM {ALIAS}.raw.{table}")
            con.execute(f"INSERT INTO {ALIAS}.raw.{table} SELECT * FROM {source}")
        con.execute("COMMIT")
        con.execute(f"DETACH {_q(build)}")
        snapshot = current_snapshot(con)
        expire(con, RETENTION)
    return snapshot


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(f"SELECT * FROM ducklake_current_snapshot('{ALIAS}')").fetchone()[0]


def expire(con: duckdb.DuckDBPyConnection, retention: timedelta) -> None:
    """Drop snapshots older than `retention` and, later, the data files only they used.

    The ages are compared here, not by the extension's `older_than`: with a SQLite catalog the
    1.5.5 build expired every snapshot and listed every scheduled file for removal whatever the
    cutoff (measured: a cutoff an hour back removed snapshots a second old). Files scheduled by
    an earlier publish are removed once all of them are older than the retention; this
    publish's go on the list and wait for a later one, so a reader that attached to an expired
    snapshot keeps its files for at least `retention`."""
    cutoff = f"now() - INTERVAL '{int(retention.total_seconds())} seconds'"
    scheduled = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE schedule_start::TIMESTAMPTZ < {cutoff}) "
        f"FROM __ducklake_metadata_{ALIAS}.ducklake_files_scheduled_for_deletion"
    ).fetchone()
    if scheduled[0] and scheduled[0] == scheduled[1]:
        con.execute(f"CALL ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)")
    old = con.execute(
        f"SELECT list(snapshot_id) FROM ducklake_snapshots('{ALIAS}') WHERE snapshot_time < "
        f"{cutoff} AND snapshot_id < (SELECT max(snapshot_id) FROM ducklake_snapshots('{ALIAS}'))"
    ).fetchone()[0]
    if old:
        con.execute(f"CALL ducklake_expire_snapshots('{ALIAS}', versions => ?)", [old])


def fingerprint(lake_dir: Path) -> str | None:
    """The published lake's build stamp (cnfiscal.warehouse.state); None if unreadable."""
    if not catalog_path(lake_dir).exists():
        return None
    try:
        with connect(lake_dir, read_only=True) as con:
            rows = con.execute("SELECT fingerprint FROM meta.build_state").fetchall()
    except duckdb.Error:
        return None
    return rows[0][0] if rows else None
