"""What the suites' queries hand to GX (no GX here): the rows must measure what they claim."""

from datetime import UTC, datetime

import duckdb

from cnfiscal.quality import gx_runner
from cnfiscal.warehouse.load import ensure_schema

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_raw_documents_counts_the_facts_that_reached_raw_facts(tmp_path):
    """raw.documents keeps the extractor's own count; the suite must count the rows that were
    really loaded, so a report whose facts were lost fails fact_count >= 1."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    con.executemany(
        "insert into raw.documents (document_id, source_id, location, sha256, fetched_at, "
        "parsed_at, parser_version, agency, fiscal_year, doc_kind, fact_count, error_count, "
        "status, valid_from, is_current) "
        "values (?, ?, 'x', ?, ?, ?, 'v', ?, 2024, 'budget', 3, 0, 'ok', ?, true)",
        [(f"{s}@1", s, f"sha-{s}", T0, T0, f"agency {s}", T0) for s in "ab"],
    )
    con.executemany(
        "insert into raw.facts (document_id, fact_seq, statement, item, scope, basis, year, "
        "measure, value, unit, source) "
        "values ('a@1', ?, 'expenditure', 'total', 'all', 'budget', 2024, 'amount', 1, "
        "'万元', 'text')",
        [(n,) for n in (1, 2)],
    )
    frame, _ = gx_runner.read_suite_rows(con, gx_runner.load_suite_file("raw_documents"))
    assert list(frame.columns).count("fact_count") == 1
    assert dict(zip(frame["document_id"], frame["fact_count"], strict=True)) == {
        "a@1": 2,
        "b@1": 0,
    }
