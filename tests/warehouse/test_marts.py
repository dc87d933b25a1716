"""The dbt warehouse on the five bundled seeds (built by the pipeline through dagster-dbt) and
on synthetic reports added to a copy (rebuilt with the dbt CLI)."""

from decimal import Decimal

from warehouse_support import B20, B21, F20, Q20, query, run_dbt

MARTS = [
    "dim_document",
    "dim_agency",
    "dim_agency_name",
    "dim_fiscal_year",
    "dim_functional_class",
    "dim_economic_class",
    "dim_indicator",
    "fct_fiscal_facts",
    "fct_agency_year",
    "fct_spending_by_function",
    "fct_spending_by_economic_class",
    "fct_budget_vs_actual",
    "fct_yoy",
    "fct_balance_checks",
    "fct_performance",
    "fct_performance_per_spending",
]


def _source(document_id: str) -> str:
    return document_id.split("@")[0]


def test_every_mart_is_built_and_holds_the_five_seeds(seeds_warehouse):
    tables = {
        t
        for (t,) in query(
            seeds_warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    }
    assert set(MARTS) <= tables
    assert query(seeds_warehouse, "select count(*) from marts.dim_document")[0][0] == 5
    per_doc = query(
        seeds_warehouse, "select count(distinct document_id) from marts.fct_fiscal_facts"
    )
    assert per_doc[0][0] == 5
    years = {y for (y,) in query(seeds_warehouse, "select fiscal_year from marts.dim_fiscal_year")}
    assert {2016, 2017, 2018, 2019} <= years


def test_seed_codes_are_text_with_leading_digits_kept(seeds_warehouse):
    types = dict(
        query(
            seeds_warehouse,
            "select table_name || '.' || column_name, data_type from "
            "information_schema.columns where table_schema = 'ref' and column_name "
            "in ('code', 'parent_code', 'gov_code')",
        )
    )
    assert types and set(types.values()) == {"VARCHAR"}, types
    assert query(seeds_warehouse, "select name from ref.regions where code = '110000'") == [
        ("北京市",)
    ]


def test_functional_class_210_takes_its_2019_name(seeds_warehouse):
    rows = query(
        seeds_warehouse,
        """
        select s.class_code, s.class_name, s.name_as_written, s.amount_wan_yuan, s.amount_yuan
        from marts.fct_spending_by_function s join marts.dim_document d using (document_id)
        where d.source_id like 'ezhou%' order by s.class_code""",
    )
    assert [r[0] for r in rows] == ["201", "205", "208", "210", "221"]
    health = next(r for r in rows if r[0] == "210")
    assert health[1:] == (
        "卫生健康支出",
        "医疗卫生与计划生育支出",
        Decimal("5.22"),
        Decimal("52200"),
    )
    # Before 2019 the same code carries the old name.
    assert query(
        seeds_warehouse,
        "select class_name from marts.dim_functional_class where code "
        "= '210' and 2018 between valid_from and valid_to",
    ) == [("医疗卫生与计划生育支出",)]


def test_agency_year_headline_figures(seeds_warehouse):
    rows = query(
        seeds_warehouse,
        """
        select a.agency_name, y.basis, y.expenditure_total_wan_yuan, y.basic_wan_yuan,
               y.project_wan_yuan, y.three_public_total_wan_yuan, y.staff_authorized
        from marts.fct_agency_year y join marts.dim_agency a using (agency_id)
        where y.fiscal_year = 2019 order by 1, 2""",
    )
    assert (
        "鄂州市政务服务中心管理办公室",
        "budget",
        Decimal("1484.49"),
        Decimal("78.49"),
        Decimal("1406"),
        Decimal("6.08"),
        5,
    ) in rows
    zhuzhou = [r for r in rows if r[0] == "株洲市行政审批服务局" and r[1] == "actual"]
    assert zhuzhou[0][2:5] == (Decimal("3682"), Decimal("1506.49"), Decimal("2175.52"))


def test_agency_lineage_and_regions(seeds_warehouse):
    rows = query(
        seeds_warehouse,
        """
        select a.agency_name, s.agency_name, a.successor_from_year, s.region_code, s.region_level
        from marts.dim_agency a join marts.dim_agency s on a.successor_agency_id = s.agency_id""",
    )
    assert rows == [("株洲市政务服务中心", "株洲市行政审批服务局", 2019, "430200", "prefecture")]
    assert query(
        seeds_warehouse,
        "select region_code, region_level from marts.dim_agency where "
        "canonical_name = '山海关区政务服务中心'",
    ) == [("130303", "county")]


def test_seed_inconsistencies_are_mismatch_rows(seeds_warehouse):
    rows = query(
        seeds_warehouse,
        """
        select d.source_id, b.identity, b.status, b.severity, b.expected, b.actual,
               b.parts_listed_with_etc
        from marts.fct_balance_checks b join marts.dim_document d using (document_id)""",
    )
    found = {(r[0].split("-")[0], r[1]): r[2:] for r in rows}
    # 002: 64.01 + 3.38 + 15.5 = 82.89 against the stated 82.9.
    assert found[("shanhaiguan", "expenditure_total_eq_personnel_public_project")][:4] == (
        "mismatch",
        "error",
        Decimal("82.9"),
        Decimal("82.89"),
    )
    # 003: economic shares computed on the wrong base (sum 91.85%), a warning.
    assert found[("hetang", "economic_shares_sum_to_100")][:4] == (
        "mismatch",
        "warn",
        Decimal("100"),
        Decimal("91.85"),
    )
    # 004: 1506.49 + 2175.52 = 3682.01 against 3682.
    assert found[("zhuzhou", "expenditure_total_eq_basic_plus_project")][:4] == (
        "mismatch",
        "error",
        Decimal("3682"),
        Decimal("3682.01"),
    )
    # 000: 机关运行经费 items listed with 等 sum to 16.00 of 18.13: a warning, not an error.
    assert found[("ezhou", "operating_cost_total_eq_items")] == (
        "mismatch",
        "warn",
        Decimal("18.13"),
        Decimal("16.00"),
        True,
    )
    # Identities the seeds satisfy come out ok.
    for key in [
        ("ezhou", "functional_sum_eq_total"),
        ("hetang", "functional_sum_eq_total"),
        ("ezhou", "three_public_total_eq_parts"),
        ("hetang", "income_shares_sum_to_100"),
        ("hetang", "procurement_total_eq_parts"),
    ]:
        assert found[key][0] == "ok", key
    # Every row states a total and at least two parts.
    assert (
        query(seeds_warehouse, "select min(parts_count) from marts.fct_balance_checks")[0][0] >= 2
    )


def test_performance_marts(seeds_warehouse):
    matched = query(
        seeds_warehouse,
        """
        select p.indicator_key, p.value, p.unit, p.qualifier, i.direction
        from marts.fct_performance p join marts.dim_indicator i using (indicator_key)
        join marts.dim_document d using (document_id)
        where d.source_id like 'hetang%' and p.indicator_key = 'satisfaction_rate'""",
    )
    assert matched == [("satisfaction_rate", Decimal("99.99"), "%", "超过", "higher_is_better")]
    per_spending = query(
        seeds_warehouse,
        """
        select value, expenditure_total_wan_yuan, per_wan_yuan
        from marts.fct_performance_per_spending
        where indicator_key = 'cases_accepted'""",
    )
    assert per_spending == [(Decimal("97573"), Decimal("854.31"), Decimal("114.2126"))]


def test_budget_vs_actual_pairs_the_budget_report_with_the_final_accounts(synthetic_warehouse):
    db, _ = synthetic_warehouse
    rows = query(
        db,
        """
        select budget_wan_yuan, actual_wan_yuan, difference_wan_yuan, execution_rate_pct,
               stated_delta_vs_budget, budget_document_id, actual_document_id
        from marts.fct_budget_vs_actual
        where fiscal_year = 2020 and statement = 'expenditure' and item = 'total'""",
    )
    assert rows == [
        (Decimal("100"), Decimal("90"), Decimal("-10"), Decimal("90.00"), Decimal("-10"), B20, F20)
    ]


def test_yoy_uses_the_prior_report_or_the_implied_value(synthetic_warehouse):
    db, _ = synthetic_warehouse
    rows = query(
        db,
        """
        select statement, measure, stated_change, prior_source, prior_value, prior_document_id,
               computed_change, change_difference
        from marts.fct_yoy where document_id = ? order by statement, measure""",
        B21,
    )
    assert rows == [
        (
            "expenditure",
            "delta",
            Decimal("20"),
            "prior_report",
            Decimal("100"),
            B20,
            Decimal("20"),
            Decimal("0"),
        ),
        (
            "expenditure",
            "pct_change",
            Decimal("20"),
            "prior_report",
            Decimal("100"),
            B20,
            Decimal("20"),
            Decimal("0"),
        ),
        # No 2020 income figure anywhere: the prior value is what the stated delta implies.
        ("income", "delta", Decimal("5"), "implied", Decimal("125"), None, None, None),
    ]


def test_name_variants_share_one_agency_id(synthetic_warehouse):
    db, _ = synthetic_warehouse
    ids = query(
        db,
        "select distinct agency_id from marts.dim_document where document_id in (?, ?, ?)",
        B20,
        F20,
        B21,
    )
    assert len(ids) == 1
    assert query(
        db,
        "select name_variant_count, report_count from marts.dim_agency where agency_id = ?",
        ids[0][0],
    ) == [(2, 3)]


def test_quarantined_reports_reach_no_mart(synthetic_warehouse):
    db, _ = synthetic_warehouse
    assert query(db, "select status from raw.documents where document_id = ?", Q20) == [
        ("quarantined",)
    ]
    for mart in MARTS:
        columns = {
            c
            for (c,) in query(
                db,
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ?",
                mart,
            )
        }
        for column in ("document_id", "budget_document_id", "actual_document_id"):
            if column in columns:
                hits = query(db, f"select count(*) from marts.{mart} where {column} = ?", Q20)
                assert hits[0][0] == 0, (mart, column)
    assert (
        query(db, "select count(*) from marts.dim_agency where canonical_name = '荷塘区统计局'")[0][
            0
        ]
        == 0
    )


def test_snapshot_keeps_the_previous_name(synthetic_warehouse):
    db, _ = synthetic_warehouse
    rows = query(
        db,
        """
        select agency_name, dbt_valid_to is null from snapshots.agency_names_snapshot
        where canonical_name = '山海关区政务服务中心' order by dbt_valid_from""",
    )
    assert rows == [("山海关区人民政府政务服务中心", False), ("秦皇岛市山海关区政务服务中心", True)]


def test_docs_generate(synthetic_warehouse):
    db, work = synthetic_warehouse
    result = run_dbt(db, "docs", "generate", work=work)
    assert result.returncode == 0, result.stdout[-2000:]
    assert (work / "target" / "catalog.json").exists()
