"""The warehouse built by the real pipeline from real published reports of other templates:
classes at 项 level that the vocabulary does not list, consolidated tables by unit, and a
crawled page that is no report, must all pass dbt's tests and land where analysts look."""

import shutil

import duckdb
import pytest

from cnfiscal.settings import Settings

REPORTS = {
    "putuo-office-2025": "real/gbc__上海市普陀区人民政府办公室单位25年预算.pdf",
    "shenzhen-transport-2026": "wild/renwu__003_深圳__2026年深圳市交通运输局部门预算.pdf",
    "huizhou-notice": "wild/renwu__048_惠州__2026年惠州市民政局部门预算.pdf",
}
RAW_TABLES = ("fetches", "documents", "facts", "parse_issues", "agency_names")


@pytest.fixture(scope="module")
def real_warehouse(shared_dir, tmp_path_factory):
    from dagster import AssetKey

    from pipelines.assets.dbt import cnfiscal_dbt_assets
    from pipelines.definitions import build_defs

    corpus = tmp_path_factory.mktemp("real_corpus")
    entries = []
    for source_id, rel in REPORTS.items():
        target = corpus / f"{source_id}.pdf"
        shutil.copy(shared_dir / "corpus" / rel, target)
        entries.append(f"  - id: {source_id}\n    location: {target.name}\n")
    catalog = corpus / "catalog.yaml"
    catalog.write_text("sources:\n" + "".join(entries), encoding="utf-8")
    settings = Settings(tmp_path_factory.mktemp("warehouse"), catalog)
    selection = [AssetKey(["raw", t]) for t in RAW_TABLES] + list(cnfiscal_dbt_assets.keys)
    result = (
        build_defs(settings)
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(asset_selection=selection, raise_on_error=False)
    )
    failed_checks = [
        e.asset_check_evaluation_data.check_name
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
    ]
    return result, failed_checks, settings.build_db


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_real_reports_build_and_pass_every_dbt_test(real_warehouse):
    result, failed_checks, _ = real_warehouse
    assert result.success, result.get_failed_step_keys()
    assert failed_checks == []


def test_unlisted_codes_keep_the_name_as_written_and_their_level(real_warehouse):
    _, _, db = real_warehouse
    rows = _query(
        db,
        "select class_code, class_level, class_parent_code, class_name, name_as_written "
        "from marts.fct_spending_by_function where length(class_code) = 7",
    )
    assert rows
    for code, level, parent, name, _written in rows:
        assert (level, parent) == ("项", code[:5]) and name, (code, name)
    # a 项 the vocabulary does not list is named as the report writes it
    assert any(name == written for _, _, _, name, written in rows)


def test_a_page_that_is_no_report_never_reaches_the_marts(real_warehouse):
    _, _, db = real_warehouse
    kinds = dict(_query(db, "select source_id, doc_kind from raw.documents"))
    assert kinds["huizhou-notice"] == "not_a_report"
    published = {s for (s,) in _query(db, "select source_id from marts.dim_document")}
    assert published == {"putuo-office-2025", "shenzhen-transport-2026"}
    issues = _query(
        db,
        "select i.code from raw.parse_issues i join raw.documents d using (document_id) "
        "where d.source_id = 'huizhou-notice'",
    )
    assert ("not_a_report",) in issues
