"""`cnfiscal query`: SQL on the published warehouse through a read-only connection."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from cnfiscal.settings import get_settings


def run_query(sql: str, database: str | None = None, fmt: str = "table") -> int:
    path = Path(database) if database else get_settings().published_db
    if not path.exists():
        print(f"no warehouse at {path}: run `cnfiscal run` (or `make run`) first", file=sys.stderr)
        return 2
    try:
        with duckdb.connect(str(path), read_only=True) as con:
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
