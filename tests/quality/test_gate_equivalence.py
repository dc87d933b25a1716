"""The gate's exact outcomes on a small hand-built warehouse with planted problems.

No dbt here: the raw tables come from the real schema; the `ref` and `marts` tables hold just
the columns the suites read. Every suite runs. Pinned: each expectation's success, unexpected
count, the documents it names and the failing rows kept for check metadata (gate_outcomes.json),
the quarantine and its reasons, what is released, what blocks, the statuses and log written.

gate_outcomes.json was recorded from the gate as it was before its GX overhead was cut (a
Checkpoint per suite, a DuckDB connection per suite, data assets added one at a time), and the
current gate gives the same. A change in how GX is driven that changes an outcome fails here;
regenerate the file only for a deliberate change of the suites or of this warehouse.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from cnfiscal.quality import gate, gx_runner
from cnfiscal.warehouse.load import ensure_schema

GOLDEN = Path(__file__).with_name("gate_outcomes.json")
T0 = datetime(2024, 3, 1, tzinfo=UTC)
T1 = datetime(2024, 3, 2, tzinfo=UTC)

# (document_id, source_id, sha256, agency, fiscal_year, doc_kind, status, reason)
DOCUMENTS = [
    ("a@1", "a", "sha-a", "甲局", 2020, "budget", "loaded", None),  # clean but for warnings
    ("b@1", "b", "sha-b", "乙局", 2020, "budget", "loaded", None),  # bad year, negative money
    ("c@1", "c", "sha-c", "丙局", 2020, "budget", "loaded", None),  # extractor error
    ("d@1", "d", "sha-d", "丁局", 2021, "final_account", "loaded", None),  # a total off by 10
    ("e@1", "e", "sha-a", "甲局", 2020, "budget", "loaded", None),  # a copy of a, no facts
    ("f@1", "f", "sha-f", None, 2019, "budget", "quarantined", "balance: old"),  # fixed since
]


def _facts() -> list[tuple]:
    # (document_id, fact_seq, statement, item, scope, basis, year, measure, value, unit, code)
    rows = []
    for doc in ("a@1", "b@1", "c@1", "d@1", "f@1"):
        rows += [
            (doc, 1, "income", "total", "all", "budget", 2020, "amount", 100, "万元", None),
            (doc, 2, "expenditure", "func:201", "all", "budget", 2020, "amount", 60, "万元", "201"),
            (doc, 3, "expenditure", "total", "all", "budget", 2020, "delta", -5, "万元", None),
        ]
    rows[3] = ("b@1", 1, "income", "total", "all", "budget", 1990, "amount", 100, "万元", None)
    rows[4] = (
        "b@1",
        2,
        "expenditure",
        "func:201",
        "all",
        "budget",
        2020,
        "amount",
        -60,
        "万元",
        "201",
    )
    return rows


def _warehouse(path) -> None:
    con = duckdb.connect(str(path))
    ensure_schema(con)
    con.executemany(
        "insert into raw.fetches (run_id, source_id, location, status, fetched_at) "
        "values (?, ?, 'x', ?, ?)",
        [("run1", s, "fetched", T0) for s in "abcdf"]
        + [("run2", s, "fetched", T1) for s in "abcdf"]
        + [("run2", "e", "failed", T1)],
    )
    con.executemany(
        "insert into raw.documents (document_id, source_id, location, sha256, fetched_at, "
        "parsed_at, parser_version, agency, fiscal_year, doc_kind, fact_count, error_count, "
        "status, status_reason, valid_from, is_current) "
        "values (?, ?, 'x', ?, ?, ?, 'v', ?, ?, ?, ?, 0, ?, ?, ?, true)",
        [
            (d, s, h, T0, T0, ag, y, k, 0 if d == "e@1" else 3, st, r, T0)
            for d, s, h, ag, y, k, st, r in DOCUMENTS
        ],
    )
    con.executemany(
        "insert into raw.facts (document_id, fact_seq, statement, item, scope, basis, year, "
        "measure, value, unit, code, source) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'text')",
        _facts(),
    )
    # a's figure in prose disagrees with its table (a warning)
    con.execute(
        'update raw.facts set also_in = \'[{"source": "table", "value": "99"}]\' '
        "where document_id = 'a@1' and fact_seq = 1"
    )
    con.executemany(
        "insert into raw.parse_issues (document_id, issue_seq, severity, code, message, quote) "
        "values (?, ?, ?, ?, ?, ?)",
        [
            ("a@1", 1, "warning", "typo", "read as meant", "6..63"),
            ("c@1", 1, "error", "stage_failed", "table stage failed", None),
            ("c@1", 2, "info", "note", "fine", None),
        ],
    )
    con.execute("create schema ref")
    con.execute("create table ref.items (statement varchar, item varchar)")
    con.execute("insert into ref.items values ('income', 'total'), ('expenditure', 'total')")
    con.execute("create table ref.functional_classes as select '201' as code")
    con.execute("create table ref.economic_classes as select '301' as code")
    con.execute("create table ref.indicators as select 'k1' as key")
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_balance_checks (document_id varchar, identity varchar, "
        "statement varchar, scope varchar, basis varchar, year integer, "
        "expected decimal(24, 6), actual decimal(24, 6), difference decimal(24, 6), "
        "tolerance decimal(18, 6), parts_count integer, parts_listed_with_etc boolean, "
        "status varchar, severity varchar)"
    )
    con.executemany(
        "insert into marts.fct_balance_checks values (?, ?, 'income', 'all', 'budget', 2020, "
        "?, ?, ?, 0.005, 2, false, ?, ?)",
        [
            ("a@1", "income_total_eq_sources", 100, 100, 0, "ok", "error"),
            # within rounding of its 3 figures, outside the mart's tolerance: a warning
            ("a@1", "expenditure_total_eq_parts", 82.9, 82.89, -0.01, "mismatch", "error"),
            ("a@1", "income_shares_sum_to_100", 100, 91.85, -8.15, "mismatch", "warn"),
            ("d@1", "income_total_eq_sources", 92.9, 82.89, -10.01, "mismatch", "error"),
            ("f@1", "income_total_eq_sources", 100, 100, 0, "ok", "error"),
        ],
    )
    con.execute(
        "create table marts.fct_yoy (document_id varchar, prior_document_id varchar, "
        "statement varchar, item varchar, scope varchar, basis varchar, year integer, "
        "measure varchar, compare_basis varchar, compare_year integer, "
        "stated_change decimal(24, 6), computed_change decimal(25, 6), prior_source varchar)"
    )
    con.execute(
        "insert into marts.fct_yoy values "
        "('d@1', 'a@1', 'income', 'total', 'all', 'actual', 2021, 'delta', 'budget', 2020, "
        "-1.58, 0, 'prior_report'), "
        "('a@1', null, 'income', 'total', 'all', 'budget', 2020, 'delta', 'budget', 2019, "
        "3, 3, 'implied')"
    )
    con.execute(
        "create table marts.fct_budget_vs_actual (actual_document_id varchar, "
        "budget_document_id varchar, statement varchar, item varchar, scope varchar, "
        "fiscal_year integer, difference_wan_yuan decimal(25, 6), "
        "stated_delta_vs_budget decimal(24, 6), same_report boolean)"
    )
    con.execute(
        "insert into marts.fct_budget_vs_actual values "
        "('d@1', 'a@1', 'income', 'total', 'all', 2020, 2, 2, false)"
    )
    con.execute(
        "create table marts.fct_fiscal_facts as select f.document_id, f.fact_seq, "
        "'ag_' || d.source_id as agency_id, d.fiscal_year as report_year, d.doc_kind, "
        "f.statement, f.item, f.scope, f.basis, f.year, f.measure, f.value, f.unit "
        "from raw.facts f join raw.documents d using (document_id)"
    )
    # a later report of d's agency restates one of its figures differently
    con.execute(
        "insert into marts.fct_fiscal_facts values ('g@1', 1, 'ag_d', 2022, 'budget', "
        "'income', 'total', 'all', 'budget', 2020, 'amount', 107, '万元')"
    )
    con.execute(
        "update marts.fct_fiscal_facts set basis = 'guess' where document_id = 'c@1' "
        "and fact_seq = 2"
    )
    con.execute(
        "create table marts.dim_document as select document_id, fact_count, fiscal_year, "
        "doc_kind, agency from raw.documents"
    )
    con.execute("update marts.dim_document set fact_count = 3 where document_id <> 'e@1'")
    con.close()


def _summary(outcome: gx_runner.SuiteOutcome) -> dict:
    """A suite's outcome as plain JSON data (tuples as lists, as the golden file has them)."""
    return json.loads(
        json.dumps(
            {
                "rows": outcome.rows,
                "skipped": outcome.skipped,
                "success": outcome.success,
                "expectations": [
                    [
                        o.label,
                        o.severity,
                        o.success,
                        o.unexpected_count,
                        o.documents,
                        o.unattributed,
                    ]
                    for o in outcome.outcomes
                ],
                "failing_rows": [
                    [o.label, o.severity, o.rows, o.observed]
                    for o in outcome.outcomes
                    if not o.success
                ],
            },
            ensure_ascii=False,
        )
    )


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate_equivalence")
    db = root / "w.duckdb"
    _warehouse(db)
    rebuilds = []
    result = gate.run_gate(db, "run-eq", lambda: rebuilds.append(1), root / "docs")
    freshness = gx_runner.validate_suite("freshness", db, context={"catalog_ids": list("abcdefz")})
    return result, freshness, rebuilds, db, root / "docs"


