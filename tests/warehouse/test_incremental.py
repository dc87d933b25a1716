"""Incremental marts against a full rebuild: a copy of the seeds build goes through rounds of new,
changed, reparsed, quarantined, released and removed reports, each built by the real `dbt build`
(incremental); after every round each mart (and the incremental intermediate) must hold exactly
the rows `dbt run --full-refresh` of the same raw state gives, and state_changes must name only
what the round touched."""

import json
import shutil

import duckdb
import pytest
from warehouse_support import _doc, _fact, query, run_dbt

from cnfiscal.warehouse.agency_names import agency_name_rows, write_agency_names

# Predecessor and successor in agency_lineage.csv: the successor's stated change against 2018
# is checked against the predecessor's 2018 report (fct_yoy), so a change to the predecessor's
# report must reach the successor's rows.
P18, P18B = "syn-p18@00000000000a", "syn-p18@00000000000b"
S19 = "syn-s19@00000000000c"
B20, F20, B21 = "syn-b20@000000000001", "syn-f20@000000000002", "syn-b21@000000000003"
Q20, N21 = "syn-q20@000000000004", "syn-n21@00000000000e"


def _facts(doc, year, total, basic, extra=()):
    return [
        _fact(doc, 1, "expenditure", "total", "all", "budget", year, "amount", total),
        _fact(doc, 2, "expenditure", "basic", "all", "budget", year, "amount", basic),
        _fact(doc, 3, "expenditure", "project", "all", "budget", year, "amount", "10.00"),
        _fact(doc, 4, "expenditure", "func:201", "all", "budget", year, "amount", total),
        *extra,
    ]


def _delta(doc, seq, year, value):
    return _fact(
        doc, seq, "expenditure", "total", "all", "budget", year, "delta", value,
        compare_year=year - 1, compare_basis="budget",
    )  # fmt: skip


def _add(con, doc_row, facts):
    con.execute(f"insert into raw.documents values ({', '.join('?' * 20)})", doc_row)
    _insert_facts(con, facts)


def _insert_facts(con, facts):
    # rows built here stop before the last column, ocr_confidence (no OCR'd facts here)
    rows = [tuple(f) + (None,) * (27 - len(f)) for f in facts]
    con.executemany(f"insert into raw.facts values ({', '.join('?' * 27)})", rows)


def _retire(con, doc):
    con.execute("update raw.documents set is_current = false, valid_to = now() where "
                "document_id = ?", [doc])  # fmt: skip


def _refresh_names(con):
    docs = con.execute("select document_id, agency, region from raw.documents order by 1")
    write_agency_names(con, agency_name_rows(docs.fetchall()))


def round_1(con):
    """New reports: a lineage pair, a name variant, one quarantined."""
    _add(con, _doc(P18, "株洲市政务服务中心", "株洲市", 2018, "budget"),
         _facts(P18, 2018, "200.00", "190.00"))  # fmt: skip
    _add(con, _doc(S19, "株洲市行政审批服务局", "株洲市", 2019, "budget"),
         _facts(S19, 2019, "230.00", "220.00", [_delta(S19, 5, 2019, "30.00")]))  # fmt: skip
    _add(con, _doc(B20, "荷塘区审计局", "荷塘区", 2020, "budget"),
         _facts(B20, 2020, "100.00", "90.00"))  # fmt: skip
    _add(
        con,
        _doc(F20, "株洲市荷塘区审计局", "荷塘区", 2020, "final_account"),
        [_fact(F20, 1, "expenditure", "total", "all", "actual", 2020, "amount", "95.00")],
    )
    _add(con, _doc(B21, "荷塘区审计局", "荷塘区", 2021, "budget"),
         _facts(B21, 2021, "120.00", "110.00", [_delta(B21, 5, 2021, "20.00")]))  # fmt: skip
    _add(con, _doc(Q20, "荷塘区统计局", "荷塘区", 2020, "budget", status="quarantined"),
         _facts(Q20, 2020, "70.00", "60.00"))  # fmt: skip
    return {P18, S19, B20, F20, B21}


def round_2(con, seed_doc):
    """A new version of the predecessor's report, a reparse with other figures, a quarantine,
    a release and a report dropped from the catalog."""
    _retire(con, P18)
    _add(con, _doc(P18B, "株洲市政务服务中心", "株洲市", 2018, "budget"),
         _facts(P18B, 2018, "210.00", "200.00"))  # fmt: skip
    con.execute("delete from raw.facts where document_id = ?", [B21])
    _insert_facts(con, _facts(B21, 2021, "125.00", "115.00", [_delta(B21, 5, 2021, "25.00")]))
    con.execute("update raw.documents set parsed_at = '2026-02-01' where document_id = ?", [B21])
    con.execute("update raw.documents set status = 'quarantined' where document_id = ?", [F20])
    con.execute("update raw.documents set status = 'loaded' where document_id = ?", [Q20])
    _retire(con, seed_doc)
    return {P18, P18B, B21, F20, Q20, seed_doc}


