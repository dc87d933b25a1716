"""`cnfiscal query`: SQL on the published warehouse through a read-only connection."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from cnfiscal.settings import get_settings
from cnfiscal.warehouse import lake


def _open(database: str | None) -> duckdb.DuckDBPyConnection:
    """The published warehouse read-only: a file (--database, or file mode) or the DuckLake."""
    settings = get_settings()
    if database is None and settings.lake_dir is not None:
        return lake.connect(settings.lake_dir, read_only=True)
    path = Path(database) if database else settings.published_db
    if not path.exists():
        raise FileNotFoundError(path)
    return duckdb.connect(str(path), read_only=True)


def run_query(sql: str, database: str | None = None, fmt: str = "table") -> int:
    try:
        con = _open(database)
    except FileNotFoundError as exc:
        print(f"no warehouse at {exc}: run `cnfiscal run` (or `make run`) first", file=sys.stderr)
        return 2
    try:
        with con:
            rel = con.sql(sql)
            if rel is None:
                return 0
            if fmt == "csv":
                rel.df().to_csv(sys.stdout, index=False)
            elif fmt == "json":
                print(rel.df().to_json(orient="records", force_ascii=False, date_format="iso"))
            else:
                rel.show(max_width=200, max_rows=200)
    except duckdb.Error as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    return 0