def _statuses(db) -> tuple[list, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        statuses = con.execute(
            "select document_id, status, status_reason from raw.documents order by 1"
        ).fetchall()
        log = con.execute(
            "select run_id, document_id, status, reason from quality.document_status_log "
            "order by all"
        ).fetchall()
    return statuses, log


def test_every_suite_outcome_is_exact(gated):
    result, freshness, *_ = gated
    got = {
        "document_suites": {n: _summary(o) for n, o in result.verdict.outcomes.items()},
        "published_suites": {n: _summary(o) for n, o in result.published.items()},
        "freshness": _summary(freshness),
    }
    assert got == json.loads(GOLDEN.read_text("utf-8"))


def test_quarantine_release_and_blocking_are_exact(gated):
    result, _, rebuilds, db, _ = gated
    year, negative = (
        "expect_column_values_to_be_between(year)",
        "expect_column_values_to_be_in_set(non_negative)",
    )
    assert result.verdict.quarantine == {
        "e@1": [
            "raw_documents: expect_column_values_to_be_between(fact_count)",
            "raw_documents: expect_column_values_to_be_null(duplicate_of)",
        ],
        "b@1": [f"raw_facts: {year}", f"raw_facts: {negative}"],
        "c@1": ["raw_parse_issues: expect_column_values_to_be_in_set(readable)"],
        "d@1": ["balance: expect_column_values_to_be_in_set(total_within_rounding)"],
    }
    assert result.verdict.unattributed == [] and not result.verdict.blocks_run
    applied = result.applied
    assert applied.quarantined == ["b@1", "c@1", "d@1", "e@1"]
    assert applied.released == ["f@1"] and applied.changed
    # f was released for re-check (rebuild 1), the verdict changed statuses (rebuild 2)
    assert result.rebuilds == len(rebuilds) == 2
    statuses, log = _statuses(db)
    reasons = {d: "; ".join(r) for d, r in result.verdict.quarantine.items()}
    assert statuses == [
        ("a@1", "loaded", None),
        *((d, "quarantined", reasons[d]) for d in ("b@1", "c@1", "d@1", "e@1")),
        ("f@1", "loaded", None),
    ]
    assert log == [
        *(("run-eq", d, "quarantined", reasons[d]) for d in ("b@1", "c@1", "d@1", "e@1")),
        ("run-eq", "f@1", "loaded", "passed re-check"),
    ]
    # Table-wide failures of what would be published: no document named, so they block.
    blocking = {n: [o.label for o in s.blocking_failures] for n, s in result.published.items()}
    assert blocking == {
        "published_facts": ["expect_column_values_to_be_in_set(basis)", year],
        "published_documents": ["expect_column_values_to_be_between(fact_count)"],
        "published_quarantine": ["expect_column_values_to_be_in_set(status)"],
        "warehouse_counts": [],
    }


def test_data_docs_are_written_once_to_the_gate_site(gated):
    docs = gated[4]
    index = (docs / "index.html").read_text("utf-8")
    assert all(n in index for n in (*gate.DOCUMENT_SUITES, *gate.PUBLISHED_SUITES))
    pages = sorted(p.relative_to(docs).parts[0] for p in docs.rglob("*.html"))
    suites = len(gate.DOCUMENT_SUITES) + len(gate.PUBLISHED_SUITES)
    assert pages.count("expectations") == pages.count("validations") == suites
    # Only the gate's own site: GX's ephemeral default would render it all again under /tmp.
    context = gx_runner.new_context(docs)
    assert list(context.variables.data_docs_sites) == [gx_runner.DOCS_SITE]


def test_a_failing_row_without_document_blocks_the_run():
    # pandas reads a NULL document_id as NaN; it must count as naming no report, not as a
    # report called "nan" (which quarantined nothing and let the run publish).
    suite = {
        "name": "orphans",
        "identify": ["document_id"],
        "expectations": [
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "ok", "value_set": [True]},
                "severity": "critical",
            }
        ],
    }
    with duckdb.connect() as con:
        mixed = con.execute(
            "select * from (values ('a@1', false), (null, false), ('b@1', true)) t(document_id, ok)"
        ).df()
    outcome = gx_runner.validate_frame(suite, mixed)
    (failure,) = outcome.blocking_failures
    assert (failure.documents, failure.unattributed) == (["a@1"], 1)
    assert failure.rows == [{"document_id": "a@1", "ok": False}, {"document_id": None, "ok": False}]
    verdict = gate.decide({"orphans": outcome}, ["a@1", "b@1"])
    assert verdict.blocks_run and verdict.quarantine == {"a@1": ["orphans: " + failure.label]}

    only_null = gx_runner.validate_frame(suite, mixed.iloc[[1]].reset_index(drop=True))
    (failure,) = only_null.blocking_failures
    assert (failure.documents, failure.unattributed) == ([], 1)
    assert gate.decide({"orphans": only_null}, ["a@1", "b@1"]).blocks_run