def round_3(con):
    """A removal (an agency's first report), a release and a report of a new agency."""
    _retire(con, B20)
    con.execute("update raw.documents set status = 'loaded' where document_id = ?", [F20])
    _add(con, _doc(N21, "荷塘区财政局", "荷塘区", 2021, "budget"),
         _facts(N21, 2021, "300.00", "290.00"))  # fmt: skip
    return {B20, F20, N21}


def _tables(con, db_name):
    return [
        (schema, table)
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = ? and table_type = 'BASE TABLE' "
            "and (table_schema = 'marts' or table_name in ('int_facts_published', "
            "'state_marts_built')) order by 1, 2",
            [db_name],
        ).fetchall()
    ]


def differences(incremental, full) -> dict[str, tuple[int, int, int]]:
    """(rows only incremental has, rows only full has, rows) of every table that differs."""
    found = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as inc (read_only)")
        con.execute(f"attach '{full}' as rebuilt (read_only)")
        tables = _tables(con, "rebuilt")
        assert tables == _tables(con, "inc") and len(tables) > 10
        for schema, table in tables:
            a, b = f"inc.{schema}.{table}", f"rebuilt.{schema}.{table}"
            extra = con.execute(f"select count(*) from (from {a} except all from {b})").fetchone()
            missing = con.execute(f"select count(*) from (from {b} except all from {a})").fetchone()
            rows = con.execute(f"select count(*) from {b}").fetchone()[0]
            if extra[0] or missing[0]:
                found[f"{schema}.{table}"] = (extra[0], missing[0], rows)
    return found


def _rounds(seeds_warehouse, work, *build_args):
    """Per round: the documents state_changes named, and the tables that differed."""
    db = work / "cnfiscal.duckdb"
    shutil.copyfile(seeds_warehouse, db)
    seed_doc = query(db, "select min(document_id) from marts.dim_document")[0][0]
    steps = [round_1, lambda con: round_2(con, seed_doc), round_3]
    results, compiled = [], []
    for step in steps:
        with duckdb.connect(str(db)) as con:
            touched = step(con)
            _refresh_names(con)
        build = run_dbt(db, "build", *build_args, work=work)
        assert build.returncode == 0, build.stdout[-4000:]
        ran = json.loads((work / "target" / "run_results.json").read_text("utf-8"))["results"]
        compiled.append({r["unique_id"]: r.get("compiled_code") or "" for r in ran})
        changes = "select key from meta.state_changes where kind = 'document'"
        named = {k for (k,) in query(db, changes)}
        incremental = work / "incremental.duckdb"
        shutil.copyfile(db, incremental)
        # The reference: every model rebuilt from scratch, in place (dbt's parse is per path).
        full = run_dbt(db, "run", "--full-refresh", work=work)
        assert full.returncode == 0, full.stdout[-4000:]
        results.append((touched, named, differences(incremental, db)))
        shutil.copyfile(incremental, db)  # the next round goes on from the incremental build
    manifest = json.loads((work / "target" / "manifest.json").read_text("utf-8"))
    return results, manifest, db, compiled, work


@pytest.fixture(scope="module")
def rounds(seeds_warehouse, tmp_path_factory):
    """The rounds as a night builds them: the changed keys written out as constants."""
    return _rounds(seeds_warehouse, tmp_path_factory.mktemp("incremental"))


@pytest.fixture(scope="module")
def rounds_by_subquery(seeds_warehouse, tmp_path_factory):
    """The rounds as a night with more changed keys than are written out builds them: every
    filter a semi-join with state_changes, every test over the whole table."""
    work = tmp_path_factory.mktemp("incremental_subquery")
    return _rounds(seeds_warehouse, work, "--vars", "{changed_keys_inline_max: 0}")


@pytest.mark.parametrize("n", [0, 1, 2])
def test_incremental_marts_equal_a_full_refresh(rounds, n):
    touched, named, diff = rounds[0][n]
    assert diff == {}
    # Only what the round touched was rebuilt (the seeds' other reports were not).
    assert named == touched


@pytest.mark.parametrize("n", [0, 1, 2])
def test_incremental_marts_built_through_the_subquery_equal_a_full_refresh(rounds_by_subquery, n):
    touched, named, diff = rounds_by_subquery[0][n]
    assert diff == {} and named == touched
    scoped = _compiled(rounds_by_subquery[3][n], "test.cnfiscal.unique_combination_fct_fiscal_")
    assert "where true" in scoped and "syn-" not in scoped  # every row


