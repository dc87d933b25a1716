"""Table layouts seen on real reports, each as a small synthetic grid: one test per cause."""

from decimal import Decimal

import pytest

from cnfiscal.extract.tables import extract_table_facts
from cnfiscal.model import DocumentMeta
from cnfiscal.readers import Table


def _facts(tables, year=2024, kind="budget"):
    meta = DocumentMeta(agency="某局", fiscal_year=year, doc_kind=kind)
    facts = extract_table_facts(tables, meta, [])
    return {(f.statement, f.item, f.scope, f.basis, f.year): f for f in facts}


def _func(title, total="300"):
    rows = [
        ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
        ["", "合计", total, "200", "100"],
        ["201", "一般公共服务支出", total, "200", "100"],
    ]
    return Table(rows=rows, title=title, unit="万元", header_rows=1)


@pytest.mark.parametrize(
    ("kind", "titles", "basis"),
    [
        # the table names its basis; the document kind does not override it
        ("performance", ["2025年部门预算表 部门支出总表"], "budget"),
        ("budget", ["2024年度支出决算表"], "actual"),
        # a neutral title takes what the document's other tables say
        ("performance", ["2025年部门收支预算总表", "2025年部门支出总体情况表"], "budget"),
        # 一般公共预算 names a fund, not a basis: a final account stays actual
        ("final_account", ["一般公共预算财政拨款支出表"], "actual"),
    ],
)
def test_basis_from_titles(kind, titles, basis):
    got = _facts([_func(t) for t in titles], year=2025, kind=kind)
    scope = "general_public" if "一般公共预算" in titles[-1] else "all"
    assert ("expenditure", "total", scope, basis, 2025) in got


def test_year_from_title_when_metadata_has_none():
    got = _facts([_func("2026年部门支出预算表")], year=None)
    assert got[("expenditure", "func:201", "all", "budget", 2026)].value == 300


def test_column_number_row_and_flush_right_figures():
    # centred headers in columns of their own, figures flush right in the next column,
    # and a 栏次 row (** 1 2 3) under the header
    rows = [
        ["经济科目编码", "经济科目名称", "总计", "", "人员类", "", "公用经费", ""],
        ["**", "**", "1", "", "2", "", "3", ""],
        ["", "合计", "", "28,398.17", "", "26,353.16", "", "2,045.01"],
        ["301", "工资福利支出", "", "24,454.16", "", "24,454.16", "", ""],
    ]
    table = Table(rows=rows, title="2025年一般公共预算基本支出情况表", unit="万元")
    got = _facts([table], year=2025)
    key = ("expenditure", "{}", "general_public", "budget", 2025)
    assert got[key[:1] + ("basic",) + key[2:]].value == Decimal("28398.17")
    assert got[key[:1] + ("personnel",) + key[2:]].value == Decimal("26353.16")
    assert got[key[:1] + ("public_funds",) + key[2:]].value == Decimal("2045.01")
    assert got[key[:1] + ("econ:301",) + key[2:]].value == Decimal("24454.16")


def test_summary_labels_split_over_cells_and_line_numbers():
    rows = [
        ["收入", "", "", "支出", "", ""],
        ["项目", "行次", "金额", "项目", "行次", "金额"],
        ["栏次", "", "1", "栏次", "", "2"],
        [
            "一、一般公共预算财政拨款收入",
            "1",
            "19,572.91",
            "一、一般公共服务支出",
            "32",
            "10,685.56",
        ],
        ["本年收入", "合计", "20,451.35", "本年支出", "合计", "14,572.53"],
        ["年初结转和结余", "29", "1,615.24", "年末结转和结余", "60", "7,494.06"],
        ["收入总", "计", "22,066.59", "支出总", "计", "22,066.59"],
    ]
    table = Table(rows=rows, title="收入支出决算总表 公开01表", unit="万元")
    got = _facts([table], kind="final_account")
    a = ("all", "actual", 2024)
    assert got[("income", "general_public_budget", *a)].value == Decimal("19572.91")
    assert got[("income", "total", *a)].value == Decimal("20451.35")  # 本年 beats 总计
    assert got[("expenditure", "total", *a)].value == Decimal("14572.53")
    assert got[("income", "carryover", *a)].value == Decimal("1615.24")
    assert got[("expenditure", "func:201", *a)].value == Decimal("10685.56")


def test_three_public_column_groups_budget_and_actual():
    leaf = [
        "合计",
        "因公出国（境）费",
        "小计",
        "公务用车购置费",
        "公务用车运行维护费",
        "公务接待费",
    ]
    rows = [
        ["", "", "预算数", "", "", "", "", "", "", "决算数", "", ""],
        ["", "", "公务用车购置及运行维护费", "", "", "", "", "", "公务用车购置及运行维护费"]
        + [""] * 3,
        leaf + leaf,
        [str(n) for n in range(1, 13)],
        ["76.43", "30.00", "40.63", "", "40.63", "5.80"]
        + ["46.21", "4.69", "40.61", "", "40.61", "0.90"],
    ]
    title = "一般公共预算财政拨款“三公”经费支出决算表"
    got = _facts([Table(rows=rows, title=title, unit="万元")], kind="final_account")
    for basis, total, overseas, vehicle, reception in [
        ("budget", "76.43", "30.00", "40.63", "5.80"),
        ("actual", "46.21", "4.69", "40.61", "0.90"),
    ]:
        k = ("general_public", basis, 2024)
        assert got[("three_public", "total", *k)].value == Decimal(total)
        assert got[("three_public", "overseas", *k)].value == Decimal(overseas)
        assert got[("three_public", "vehicle", *k)].value == Decimal(vehicle)
        assert got[("three_public", "reception", *k)].value == Decimal(reception)
        assert ("three_public", "vehicle_purchase", *k) not in got  # blank cell: no fact


