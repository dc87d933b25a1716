"""The gate's decisions and status writes on a small real DuckDB file (no pipeline)."""

from datetime import UTC, datetime

import duckdb

from cnfiscal.quality import gate
from cnfiscal.quality.gx_runner import ExpectationOutcome, SuiteOutcome
from cnfiscal.warehouse.load import ensure_schema


def _db(tmp_path, docs):
    db = tmp_path / "w.duckdb"
    now = datetime.now(UTC)
    with duckdb.connect(str(db)) as con:
        ensure_schema(con)
        for doc in docs:
            con.execute(
                "insert into raw.documents (document_id, source_id, location, sha256, "
                "fetched_at, parsed_at, parser_version, fact_count, error_count, valid_from, "
                "is_current) values (?, ?, 'x', 'sha', ?, ?, 'v', 1, 0, ?, true)",
                [doc, doc, now, now, now],
            )
    return db


def _suite(*failures):
    return {"s": SuiteOutcome("s", 3, list(failures))}


def _fail(severity, documents, unattributed=0):
    return ExpectationOutcome(
        "expect_x",
        "c",
        severity,
        False,
        len(documents) + unattributed,
        documents=documents,
        unattributed=unattributed,
    )


def test_critical_rows_quarantine_their_documents_only():
    v = gate.decide(_suite(_fail("critical", ["a"]), _fail("warning", ["b"])), ["a", "b", "c"])
    assert v.quarantine == {"a": ["s: expect_x(c)"]} and not v.blocks_run


def test_failure_naming_no_document_or_all_documents_blocks_the_run():
    assert gate.decide(_suite(_fail("critical", [])), ["a"]).blocks_run
    assert gate.decide(_suite(_fail("critical", ["a"], unattributed=1)), ["a", "b"]).blocks_run
    assert gate.decide(_suite(_fail("critical", ["a", "b"])), ["a", "b"]).blocks_run


def test_quarantine_then_recheck_releases_a_fixed_document(tmp_path):
    db = _db(tmp_path, ["a", "b"])
    first = gate.apply(db, gate.decide(_suite(_fail("critical", ["a"])), ["a", "b"]), "run1")
    assert first.quarantined == ["a"] and first.changed
    assert gate.current_documents(db)["a"][0] == "quarantined"
    assert gate.release_for_recheck(db) == 1  # next run: built again with it, re-judged
    status, reason = gate.current_documents(db)["a"]
    assert status == "loaded" and reason.startswith(gate.RECHECK)
    second = gate.apply(db, gate.decide(_suite(), ["a", "b"]), "run2")
    assert second.released == ["a"] and not second.changed
    assert gate.current_documents(db)["a"] == ("loaded", None)
    with duckdb.connect(str(db), read_only=True) as con:
        log = con.execute(
            "select run_id, status from quality.document_status_log order by run_id"
        ).fetchall()
    assert log == [("run1", "quarantined"), ("run2", "loaded")]
