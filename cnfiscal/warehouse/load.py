"""Write fetch records and extracted reports into the raw schema.

Each report version is replaced as a unit (delete, then insert, in one transaction), so
re-running never duplicates rows and a crash never leaves half a document behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import duckdb
import pyarrow as pa

from cnfiscal.model import Extraction, format_decimal


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(resources.files("cnfiscal.warehouse").joinpath("schema.sql").read_text("utf-8"))


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


def record_fetches(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[FetchRecord]) -> None:
    con.execute("BEGIN")
    con.execute("DELETE FROM raw.fetches WHERE run_id = ?", [run_id])
    con.executemany(
        "INSERT INTO raw.fetches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                r.source_id,
                r.location,
                r.status,
                r.sha256,
                r.size_bytes,
                r.http_status,
                r.etag,
                r.last_modified,
                r.fetched_at,
                r.message,
            ]
            for r in rows
        ],
    )
    con.execute("COMMIT")


def parsed_versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """document_id → parser_version of every version already loaded."""
    return dict(con.execute("SELECT document_id, parser_version FROM raw.documents").fetchall())


def _facts_table(doc_id: str, extraction: Extraction) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in _FACT_COLUMNS}
    for seq, f in enumerate(extraction.facts):
        row = {
            "document_id": doc_id,
            "fact_seq": seq,
            "statement": f.statement,
            "item": f.item,
            "scope": f.scope,
            "basis": f.basis,
            "year": f.year,
            "measure": f.measure,
            # Decimal travels as text and is cast by DuckDB: no float on the way.
            "value": format_decimal(f.value),
            "unit": f.unit,
            "label": f.label,
            "compare_year": f.compare_year,
            "compare_basis": f.compare_basis,
            "qualifier": f.qualifier,
            "category": f.category,
            "code": f.code,
            "parent_code": f.parent_code,
            "source": f.source,
            "char_start": f.start,
            "char_end": f.end,
            "evidence": f.evidence,
            "page": f.page,
            "table_index": f.table,
            "row_index": f.row,
            "col_index": f.col,
            "also_in": json.dumps(f.also_in, ensure_ascii=False) if f.also_in else None,
        }
        for name in _FACT_COLUMNS:
            cols[name].append(row[name])
    return pa.table(
        {name: pa.array(values, type=_FACT_COLUMNS[name]) for name, values in cols.items()}
    )


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
}


def replace_document(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str,
    location: str,
    sha256: str,
    size_bytes: int,
    fetched_at: datetime,
    parsed_at: datetime,
    parser_version: str,
    extraction: Extraction,
) -> str:
    """Load one report version; earlier versions of the same source stop being current."""
    doc_id = document_id(source_id, sha256)
    meta = extraction.document
    errors = sum(1 for i in extraction.issues if i.severity == "error")
    facts = _facts_table(doc_id, extraction)
    issues = [
        [doc_id, n, i.severity, i.code, i.message, i.quote or None, i.start, i.page]
        for n, i in enumerate(extraction.issues)
    ]
    con.execute("BEGIN")
    try:
        # A version first seen earlier keeps its valid_from when only the parser changed.
        prior = con.execute(
            "SELECT valid_from FROM raw.documents WHERE document_id = ?", [doc_id]
        ).fetchall()
        valid_from = prior[0][0] if prior else parsed_at
        for table in ("facts", "parse_issues", "documents"):
            con.execute(f"DELETE FROM raw.{table} WHERE document_id = ?", [doc_id])
        con.execute(
            "UPDATE raw.documents SET valid_to = ?, is_current = false "
            "WHERE source_id = ? AND is_current",
            [parsed_at, source_id],
        )
        con.execute(
            "INSERT INTO raw.documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " 'loaded', NULL, ?, NULL, true)",
            [
                doc_id,
                source_id,
                location,
                sha256,
                size_bytes,
                extraction.format,
                fetched_at,
                parsed_at,
                parser_version,
                meta.agency or None,
                meta.region or None,
                meta.fiscal_year,
                meta.doc_kind or None,
                len(extraction.facts),
                errors,
                valid_from,
            ],
        )
        if facts.num_rows:
            con.register("_new_facts", facts)
            con.execute(
                "INSERT INTO raw.facts SELECT * REPLACE (CAST(value AS DECIMAL(24, 6)) AS value,"
                " CAST(also_in AS JSON) AS also_in) FROM _new_facts"
            )
            con.unregister("_new_facts")
        if issues:
            con.executemany("INSERT INTO raw.parse_issues VALUES (?, ?, ?, ?, ?, ?, ?, ?)", issues)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return doc_id


def retire_missing_sources(
    con: duckdb.DuckDBPyConnection, live_source_ids: list[str], when: datetime
) -> int:
    """Sources dropped from the catalog stop being current (their rows stay, for history)."""
    con.register("_live", pa.table({"source_id": pa.array(live_source_ids, type=pa.string())}))
    n = con.execute(
        "UPDATE raw.documents SET valid_to = ?, is_current = false "
        "WHERE is_current AND source_id NOT IN (SELECT source_id FROM _live) RETURNING 1",
        [when],
    ).fetchall()
    con.unregister("_live")
    return len(n)