def test_three_public_subtotal_column_beside_meeting_fees():
    rows = [
        ["合计", "“三公”经费", "", "", "", "", "", "会议费", "培训费"],
        [
            "",
            "小计",
            "因公出国（境）费",
            "小计",
            "公务用车购置费",
            "公务用车运行维护费",
            "公务接待费",
        ]
        + ["", ""],
        ["1276.7", "418.26", "80", "237", "", "237", "101.26", "158.44", "700"],
    ]
    table = Table(rows=rows, title="“三公”经费、会议费、培训费支出预算表", unit="万元")
    table.aliases = ["一般公共预算“三公”经费、会议费、培训费支出预算表"]  # from the 目录
    got = _facts([table], year=2019)
    k = ("general_public", "budget", 2019)
    assert got[("three_public", "total", *k)].value == Decimal("418.26")  # not 1276.7
    assert got[("three_public", "vehicle", *k)].value == 237
    assert got[("operating_cost", "econ:30215", *k)].value == Decimal("158.44")


def test_side_by_side_blocks_with_label_over_two_blocks():
    rows = [
        ["人员经费", "", "", "公用经费", "", "", "", "", ""],
        ["科目代码", "科目名称", "决算数", "科目代码", "科目名称", "决算数"] * 1
        + ["科目代码", "科目名称", "决算数"],
        [
            "301",
            "工资福利支出",
            "6,982.75",
            "302",
            "商品和服务支出",
            "2,239.41",
            "307",
            "债务利息",
            "",
        ],
        ["30101", "基本工资", "1,857.40", "30201", "办公费", "83.92", "310", "资本性支出", "27.24"],
        ["", "人员经费合计", "7,967.72", "", "", "公用经费合计", "", "", "2,266.65"],
    ]
    table = Table(rows=rows, title="一般公共预算财政拨款基本支出决算表", unit="万元")
    got = _facts([table], kind="final_account")
    k = ("general_public", "actual", 2024)
    assert got[("expenditure", "econ:301", *k)].value == Decimal("6982.75")
    assert got[("expenditure", "econ:302", *k)].value == Decimal("2239.41")
    assert got[("expenditure", "econ:310", *k)].col == 8
    assert got[("expenditure", "personnel", *k)].value == Decimal("7967.72")
    assert got[("expenditure", "public_funds", *k)].value == Decimal("2266.65")
    assert ("expenditure", "econ:307", *k) not in got


def test_spaced_total_split_over_two_cells():
    rows = [
        ["", "科目编码", "", "科目名称", "金额"],
        ["", "", "合", "计", "15,844.04"],
        ["301", "", "", "工资福利支出", "11,960.62"],
    ]
    table = Table(rows=rows, title="一般公共预算基本支出预算表（经济科目）", unit="万元")
    got = _facts([table], year=2019)
    assert got[("expenditure", "basic", "general_public", "budget", 2019)].value == Decimal(
        "15844.04"
    )


def test_consolidated_table_sums_a_class_over_its_units():
    rows = [
        ["功能科目编码", "功能科目名称", "合计"],
        ["", "合计", "300.00"],
        ["125001", "某局本级", "200.00"],
        ["208", "社会保障和就业支出", "120.00"],
        ["224", "灾害防治及应急管理支出", "80.00"],
        ["125002", "某中心", "100.00"],
        ["208", "社会保障和就业支出", "30.50"],
        ["224", "灾害防治及应急管理支出", "69.50"],
    ]
    table = Table(rows=rows, title="2019年一般公共预算支出明细表", unit="万元")
    got = _facts([table], year=2019)
    k = ("general_public", "budget", 2019)
    assert got[("expenditure", "func:208", *k)].value == Decimal("150.50")
    assert got[("expenditure", "func:224", *k)].value == Decimal("149.50")
    assert got[("expenditure", "total", *k)].value == 300


def test_kuan_code_without_its_leading_zero():
    rows = [
        ["类", "款", "科目名称", "合计"],
        ["", "", "合计", "300.00"],
        ["301", "", "工资福利支出", "300.00"],
        ["301", "2", "津贴补贴", "100.00"],
        ["301", "07", "绩效工资", "200.00"],
    ]
    table = Table(rows=rows, title="2024年一般公共预算基本支出经济分类预算表", unit="万元")
    got = _facts([table])
    k = ("general_public", "budget", 2024)
    assert got[("expenditure", "econ:301", *k)].value == 300
    assert got[("expenditure", "econ:30102", *k)].value == 100
    assert got[("expenditure", "econ:30102", *k)].parent_code == "301"