@pytest.mark.parametrize("suite", gate.DOCUMENT_SUITES + gate.PUBLISHED_SUITES)
def test_scoped_rows_are_the_table_wide_rows_of_the_scope(gated, suite):
    """A scope filter inside a suite's query (/*and_in_scope*/: before its sorts, casts and
    self-joins, so a night does not read the whole mart) keeps exactly the rows the table-wide
    query gives for the reports in scope, with the same parameters."""
    import pandas as pd

    from cnfiscal.quality.frames import SCOPE_TABLE

    db = gated[3]
    doc = gx_runner.load_suite_file(suite)
    with duckdb.connect(str(db), read_only=True) as con:
        everything, params = gx_runner.read_suite_rows(con, doc)
        ids = [d for d, *_ in DOCUMENTS]
        for scope in [ids[:1], ids[1:3], ids[::2], ids, []]:
            con.register(SCOPE_TABLE, pd.DataFrame({"document_id": scope}, dtype="string"))
            rows, scoped_params = gx_runner.read_suite_rows(con, doc, scoped=True)
            con.unregister(SCOPE_TABLE)
            assert scoped_params == params
            want = everything
            if "per_report" in doc:
                want = everything[everything[doc["per_report"]].isin(scope)]
            assert _plain_rows(rows) == _plain_rows(want), scope


def _plain_rows(frame) -> list[tuple]:
    """The rows, sorted (the outer scope filter does not keep a query's order; the suites' results
    do not depend on it), with one null (a filtered pandas column holds NaN for DuckDB's None)."""
    rows = [tuple(gx_runner._plain(v) for v in row) for row in frame.itertuples(index=False)]
    return sorted(rows, key=repr)
