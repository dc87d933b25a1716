"""Agency names resolved to stable ids and region codes: the rows of raw.agency_names.

dbt cannot call Python, and the folding rules live in cnfiscal.vocab.agencies; these rows apply
them to every name a report states and every name the lineage vocabulary links.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from cnfiscal.vocab.agencies import agency_lineage, resolve_agency

COLUMNS = (
    "document_id",
    "origin",
    "name_as_written",
    "region_as_written",
    "canonical_name",
    "agency_id",
    "region_code",
    "region_name",
    "region_level",
)

DDL = """
CREATE OR REPLACE TABLE raw.agency_names (
    document_id       VARCHAR,          -- NULL for names that only the lineage vocabulary states
    origin            VARCHAR NOT NULL, -- document | lineage
    name_as_written   VARCHAR NOT NULL,
    region_as_written VARCHAR,
    canonical_name    VARCHAR NOT NULL,
    agency_id         VARCHAR NOT NULL,
    region_code       VARCHAR,
    region_name       VARCHAR,
    region_level      VARCHAR
)
"""


def resolve(name: str, region: str | None) -> tuple[str, str, str | None, str | None, str | None]:
    """(canonical name, agency id, region code, region name, region level) of one name."""
    canonical, place, ident = resolve_agency(name, region)
    return (
        canonical,
        ident,
        place.code if place else None,
        place.name if place else None,
        place.level if place else None,
    )


def agency_name_rows(documents: Iterable[tuple[str, str, str | None]]) -> list[tuple]:
    """One row per (document, agency name) and one per name in agency_lineage.csv."""
    # An agency names itself the same way in report after report (budget, final account,
    # evaluation, year after year): resolve each distinct (name, region) once.
    resolved: dict[tuple[str, str | None], tuple] = {}
    rows = []
    for document_id, name, region in documents:
        if not (name and name.strip()):
            continue
        key = (name, region)
        if key not in resolved:
            resolved[key] = resolve(name, region)
        rows.append((document_id, "document", name, region, *resolved[key]))
    lineage_names = {n for s in agency_lineage() for n in (s.predecessor, s.successor)}
    rows += [(None, "lineage", name, None, *resolve(name, None)) for name in sorted(lineage_names)]
    return rows


def write_agency_names(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Replace raw.agency_names with `rows` in one transaction."""
    con.execute("BEGIN")
    try:
        _write(con, rows)
        con.execute(f"DROP TABLE IF EXISTS {STATE_TABLE}")  # not built by refresh: no stamp
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _write(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    con.execute(DDL)
    _insert(con, rows)


def _insert(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    if not rows:
        return
    # one columnar insert: executemany goes row by row (seconds at 10,000 reports)
    columns = zip(COLUMNS, zip(*rows, strict=True), strict=True)
    table = pa.table({name: pa.array(col, pa.string()) for name, col in columns})
    con.register("_agency_names", table)
    try:
        con.execute("INSERT INTO raw.agency_names SELECT * FROM _agency_names")
    finally:
        con.unregister("_agency_names")


# What resolving a name depends on: the vocabulary (code and files) and this module.
_VOCAB = Path(__file__).resolve().parents[1] / "vocab"
STATE_TABLE = "meta.agency_names_state"


def vocabulary_stamp() -> str:
    digest = hashlib.sha256()
    files = sorted([*_VOCAB.glob("*.py"), *_VOCAB.glob("*.csv"), Path(__file__).resolve()])
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass
class Refresh:
    rows: int  # in raw.agency_names now
    agencies: int  # distinct agency ids
    without_region_code: list[str]  # names no region code was found for
    added: int  # document rows written by this refresh
    removed: int  # document rows of documents gone or changed
    resolved: int  # distinct (name, region) pairs resolved by this refresh
    full: bool  # rebuilt whole (first run, or the vocabulary changed)


def refresh_agency_names(con: duckdb.DuckDBPyConnection) -> Refresh:
    """Bring raw.agency_names up to date with raw.documents, in one transaction.

    Rebuilt whole when the vocabulary differs from the one the table was built with (stamped
    in meta.agency_names_state) or there is no table yet. Otherwise only the rows of documents
    that left raw.documents or now state another name are dropped, and the documents without
    a row get theirs, each new (name, region) resolved once unless the table already holds
    its resolution: a night with 1 % of reports changed resolves their names, not every name
    again. The rows are those agency_name_rows gives for all of raw.documents either way."""
    stamp = vocabulary_stamp()
    if _stored_stamp(con) != stamp:
        docs = con.execute(
            "SELECT document_id, agency, region FROM raw.documents ORDER BY document_id"
        ).fetchall()
        rows = agency_name_rows(docs)
        con.execute("BEGIN")
        try:
            _write(con, rows)
            _stamp(con, stamp)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        pairs = len({(r[2], r[3]) for r in rows if r[1] == "document"})
        added = sum(1 for r in rows if r[1] == "document")
        return _summary(con, added=added, removed=0, resolved=pairs, full=True)
    con.execute("BEGIN")
    try:
        (removed,) = con.execute(
            "DELETE FROM raw.agency_names a WHERE origin = 'document' AND NOT EXISTS ("
            "SELECT 1 FROM raw.documents d WHERE d.document_id = a.document_id"
            " AND d.agency = a.name_as_written"
            " AND d.region IS NOT DISTINCT FROM a.region_as_written)"
        ).fetchone()
        # Documents with a name and no row; a blank name never gets one (agency_name_rows).
        new = con.execute(
            "SELECT d.document_id, d.agency, d.region FROM raw.documents d"
            " WHERE d.agency IS NOT NULL AND d.agency <> '' AND NOT EXISTS ("
            "SELECT 1 FROM raw.agency_names a WHERE a.origin = 'document'"
            " AND a.document_id = d.document_id) ORDER BY d.document_id"
        ).fetchall()
        new = [(doc, name, region) for doc, name, region in new if name.strip()]
        known = _known(con, {(name, region) for _, name, region in new})
        fresh = {(name, region) for _, name, region in new} - known.keys()
        known |= {key: resolve(*key) for key in fresh}
        rows = [(doc, "document", name, region, *known[name, region]) for doc, name, region in new]
        _insert(con, rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return _summary(con, added=len(rows), removed=removed, resolved=len(fresh), full=False)


def _stored_stamp(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        rows = con.execute(f"SELECT vocabulary FROM {STATE_TABLE}").fetchall()
        con.execute("SELECT 1 FROM raw.agency_names LIMIT 0")
    except duckdb.CatalogException:  # never built here
        return None
    return rows[0][0] if rows else None


def _stamp(con: duckdb.DuckDBPyConnection, stamp: str) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        f"CREATE OR REPLACE TABLE {STATE_TABLE} AS SELECT ?::VARCHAR AS vocabulary", [stamp]
    )


def _known(con: duckdb.DuckDBPyConnection, pairs: set[tuple]) -> dict[tuple, tuple]:
    """The resolutions raw.agency_names already holds for these (name, region) pairs."""
    if not pairs:
        return {}
    names, regions = zip(*pairs, strict=True)
    con.register(
        "_pairs",
        pa.table({"name": pa.array(names, pa.string()), "region": pa.array(regions, pa.string())}),
    )
    try:
        found = con.execute(
            "SELECT DISTINCT a.name_as_written, a.region_as_written, a.canonical_name,"
            " a.agency_id, a.region_code, a.region_name, a.region_level"
            " FROM raw.agency_names a JOIN _pairs p ON a.name_as_written = p.name"
            " AND a.region_as_written IS NOT DISTINCT FROM p.region"
            " WHERE a.origin = 'document'"
        ).fetchall()
    finally:
        con.unregister("_pairs")
    return {(name, region): tuple(rest) for name, region, *rest in found}


def _summary(con, **counts) -> Refresh:
    rows, agencies = con.execute(
        "SELECT count(*), count(DISTINCT agency_id) FROM raw.agency_names"
    ).fetchone()
    unresolved = [
        n
        for (n,) in con.execute(
            "SELECT DISTINCT name_as_written FROM raw.agency_names WHERE region_code IS NULL"
            " ORDER BY 1"
        ).fetchall()
    ]
    return Refresh(rows, agencies, unresolved, **counts)