def test_the_rounds_reach_the_marts(rounds):
    db = rounds[2]
    # The successor's stated change is checked against the predecessor's newer report ...
    yoy = query(db, "select prior_value_reported, prior_document_id from marts.fct_yoy "
                    "where document_id = ?", S19)  # fmt: skip
    assert [(str(v), d) for v, d in yoy] == [("210.000000", P18B)]
    # ... removed and quarantined reports left every mart, released ones are back.
    docs = {d for (d,) in query(db, "select document_id from marts.dim_document")}
    assert {B20, P18} & docs == set() and {F20, Q20, N21, P18B} <= docs
    assert query(db, "select count(*) from marts.fct_fiscal_facts where document_id = ?", B20) == [
        (0,)
    ]


def test_every_incremental_model_is_built_before_the_state_record(rounds):
    """state_marts_built must come after every incremental model, or a failed model would be
    recorded as built and its changes never replayed."""
    manifest = rounds[1]
    incremental = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }
    record_id = "model.cnfiscal.state_marts_built"  # incremental itself
    assert len(incremental) >= 10 and record_id in incremental
    record = manifest["nodes"][record_id]
    assert incremental - {record_id} <= set(record["depends_on"]["nodes"])


def _compiled(compiled: dict[str, str], prefix: str) -> str:
    (code,) = [c for uid, c in compiled.items() if uid.startswith(prefix)]
    return code


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tests_of_an_incremental_build_check_the_keys_it_replaced(rounds, n):
    results, _, db, compiled, _ = rounds
    _, named, _ = results[n]
    scoped = _compiled(compiled[n], "test.cnfiscal.unique_combination_fct_fiscal_facts_")
    assert named and all(f"'{doc}'" in scoped for doc in named)
    others = {d for (d,) in query(db, "select document_id from marts.dim_document")} - named
    assert others and not any(f"'{doc}'" in scoped for doc in others)
    # a version of another report may hold the same source_id: that test reads every row
    whole = _compiled(compiled[n], "test.cnfiscal.unique_dim_document_source_id")
    assert "dim_document" in whole and "dbt_subquery" not in whole


def test_a_scoped_test_fails_on_a_changed_key_and_reads_the_rest_only_when_asked(rounds):
    """After the last round (N21 new, B20 removed, F20 released), a null value in one of N21's
    facts fails the marts' not-null test; one in a report the round did not touch fails it
    only with test_all_rows."""
    db, work = rounds[2], rounds[4]
    kept = work / "before_bad_rows.duckdb"
    shutil.copyfile(db, kept)
    untouched = query(db, "select min(document_id) from marts.fct_fiscal_facts "
                          "where document_id not in (?, ?)", F20, N21)[0][0]  # fmt: skip
    # fct_fiscal_facts is a view: its rows are stored in int_facts_published
    bad = "update intermediate.int_facts_published set value = null where document_id = ?"
    test = ("test", "--select", "fct_fiscal_facts")
    try:
        with duckdb.connect(str(db)) as con:
            con.execute(bad, [untouched])
        assert run_dbt(db, *test, work=work).returncode == 0
        every_row = run_dbt(db, *test, "--vars", "{test_all_rows: true}", work=work)
        assert every_row.returncode != 0 and "not_null_columns_fct_fiscal_facts" in every_row.stdout
        with duckdb.connect(str(db)) as con:
            con.execute("update intermediate.int_facts_published set value = 1 where value is null")
            con.execute(bad, [N21])
        changed = run_dbt(db, *test, work=work)
        assert changed.returncode != 0 and "not_null_columns_fct_fiscal_facts" in changed.stdout
    finally:
        shutil.copyfile(kept, db)


def test_scoped_tests_sit_downstream_of_the_change_record(rounds):
    """A scoped test reads state_changes when it runs (a test cannot ref() it from its config),
    so its model must be built after state_changes; every incremental mart's tests are scoped
    except dim_document's unique source_id."""
    manifest = rounds[1]
    nodes = manifest["nodes"]

    def ancestors(uid, seen):
        for parent in nodes.get(uid, {}).get("depends_on", {}).get("nodes", []):
            if parent not in seen:
                seen.add(parent)
                ancestors(parent, seen)
        return seen

    tests = [n for n in nodes.values() if n["resource_type"] == "test" and n.get("attached_node")]
    scoped = [t for t in tests if "__changed_" in (t["config"].get("where") or "")]
    assert len(scoped) > 40
    for t in scoped:
        assert "model.cnfiscal.state_changes" in ancestors(t["attached_node"], set()), t["name"]
    for t in tests:
        model = nodes[t["attached_node"]]
        if model["config"]["materialized"] == "incremental" and t not in scoped:
            assert t["name"] == "unique_dim_document_source_id", t["name"]
