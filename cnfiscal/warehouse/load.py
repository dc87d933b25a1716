"""Write fetch records and extracted reports into the raw schema.

Each report version is replaced as a unit (delete, then insert, in one transaction), so
re-running never duplicates rows and a crash never leaves half a document behind.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from cnfiscal.model import Extraction, format_decimal
from cnfiscal.warehouse import fetch_log, unkey

REPORT_TABLES = ("documents", "facts", "parse_issues")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(resources.files("cnfiscal.warehouse").joinpath("schema.sql").read_text("utf-8"))
    fetch_log.migrate(con)
    keyed = unkey.keyed(con, "raw", REPORT_TABLES)  # a warehouse from before: once
    if keyed:
        con.execute("BEGIN")
        try:
            for table in keyed:
                unkey.drop_primary_key(con, "raw", table)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def document_id(source_id: str, sha256: str) -> str:
    return f"{source_id}@{sha256[:12]}"


@dataclass
class FetchRecord:
    source_id: str
    location: str
    status: str
    sha256: str | None
    size_bytes: int | None
    http_status: int | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    message: str | None


_FETCH_COLUMNS = {
    "run_id": pa.string(),
    "source_id": pa.string(),
    "location": pa.string(),
    "status": pa.string(),
    "sha256": pa.string(),
    "size_bytes": pa.int64(),
    "http_status": pa.int32(),
    "etag": pa.string(),
    "last_modified": pa.string(),
    "fetched_at": pa.timestamp("us", tz="UTC"),
    "message": pa.string(),
}


def record_fetches(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[FetchRecord]) -> None:
    """One row per source per run (a re-executed step replaces its own rows); see fetch_log."""
    data = {name: [getattr(r, name) for r in rows] for name in _FETCH_COLUMNS if name != "run_id"}
    data["run_id"] = [run_id] * len(rows)
    fetch_log.record(con, run_id, _arrow(data, _FETCH_COLUMNS))


def _arrow(data: dict[str, list], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({name: pa.array(data[name], type=types[name]) for name in types})


def parsed_versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """document_id → parser_version of every version already loaded."""
    return dict(con.execute("SELECT document_id, parser_version FROM raw.documents").fetchall())


def _add_facts(cols: list[list], doc_id: str, extraction: Extraction) -> None:
    """Append a report's facts to `cols`, one list per _FACT_COLUMNS column, in its order.

    A load batch becomes one Arrow table built once: a table per report (a few dozen rows each)
    cost ~23 pa.array calls per report, and DuckDB scans a table of hundreds of tiny chunks
    several times slower than one chunk."""
    for seq, f in enumerate(extraction.facts):
        row = (
            doc_id,
            seq,
            f.statement,
            f.item,
            f.scope,
            f.basis,
            f.year,
            f.measure,
            # Decimal travels as text and is cast by DuckDB: no float on the way.
            format_decimal(f.value),
            f.unit,
            f.label,
            f.compare_year,
            f.compare_basis,
            f.qualifier,
            f.category,
            f.code,
            f.parent_code,
            f.source,
            f.start,
            f.end,
            f.evidence,
            f.page,
            f.table,
            f.row,
            f.col,
            json.dumps(f.also_in, ensure_ascii=False) if f.also_in else None,
            f.ocr_confidence,
        )
        for col, value in zip(cols, row, strict=True):
            col.append(value)


_FACT_COLUMNS = {
    "document_id": pa.string(),
    "fact_seq": pa.int32(),
    "statement": pa.string(),
    "item": pa.string(),
    "scope": pa.string(),
    "basis": pa.string(),
    "year": pa.int32(),
    "measure": pa.string(),
    "value": pa.string(),
    "unit": pa.string(),
    "label": pa.string(),
    "compare_year": pa.int32(),
    "compare_basis": pa.string(),
    "qualifier": pa.string(),
    "category": pa.string(),
    "code": pa.string(),
    "parent_code": pa.string(),
    "source": pa.string(),
    "char_start": pa.int32(),
    "char_end": pa.int32(),
    "evidence": pa.string(),
    "page": pa.int32(),
    "table_index": pa.int32(),
    "row_index": pa.int32(),
    "col_index": pa.int32(),
    "also_in": pa.string(),
    "ocr_confidence": pa.float64(),
}


@dataclass
class ParsedVersion:
    """One parsed report version, ready to load."""

    source_id: str
    location: str
    sha256: str
    size_bytes: int | None
    fetched_at: datetime
    parsed_at: datetime
    parser_version: str
    extraction: Extraction


_DOC_COLUMNS = {
    "document_id": pa.string(),
    "source_id": pa.string(),
    "location": pa.string(),
    "sha256": pa.string(),
    "size_bytes": pa.int64(),
    "format": pa.string(),
    "fetched_at": pa.timestamp("us", tz="UTC"),
    "parsed_at": pa.timestamp("us", tz="UTC"),
    "parser_version": pa.string(),
    "agency": pa.string(),
    "region": pa.string(),
    "fiscal_year": pa.int32(),
    "doc_kind": pa.string(),
    "fact_count": pa.int32(),
    "error_count": pa.int32(),
}

_ISSUE_COLUMNS = {
    "document_id": pa.string(),
    "issue_seq": pa.int32(),
    "severity": pa.string(),
    "code": pa.string(),
    "message": pa.string(),
    "quote": pa.string(),
    "char_start": pa.int32(),
    "page": pa.int32(),
}


def _doc_row(doc_id: str, v: ParsedVersion) -> dict:
    meta = v.extraction.document
    return {
        "document_id": doc_id,
        "source_id": v.source_id,
        "location": v.location,
        "sha256": v.sha256,
        "size_bytes": v.size_bytes,
        "format": v.extraction.format,
        "fetched_at": v.fetched_at,
        "parsed_at": v.parsed_at,
        "parser_version": v.parser_version,
        "agency": meta.agency or None,
        "region": meta.region or None,
        "fiscal_year": meta.fiscal_year,
        "doc_kind": meta.doc_kind or None,
        "fact_count": len(v.extraction.facts),
        "error_count": sum(1 for i in v.extraction.issues if i.severity == "error"),
    }


def replace_documents(con: duckdb.DuckDBPyConnection, versions: list[ParsedVersion]) -> list[str]:
    """Load report versions in one transaction (a batch is all-or-nothing). Loading a version
    again replaces it; earlier versions of the same sources stop being current."""
    if not versions:
        return []
    docs = {name: [] for name in _DOC_COLUMNS}
    issues = {name: [] for name in _ISSUE_COLUMNS}
    facts = {name: [] for name in _FACT_COLUMNS}
    fact_cols = list(facts.values())
    ids = [document_id(v.source_id, v.sha256) for v in versions]
    if len(set(ids)) < len(ids):  # the tables have no key to refuse it (schema.sql)
        twice = sorted(i for i, n in Counter(ids).items() if n > 1)
        raise ValueError(f"a load batch holds these report versions twice: {', '.join(twice)}")
    for doc_id, v in zip(ids, versions, strict=True):
        for name, value in _doc_row(doc_id, v).items():
            docs[name].append(value)
        _add_facts(fact_cols, doc_id, v.extraction)
        for n, i in enumerate(v.extraction.issues):
            row = [doc_id, n, i.severity, i.code, i.message, i.quote or None, i.start, i.page]
            for name, value in zip(_ISSUE_COLUMNS, row, strict=True):
                issues[name].append(value)
    con.execute("BEGIN")
    try:
        con.register("_new_docs", _arrow(docs, _DOC_COLUMNS))
        con.register("_new_facts", _arrow(facts, _FACT_COLUMNS))
        con.register("_new_issues", _arrow(issues, _ISSUE_COLUMNS))
        # A version first seen earlier keeps its valid_from when only the parser changed.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _prior AS SELECT document_id, valid_from "
            "FROM raw.documents WHERE document_id IN (SELECT document_id FROM _new_docs)"
        )
        # Only a version loaded before (a re-parse) has rows to replace; a new version has
        # none, and each DELETE would scan raw.facts whole (millions of rows at 100,000).
        if con.execute("SELECT count(*) FROM _prior").fetchone()[0]:
            for table in ("facts", "parse_issues", "documents"):
                con.execute(
                    f"DELETE FROM raw.{table} WHERE document_id IN (SELECT document_id FROM _prior)"
                )
        con.execute(
            "UPDATE raw.documents SET valid_to = n.parsed_at, is_current = false "
            "FROM _new_docs n WHERE raw.documents.source_id = n.source_id "
            "AND raw.documents.is_current"
        )
        con.execute(
            "INSERT INTO raw.documents SELECT n.*, 'loaded', NULL, "
            "coalesce(p.valid_from, n.parsed_at), NULL, true "
            "FROM _new_docs n LEFT JOIN _prior p USING (document_id)"
        )
        # Decimal travels as text and is cast by DuckDB: no float on the way.
        con.execute(
            "INSERT INTO raw.facts SELECT * REPLACE (CAST(value AS DECIMAL(24, 6)) AS value,"
            " CAST(also_in AS JSON) AS also_in) FROM _new_facts"
        )
        con.execute("INSERT INTO raw.parse_issues SELECT * FROM _new_issues")
        con.execute("DROP TABLE _prior")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("_new_docs", "_new_facts", "_new_issues"):
            con.unregister(name)
    return ids


def replace_document(con: duckdb.DuckDBPyConnection, **fields) -> str:
    """Load one report version (see replace_documents)."""
    return replace_documents(con, [ParsedVersion(**fields)])[0]


def current_sources(path: Path) -> list[str]:
    """Sources with a current version in the build file (none when it does not exist yet);
    a short read-only connection, never held."""
    if not path.exists():
        return []
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            rows = con.execute(
                "SELECT DISTINCT source_id FROM raw.documents WHERE is_current"
            ).fetchall()
        except duckdb.CatalogException:  # a file with no raw schema yet
            return []
    return [s for (s,) in rows]


def dropped_sources(
    con: duckdb.DuckDBPyConnection,
    live_source_ids: list[str],
    in_scope: Callable[[str], bool] | None = None,
) -> list[str]:
    """Sources with a current version that the catalog no longer lists (found in SQL: only the
    dropped ones, usually none, come back to Python)."""
    con.register("_listed", pa.table({"source_id": pa.array(live_source_ids, type=pa.string())}))
    try:
        gone = con.execute(
            "SELECT DISTINCT source_id FROM raw.documents WHERE is_current"
            " AND source_id NOT IN (SELECT source_id FROM _listed) ORDER BY source_id"
        ).fetchall()
    finally:
        con.unregister("_listed")
    return [s for (s,) in gone if in_scope is None or in_scope(s)]


def retire_missing_sources(
    con: duckdb.DuckDBPyConnection,
    live_source_ids: list[str],
    when: datetime,
    in_scope: Callable[[str], bool] | None = None,
) -> int:
    """Sources dropped from the catalog stop being current (their rows stay, for history).
    in_scope limits this to the sources a partial (per-batch) run is responsible for."""
    gone = dropped_sources(con, live_source_ids, in_scope)
    if not gone:
        return 0
    con.register("_gone", pa.table({"source_id": pa.array(gone, type=pa.string())}))
    n = con.execute(
        "UPDATE raw.documents SET valid_to = ?, is_current = false "
        "WHERE is_current AND source_id IN (SELECT source_id FROM _gone) RETURNING 1",
        [when],
    ).fetchall()
    con.unregister("_gone")
    return len(n)
