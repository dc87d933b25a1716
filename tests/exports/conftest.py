"""A small real DuckDB warehouse with the three core marts, and a dbt-like manifest."""

import json

import duckdb
import pytest

DDL = """
create schema marts;
create table marts.dim_agency (agency_id varchar, agency_name varchar, region varchar,
  first_fiscal_year integer, last_fiscal_year integer, report_count bigint);
create table marts.dim_document (document_id varchar, source_id varchar, agency_id varchar,
  agency varchar, region varchar, fiscal_year integer, doc_kind varchar, location varchar,
  sha256 varchar, fetched_at timestamptz);
create table marts.fct_fiscal_facts (document_id varchar, fact_seq integer, agency_id varchar,
  report_year integer, statement varchar, item varchar, scope varchar, basis varchar,
  year integer, measure varchar, value decimal(24,6), amount_wan_yuan decimal(24,6),
  label varchar, compare_year integer, evidence varchar);
insert into marts.dim_agency values ('a1', '某市政务服务中心', '某市', 2018, 2019, 2),
  ('a2', '某区财政局', '某区', 2019, 2019, 1);
insert into marts.dim_document values
  ('d18@x', 'a1-budget-2018', 'a1', '某市政务服务中心', '某市', 2018, 'budget',
   'https://example.gov.cn/2018.pdf', 'aa', '2024-05-01 08:00:00+00'),
  ('d19@y', 'a1-final-2019', 'a1', '某市政务服务中心', '某市', 2019, 'final_account',
   'seeds/d19.txt', 'bb', '2024-05-02 08:00:00+00'),
  ('e19@z', 'a2-budget-2019', 'a2', '某区财政局', '某区', 2019, 'budget',
   'seeds/e19.txt', 'cc', '2024-05-03 08:00:00+00');
insert into marts.fct_fiscal_facts values
  ('d18@x', 1, 'a1', 2018, 'expenditure', 'total', 'all', 'budget', 2018, 'amount',
   100.5, 100.5, '支出合计', null, '2018年支出预算100.5万元。'),
  ('d18@x', 2, 'a1', 2018, 'expenditure', 'func:201', 'all', 'budget', 2018, 'amount',
   80.25, 80.25, '一般公共服务支出', null, '一般公共服务支出80.25万元。'),
  ('d19@y', 1, 'a1', 2019, 'expenditure', 'total', 'all', 'actual', 2019, 'amount',
   120, 120, '支出合计', null, '2019年支出决算120万元。'),
  ('d19@y', 2, 'a1', 2019, 'expenditure', 'total', 'fiscal', 'actual', 2019, 'amount',
   90, 90, '财政拨款支出', null, '财政拨款支出90万元。'),
  ('d19@y', 3, 'a1', 2019, 'three_public', 'total', 'fiscal', 'actual', 2019, 'amount',
   3.3, 3.3, '三公经费', null, '“三公”经费支出3.3万元。'),
  ('e19@z', 1, 'a2', 2019, 'expenditure', 'total', 'all', 'budget', 2019, 'amount',
   7, 7, '支出合计', null, '支出预算7万元。');
"""


def _test(name, model, column=None, **kwargs):
    return {
        "resource_type": "test",
        "attached_node": f"model.cnfiscal.{model}",
        "test_metadata": {"name": name, "kwargs": {"column_name": column, **kwargs}},
    }


MANIFEST = {
    "nodes": {
        **{
            f"model.cnfiscal.{m}": {
                "resource_type": "model",
                "name": m,
                "unique_id": f"model.cnfiscal.{m}",
                "description": f"{m} in English.",
                "columns": {"agency_id": {"description": "Agency id."}},
            }
            for m in ("dim_agency", "dim_document", "fct_fiscal_facts")
        },
        "t1": _test("unique", "dim_agency", "agency_id"),
        "t2": _test("unique", "dim_document", "source_id"),
        "t3": _test("unique", "dim_document", "document_id"),
        "t4": _test(
            "relationships", "dim_document", "agency_id", to="ref('dim_agency')", field="agency_id"
        ),
        "t5": _test("unique_combination", "fct_fiscal_facts", columns=["document_id", "fact_seq"]),
        "t6": _test(
            "relationships",
            "fct_fiscal_facts",
            "document_id",
            to="ref('dim_document')",
            field="document_id",
        ),
    }
}


@pytest.fixture
def small_db(tmp_path):
    db = tmp_path / "build.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(DDL)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(MANIFEST), encoding="utf-8")
    return db, manifest


@pytest.fixture
def manifest_dict():
    return MANIFEST
