"""The not_null_columns generic test (dbt_project/tests/generic), run by dbt for real on the
synthetic warehouse: it passes on the untouched build, and on a mart with nulls put into two of
its columns it fails with one row per such column and its null count."""

import json
import shutil

import duckdb
import pytest
from warehouse_support import query, run_dbt

# A mart (a table no model reads, so the nulls reach no other model's test) and two of its
# not-null columns.
MART = "fct_balance_checks"
NULLED = {"expected": 3, "status": 1}


@pytest.fixture(scope="module")
def not_null_run(synthetic_warehouse):
    """Every not_null_columns test, run once with nulls put into MART, failing rows stored.

    The build file is shared with the other warehouse tests, so it is put back afterwards.
    Running in place (not on a copy) reuses dbt's partial parse of that path: a copy at
    another path would cost a full parse.
    """
    db, work = synthetic_warehouse
    backup = work / "before_not_null_test.duckdb"
    shutil.copyfile(db, backup)
    try:
        with duckdb.connect(str(db)) as con:
            offset = 0
            for column, rows in NULLED.items():
                # Rows of their own per column: a row null in both would hide a miscount.
                con.execute(
                    f"""update marts.{MART} set {column} = null
                    where rowid in (select rowid from marts.{MART}
                        order by rowid limit {rows} offset {offset})"""
                )
                offset += rows
        # Every row, whatever the last build replaced: on an incremental build the tests look
        # only at the changed reports' rows, and the nulls here are put into unchanged ones.
        result = run_dbt(
            db,
            "test",
            "--select",
            "test_name:not_null_columns",
            "--store-failures",
            "--vars",
            "test_all_rows: true",
            work=work,
        )
        run_results = json.loads((work / "target" / "run_results.json").read_text("utf-8"))
        manifest = json.loads((work / "target" / "manifest.json").read_text("utf-8"))
        stored = {
            r["unique_id"]: query(db, f"select column_name, null_rows from {r['relation_name']}")
            for r in run_results["results"]
            if r["status"] == "fail"
        }
        yield result, run_results, manifest, stored
    finally:
        shutil.copyfile(backup, db)
        backup.unlink()


def _declared(manifest) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if (node.get("test_metadata") or {}).get("name") == "not_null_columns"
    }


def test_fails_on_the_nulled_mart_only_naming_columns_and_counts(not_null_run):
    result, run_results, manifest, stored = not_null_run
    declared = _declared(manifest)
    statuses = {r["unique_id"]: r["status"] for r in run_results["results"]}
    # Every declared test ran (the untouched models' ones pass) ...
    assert set(statuses) == set(declared)
    failed = [uid for uid, status in statuses.items() if status != "pass"]
    # ... and only the nulled mart's failed, with one stored row per nulled column.
    assert [declared[uid]["attached_node"] for uid in failed] == [f"model.cnfiscal.{MART}"]
    assert result.returncode == 1, result.stdout[-2000:]
    assert sorted(stored[failed[0]]) == sorted(NULLED.items())


def test_every_declared_column_is_a_real_column_of_its_model(not_null_run, synthetic_warehouse):
    db, _ = synthetic_warehouse
    _, _, manifest, _ = not_null_run
    declared = _declared(manifest)
    assert declared
    covered: dict[str, list[str]] = {}
    for test in declared.values():
        covered.setdefault(test["attached_node"], []).extend(
            test["test_metadata"]["kwargs"]["columns"]
        )
    for uid, columns in covered.items():
        model = manifest["nodes"][uid]
        assert len(columns) == len(set(columns)), (uid, columns)
        assert set(columns) <= set(model["columns"]), (uid, set(columns) - set(model["columns"]))
        built = {
            c
            for (c,) in query(
                db,
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                model["schema"],
                model["alias"],
            )
        }
        assert set(columns) <= built, (uid, set(columns) - built)
    # No model or seed keeps a per-column not_null test beside it.
    per_column = [
        node["attached_node"]
        for node in manifest["nodes"].values()
        if (node.get("test_metadata") or {}).get("name") == "not_null"
    ]
    assert per_column == []
