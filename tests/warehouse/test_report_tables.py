"""raw.documents, raw.facts and raw.parse_issues carry no primary key (cnfiscal.warehouse.unkey):
their rows stay unique because the loader replaces a report whole and refuses a batch that names
a version twice; a warehouse made with the keys loses them once, rows and NOT NULLs kept."""

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import pytest

from cnfiscal.model import DocumentMeta, Extraction, Fact, ParseIssue
from cnfiscal.warehouse.load import REPORT_TABLES, ParsedVersion, ensure_schema, replace_documents

WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def _version(source_id: str, sha: str, values: list[str]) -> ParsedVersion:
    facts = [
        Fact("expenditure", f"func:20{i}", "all", "budget", 2025, "amount", Decimal(v), "万元")
        for i, v in enumerate(values, start=1)
    ]
    issues = [ParseIssue("warning", "typo_read_as_meant", "1O0 read as 100")]
    extraction = Extraction(DocumentMeta("某县政务服务中心", "某县", 2025, "budget"), facts, issues)
    return ParsedVersion(source_id, f"/r/{source_id}.html", sha, 10, WHEN, WHEN, "p1", extraction)


def _keys(con) -> int:
    return con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE schema_name = 'raw' "
        "AND constraint_type = 'PRIMARY KEY' AND table_name IN ('documents', 'facts', "
        "'parse_issues')"
    ).fetchone()[0]


def _rows(con) -> dict[str, list]:
    return {
        t: con.execute(f"SELECT * EXCLUDE (parsed_at) FROM raw.{t} ORDER BY ALL").fetchall()
        if t == "documents"
        else con.execute(f"SELECT * FROM raw.{t} ORDER BY ALL").fetchall()
        for t in REPORT_TABLES
    }


def test_a_reloaded_version_replaces_its_rows_without_a_key():
    with duckdb.connect() as con:
        ensure_schema(con)
        assert _keys(con) == 0
        replace_documents(con, [_version("s1", "a" * 64, ["1.5", "2"])])
        replace_documents(con, [_version("s1", "a" * 64, ["1.5", "2"])])  # a re-parse
        assert con.execute(
            "SELECT document_id, fact_seq, value FROM raw.facts ORDER BY ALL"
        ).fetchall() == [("s1@aaaaaaaaaaaa", 0, Decimal("1.5")), ("s1@aaaaaaaaaaaa", 1, Decimal(2))]
        assert con.execute("SELECT count(*) FROM raw.documents").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM raw.parse_issues").fetchone()[0] == 1


def test_a_batch_naming_a_version_twice_loads_nothing():
    with duckdb.connect() as con:
        ensure_schema(con)
        replace_documents(con, [_version("s0", "c" * 64, ["9"])])
        before = _rows(con)
        twice = [_version("s1", "a" * 64, ["1"]), _version("s1", "a" * 64, ["2"])]
        with pytest.raises(ValueError, match="s1@aaaaaaaaaaaa"):
            replace_documents(con, [_version("s2", "b" * 64, ["3"]), *twice])
        assert _rows(con) == before


def test_keyed_report_tables_of_an_older_warehouse_lose_their_keys_once():
    with duckdb.connect() as con:
        ensure_schema(con)
        replace_documents(con, [_version("s1", "a" * 64, ["1", "2"])])
        replace_documents(con, [_version("s2", "b" * 64, ["3"])])
        before = _rows(con)
        # the layout of an older version: the same tables, declared with their keys
        keys = {
            "documents": "document_id",
            "facts": "document_id, fact_seq",
            "parse_issues": "document_id, issue_seq",
        }
        for table, key in keys.items():
            columns = con.execute(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
            ddl = ", ".join(f"{c} {t}{' NOT NULL' * (n == 'NO')}" for c, t, n in columns)
            con.execute(f"CREATE TABLE raw.{table}_new ({ddl}, PRIMARY KEY ({key}))")
            con.execute(f"INSERT INTO raw.{table}_new SELECT * FROM raw.{table}")
            con.execute(f"DROP TABLE raw.{table}")
            con.execute(f"ALTER TABLE raw.{table}_new RENAME TO {table}")
        assert _keys(con) == 3
        ensure_schema(con)
        assert _keys(con) == 0
        assert _rows(con) == before
        not_null = con.execute(
            "SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'raw' "
            "AND table_name = 'facts' AND column_name = 'value'"
        ).fetchone()[0]
        assert not_null == "NO"
        ensure_schema(con)  # again: nothing left to do
        assert _rows(con) == before
