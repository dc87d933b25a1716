"""Rows for suites that SQL alone cannot express (a suite names one with `"frame": ...`)."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

SCOPE_TABLE = "_gate_scope"  # document_id: the reports a scoped validation reads


def catalog_attempts(con: duckdb.DuckDBPyConnection, context: dict) -> pd.DataFrame:
    """One row per catalog entry with how the last run fetched it (NULLs if it never tried).

    The catalog is a YAML file, not a table, so its ids come in through `context`; the run is
    the one given (this Dagster run) or else the latest in raw.fetches.
    """
    ids = pd.DataFrame({"source_id": list(context.get("catalog_ids", []))}, dtype="string")
    run_id = (
        context.get("run_id")
        or (
            con.execute(
                "select run_id from raw.fetches order by fetched_at desc limit 1"
            ).fetchall()
            or [[None]]
        )[0][0]
    )
    con.register("_catalog", ids)
    try:
        return con.execute(
            "select c.source_id, ? as run_id, f.status, f.fetched_at, "
            "f.status is not null as attempted, "
            "coalesce(f.status in ('fetched', 'not_modified'), false) as fetched_fresh, "
            "f.message "
            "from _catalog c left join raw.fetches f "
            "on f.source_id = c.source_id and f.run_id = ? order by c.source_id",
            [run_id, run_id],
        ).df()
    finally:
        con.unregister("_catalog")


def mart_documents(con: duckdb.DuckDBPyConnection, context: dict) -> pd.DataFrame:
    """Every (mart, document) pair the marts hold, with the document's status in raw.

    Catches a mart that forgets to drop quarantined reports, whoever adds it later. Scoped
    (context["scoped"]), only the pairs of the reports in the gate's scope table.
    """
    marts = [
        t
        for (t,) in con.execute(
            "select table_name from information_schema.columns "
            "where table_schema = 'marts' and column_name = 'document_id' order by 1"
        ).fetchall()
    ]
    scoped = context.get("scoped")
    only = f" where document_id in (select document_id from {SCOPE_TABLE})" if scoped else ""
    parts = [
        f"select distinct '{t}' as mart, document_id from marts.\"{t}\"{only}" for t in marts
    ] or ["select null::varchar as mart, null::varchar as document_id where false"]
    return con.execute(
        "with pairs as (" + " union all ".join(parts) + ") "
        "select p.mart, p.document_id, coalesce(d.status, 'unknown') as status "
        "from pairs p left join raw.documents d using (document_id) order by 1, 2"
    ).df()


FRAMES: dict[str, Callable[[duckdb.DuckDBPyConnection, dict], pd.DataFrame]] = {
    "catalog_attempts": catalog_attempts,
    "mart_documents": mart_documents,
}


def build(name: str, con: duckdb.DuckDBPyConnection, context: dict) -> pd.DataFrame:
    return FRAMES[name](con, context)
