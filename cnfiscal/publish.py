"""Publishing: Parquet exports of the marts and the analysts' copy of the warehouse.

Both are written beside their destination first and swapped in with os.replace, so a run
that dies half-way leaves the previous published files whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass
class ExportedFile:
    table: str
    path: Path
    rows: int
    bytes: int
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def mart_tables(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        ).fetchall()
    ]


def export_marts(db_path: Path, exports_dir: Path, schema: str = "marts") -> list[ExportedFile]:
    """Every table of `schema` as `<table>.parquet` (zstd) in exports_dir, replaced atomically."""
    exports_dir.mkdir(parents=True, exist_ok=True)
    out: list[ExportedFile] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        for table in mart_tables(con, schema):
            target = exports_dir / f"{table}.parquet"
            tmp = exports_dir / f".{table}.parquet.tmp"
            con.execute(
                f"COPY (SELECT * FROM {schema}.{table}) TO '{tmp}' "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            os.replace(tmp, target)
            rows = con.execute(f"SELECT count(*) FROM {schema}.{table}").fetchall()[0][0]
            out.append(ExportedFile(table, target, rows, target.stat().st_size, _sha256(target)))
    return out


def publish_database(build_db: Path, published_db: Path) -> Path:
    """Copy the build file over the published one atomically (after a checkpoint)."""
    with duckdb.connect(str(build_db)) as con:
        con.execute("CHECKPOINT")
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
