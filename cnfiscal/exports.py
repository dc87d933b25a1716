"""Open-data downloads: every mart as a Parquet file, each swapped in atomically."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
