"""A site tree's record of itself, so a build can tell what of the spare tree is current without
reading its files: .build-manifest.csv (per agency page, the digest of what it was made from and
the charts drawn) and .build-sources.csv (per file in sources/, what it is a link to).

While a build changes a tree, .build-journal.csv names the pages and sources it is about to
touch; it goes once the build has written both manifests anew. A row the journal names is not
trusted (a crash may have left that file half-done), so the next build makes it again.

The records are CSV written and read by DuckDB: a night reads and compares them there, and
only the rows that differ come back to Python.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PAGES = ".build-manifest.csv"
SOURCES = ".build-sources.csv"
JOURNAL = ".build-journal.csv"
COLUMNS = {
    PAGES: {"agency_id": "VARCHAR", "digest": "VARCHAR", "charts": "INTEGER"},
    # key: of the report the file was linked for; object: a fetch cache object (content-
    # addressed, trusted to stay); otherwise the linked file's identity when it was linked
    SOURCES: {
        "name": "VARCHAR",
        "key": "UBIGINT",
        "object": "BOOLEAN",
        "ino": "UBIGINT",
        "dev": "UBIGINT",
        "size": "BIGINT",
        "mtime_ns": "BIGINT",
    },
    JOURNAL: {"kind": "VARCHAR", "name": "VARCHAR"},
}
PAGE, SOURCE = "page", "source"  # the journal's kinds


def quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read(con: duckdb.DuckDBPyConnection, table: str, tree: Path | None, file: str) -> bool:
    """Table `table` from tree's `file`; False (and an empty table) when it is not there or
    not readable."""
    columns = COLUMNS[file]
    path = tree / file if tree else None
    if path and path.is_file():
        spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv({quote(path)}, "
                f"header = true, auto_detect = false, columns = {spec})"
            )
            return True
        except duckdb.Error:
            pass  # unreadable: as if there were none, so everything is made again
    ddl = ", ".join(f"{c} {t}" for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({ddl})")
    return False


def read(
    con: duckdb.DuckDBPyConnection, prefix: str, tree: Path | None, sources: bool = True
) -> set[str]:
    """Tables {prefix}_pages and (with `sources`) {prefix}_sources from tree's records, each
    with a column `dirty`: named by a journal left by a build that did not finish. Returns the
    records that were there to read (PAGES, SOURCES)."""
    _read(con, f"{prefix}_journal", tree, JOURNAL)
    records = [(PAGE, PAGES, "agency_id")] + ([(SOURCE, SOURCES, "name")] if sources else [])
    found = set()
    for kind, file, key in records:
        if _read(con, f"{prefix}_{kind}s_raw", tree, file):
            found.add(file)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {prefix}_{kind}s AS SELECT r.*, "
            f"{key} IN (SELECT name FROM {prefix}_journal WHERE kind = '{kind}') AS dirty "
            f"FROM {prefix}_{kind}s_raw r"
        )
    return found


def _write(con: duckdb.DuckDBPyConnection, tree: Path, file: str, query: str) -> None:
    tmp = tree / f"{file}.tmp"
    order = next(iter(COLUMNS[file]))
    con.execute(
        f"COPY (SELECT {', '.join(COLUMNS[file])} FROM ({query}) ORDER BY {order}) "
        f"TO {quote(tmp)} (FORMAT csv, HEADER)"
    )
    os.replace(tmp, tree / file)


def begin(con: duckdb.DuckDBPyConnection, tree: Path, touched: str) -> None:
    """Write the journal: `touched` is a query of (kind, name) rows."""
    _write(con, tree, JOURNAL, touched)


def commit(
    con: duckdb.DuckDBPyConnection, tree: Path, pages: str | None, sources: str | None
) -> None:
    """The manifests from queries of their columns (None: that record is unchanged), then the
    journal goes."""
    for file, query in ((SOURCES, sources), (PAGES, pages)):
        if query is not None:
            _write(con, tree, file, query)
    (tree / JOURNAL).unlink(missing_ok=True)
