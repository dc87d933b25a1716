"""Take the primary key off a table of an older warehouse: DuckDB cannot drop a constraint, so
the table is copied once into one declared without it (columns, types and NOT NULLs kept, rows
in their stored order), inside the caller's transaction.

Why the raw tables carry no key: DuckDB writes a changed table's ART index out whole at every
checkpoint. At 100,000 reports that was 0.3-0.5 s a night for raw.facts (1.7 M keys) and
0.2-0.3 s for raw.documents, for rows that are unique by construction (warehouse.load, fetch_log).
"""

from __future__ import annotations

import duckdb


def keyed(con: duckdb.DuckDBPyConnection, schema: str, tables: tuple[str, ...]) -> list[str]:
    """Which of `tables` in `schema` still have a primary key (one catalog query)."""
    rows = con.execute(
        "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE schema_name = ? "
        "AND constraint_type = 'PRIMARY KEY' AND list_contains(?, table_name)",
        [schema, list(tables)],
    ).fetchall()
    return sorted(r[0] for r in rows)


def drop_primary_key(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    columns = con.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    ddl = ", ".join(
        f'"{name}" {kind}{"" if nullable == "YES" else " NOT NULL"}'
        for name, kind, nullable in columns
    )
    old = f"{table}_keyed"
    con.execute(f'ALTER TABLE {schema}."{table}" RENAME TO "{old}"')
    con.execute(f'CREATE TABLE {schema}."{table}" ({ddl})')
    con.execute(f'INSERT INTO {schema}."{table}" SELECT * FROM {schema}."{old}" ORDER BY rowid')
    con.execute(f'DROP TABLE {schema}."{old}"')
