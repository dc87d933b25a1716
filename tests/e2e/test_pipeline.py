"""End to end: materialize every asset on the bundled corpus into a temporary warehouse.

Real DuckDB file, real `dbt build` through dagster-dbt, real GX checks, real Parquet files.
"""

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cnfiscal.settings import REPO_ROOT, Settings

CATALOG = REPO_ROOT / "corpus" / "catalog.yaml"


def _run(settings: Settings):
    from pipelines.definitions import build_defs

    defs = build_defs(settings)
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(raise_on_error=False)


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            # the fetch log and its run totals gain rows every run, by design
            "where table_schema in ('raw', 'marts') "
            "and table_name not in ('fetches', 'fetch_runs') order by 1"
        ).fetchall()
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for (t,) in tables}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    settings = Settings(tmp_path_factory.mktemp("warehouse"), CATALOG)
    first = _run(settings)
    counts_after_first = _counts(settings.build_db) if settings.build_db.exists() else {}
    second = _run(settings)
    return settings, first, second, counts_after_first


def test_every_step_succeeds_and_publishes(pipeline):
    settings, first, second, _ = pipeline
    assert first.success, (
        first.get_failed_step_keys() if hasattr(first, "get_failed_step_keys") else ""
    )
    assert second.success
    assert settings.published_db.exists()
    checks = [
        e.event_specific_data
        for e in first.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    names = {c.check_name for c in checks}
    assert {"gx_published_facts", "gx_published_documents"} <= names
    gx_facts = next(c for c in checks if c.check_name == "gx_published_facts")
    assert gx_facts.passed


def test_the_copy_staged_during_the_exports_is_the_one_published(pipeline):
    settings, first, _, _ = pipeline
    exports = next(
        e.event_specific_data.materialization
        for e in first.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
        and e.event_specific_data.materialization.asset_key.path == ["parquet_exports"]
    )
    assert exports.metadata["published_copy_staged"].value is True
    # swapped in by the publish step: no staged copy or record left beside the published file
    assert not list(settings.published_db.parent.glob(".publish*"))
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        assert con.execute("select count(*) from meta.build_state").fetchone()[0] == 1


def test_raw_and_marts_hold_all_five_seeds(pipeline):
    settings = pipeline[0]
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        docs = con.execute("select count(*) from raw.documents where is_current").fetchall()[0][0]
        assert docs == 5
        assert con.execute("select count(*) from marts.dim_document").fetchall()[0][0] == 5
        per_doc = con.execute(
            "select source_id, count(*) from marts.fct_fiscal_facts join marts.dim_document "
            "using (document_id) group by 1"
        ).fetchall()
        assert len(per_doc) == 5 and all(n > 0 for _, n in per_doc)
        assert con.execute("select count(*) from raw.fetches").fetchall()[0][0] == 10  # 2 runs


def test_known_values_from_gold(pipeline, shared_dir):
    """The income and expenditure totals the gold lists come out, as DECIMAL, per seed."""
    settings = pipeline[0]
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        stems = dict(
            con.execute(
                "select regexp_extract(location, '([^/]+)\\.txt$', 1), document_id "
                "from marts.dim_document"
            ).fetchall()
        )
        checked = 0
        for gold_path in sorted((shared_dir / "gold").glob("*.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            doc_id = stems[gold_path.stem]
            meta = con.execute(
                "select agency, region, fiscal_year, doc_kind from marts.dim_document "
                "where document_id = ?",
                [doc_id],
            ).fetchall()[0]
            want = gold["document"]
            assert meta == (want["agency"], want["region"], want["fiscal_year"], want["doc_kind"])
            for fact in gold["facts"]:
                if fact["item"] != "total" or fact["measure"] != "amount":
                    continue
                if fact["statement"] not in ("income", "expenditure"):
                    continue
                rows = con.execute(
                    "select value, amount_yuan from marts.fct_fiscal_facts where document_id = ? "
                    "and statement = ? and item = 'total' and scope = ? and basis = ? "
                    "and year = ? and measure = 'amount'",
                    [doc_id, fact["statement"], fact["scope"], fact["basis"], fact["year"]],
                ).fetchall()
                assert rows, f"{gold_path.stem}: missing {fact}"
                value, yuan = rows[0]
                assert isinstance(value, Decimal)
                assert value == Decimal(fact["value"])
                assert yuan == Decimal(fact["value"]) * 10000
                checked += 1
        assert checked >= 5


def test_parquet_exports_read_back(pipeline):
    settings = pipeline[0]
    files = sorted(settings.exports_dir.glob("*.parquet"))
    assert {f.stem for f in files} >= {"fct_fiscal_facts", "dim_document", "dim_agency"}
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        for f in files:
            from_parquet = con.execute(f"select count(*) from read_parquet('{f}')").fetchall()[0][0]
            in_db = con.execute(f"select count(*) from marts.{f.stem}").fetchall()[0][0]
            assert from_parquet == in_db
        facts_file = settings.exports_dir / "fct_fiscal_facts.parquet"
        value_type = con.execute(
            f"select typeof(value) from read_parquet('{facts_file}') limit 1"
        ).fetchall()[0][0]
        assert value_type.startswith("DECIMAL")


def test_second_run_changes_nothing(pipeline):
    settings, first, second, counts_after_first = pipeline
    assert counts_after_first == _counts(settings.build_db)
    parsed = [
        e.event_specific_data.materialization.metadata["parsed"].value
        for e in second.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
        and e.event_specific_data.materialization.asset_key.path == ["raw", "documents"]
    ]
    assert parsed == [0]  # nothing changed, nothing re-parsed
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        runs = con.execute(
            "select r.attempted, count(f.source_id) from raw.fetch_runs r "
            "join raw.fetches f using (run_id) group by r.run_id, r.attempted"
        ).fetchall()
    assert len(runs) == 2 and all(attempted == rows > 0 for attempted, rows in runs)
