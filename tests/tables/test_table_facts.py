import json
from decimal import Decimal
from pathlib import Path

import pytest

from cnfiscal.extract.merge import merge_facts
from cnfiscal.extract.tables import extract_table_facts
from cnfiscal.model import DocumentMeta, Fact
from cnfiscal.readers import Table, read_document

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def _func_table(unit, split_codes, kind="budget"):
    if split_codes:
        head = [["类", "款", "项", "科目名称", "合计", "基本支出", "项目支出"]]
        rows = [
            ["", "", "", "合计", "3,000", "2,000", "1,000"],
            ["201", "", "", "一般公共服务支出", "2,500", "2,000", "500"],
            ["201", "03", "", "政府办公厅(室)及相关机构事务", "2,500", "2,000", "500"],
            ["208", "", "", "社会保障和就业支出", "500", "", "500"],
        ]
    else:
        head = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
        rows = [
            ["", "合计", "3,000", "2,000", "1,000"],
            ["201", "一般公共服务支出", "2,500", "2,000", "500"],
            ["20103", "政府办公厅(室)及相关机构事务", "2,500", "2,000", "500"],
            ["208", "社会保障和就业支出", "500", "", "500"],
        ]
    return Table(
        rows=head + rows,
        title="2024年一般公共预算支出功能分类" + ("预算表" if kind == "budget" else "决算表"),
        unit=unit,
        header_rows=1,
        page=3,
    )


@pytest.mark.parametrize(("unit", "scale"), [("万元", Decimal(1)), ("元", Decimal("0.0001"))])
@pytest.mark.parametrize("split_codes", [True, False])
@pytest.mark.parametrize(("kind", "basis"), [("budget", "budget"), ("final_account", "actual")])
def test_function_table(unit, scale, split_codes, kind, basis):
    meta = DocumentMeta(agency="某局", fiscal_year=2024, doc_kind=kind)
    facts = extract_table_facts([_func_table(unit, split_codes, kind)], meta, [])
    got = {(f.item, f.scope, f.basis, f.year): f for f in facts}
    assert got[("total", "general_public", basis, 2024)].value == 3000 * scale
    assert got[("basic", "general_public", basis, 2024)].value == 2000 * scale
    assert got[("project", "general_public", basis, 2024)].value == 1000 * scale
    f201 = got[("func:201", "general_public", basis, 2024)]
    assert f201.value == 2500 * scale and f201.code == "201" and f201.source == "table"
    kuan = got[("func:20103", "general_public", basis, 2024)]
    assert kuan.parent_code == "201"
    assert got[("func:208", "general_public", basis, 2024)].value == 500 * scale
    assert all(f.unit == "万元" and f.page == 3 for f in facts)


@pytest.mark.parametrize(
    ("title", "scope"),
    [("“三公”经费支出预算表", "all"), ("一般公共预算“三公”经费支出表", "general_public")],
)
def test_three_public_with_meeting_fees(title, scope):
    rows = [
        [
            "合计",
            "“三公”经费小计",
            "因公出国(境)费",
            "公务用车购置及运行费",
            "公务用车购置费",
            "公务用车运行费",
            "公务接待费",
            "会议费",
            "培训费",
        ],  # fmt: skip
        ["150", "100", "10", "60", "20", "40", "30", "20", "30"],
    ]
    meta = DocumentMeta(fiscal_year=2020, doc_kind="budget")
    facts = extract_table_facts([Table(rows=rows, title=title, unit="万元")], meta, [])
    got = {(f.statement, f.item): f.value for f in facts if f.scope == scope}
    assert got[("three_public", "total")] == 100  # 合计 150 counts meeting and training fees
    assert got[("three_public", "vehicle")] == 60
    assert got[("three_public", "vehicle_purchase")] == 20
    assert got[("operating_cost", "econ:30215")] == 20


def _fact(source, value, **kw):
    return Fact(
        "income",
        "total",
        "all",
        "budget",
        2024,
        "amount",
        Decimal(value),
        "万元",
        source=source,
        **kw,
    )


@pytest.mark.parametrize(
    ("prose", "conflict"), [("15621.11", False), ("15621.1", False), ("15612.11", True)]
)
def test_merge_prose_and_table(prose, conflict):
    issues = []
    table = _fact("table", "15621.1123", page=10, table=2, row=5, col=3)
    facts = [_fact("text", prose, start=10), table]
    merged = merge_facts(facts, issues)
    assert len(merged) == 1
    assert merged[0].source == "table" and merged[0].value == Decimal("15621.1123")
    assert merged[0].also_in[0]["source"] == "text"
    assert any(i.code == "value_conflict" for i in issues) is conflict


def test_merge_keeps_performance_and_open_items():
    a = Fact("performance", "kpi:办件量", "all", "actual", 2024, "amount", Decimal(5), "件")
    b = Fact("performance", "kpi:办件量", "all", "actual", 2024, "amount", Decimal(5), "万件")
    c = Fact("expenditure", "project:甲", "all", "budget", 2024, "amount", Decimal(1), "万元")
    d = Fact("expenditure", "project:乙", "all", "budget", 2024, "amount", Decimal(2), "万元")
    assert len(merge_facts([a, b, c, d], [])) == 4


GOLD_REAL = SHARED / "gold" / "real"
CASES = [
    "gbc__上海市普陀区人民政府万里街道办事处24年预算",
    "gbc__上海市普陀区人民政府办公室单位25年预算",
    "openbudget__2019年度部门预算公开",
    "renwu__009_武汉__信访局_国家信访局2024年度部门决算公开",
    "renwu__015_长沙__2026年长沙市公安局2025年部门预算",
]


@pytest.mark.parametrize("stem", CASES)
def test_real_table_facts_agree_with_gold(stem):
    gold_path = GOLD_REAL / f"{stem}.json"
    pdf = SHARED / "corpus" / "real" / f"{stem}.pdf"
    if not gold_path.exists() or not pdf.exists():
        pytest.skip("shared gold not available")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    d = gold["document"]
    meta = DocumentMeta(d["agency"], d["region"], d["fiscal_year"], d["doc_kind"])
    doc = read_document(pdf.read_bytes(), pdf.name)
    facts = merge_facts(extract_table_facts(doc.tables, meta, []), [])
    want = {
        (g["statement"], g["item"], g["scope"], g["basis"], g["year"]): Decimal(g["value"])
        for g in gold["facts"]
        if g["measure"] == "amount"
    }
    got = {(f.statement, f.item, f.scope, f.basis, f.year): f.value for f in facts}
    shared = [k for k in want if k in got]
    wrong = [k for k in shared if abs(got[k] - want[k]) > Decimal("0.005")]
    assert len(shared) >= 0.6 * len(want), f"only {len(shared)} of {len(want)} gold amounts"
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("title", "scope"),
    [
        ("2021年项目支出表", "all"),
        ("2021年专项业务经费支出表", "all"),
        ("2021年一般公共预算项目支出预算表", "general_public"),
    ],
)
def test_project_table_gives_its_total_row_only(title, scope):
    table = Table(
        rows=[
            ["项目名称", "合计", "一般公共预算", "其他资金"],
            ["合计", "1,620.98", "1,500", "120.98"],
            ["网络运维项目", "1,000", "1,000", ""],
            ["宣传经费", "620.98", "500", "120.98"],
        ],
        title=title,
        unit="万元",
        header_rows=1,
        page=9,
    )
    meta = DocumentMeta(agency="某局", fiscal_year=2021, doc_kind="budget")
    facts = extract_table_facts([table], meta, [])
    assert [(f.statement, f.item, f.scope, f.value) for f in facts] == [
        ("expenditure", "project", scope, Decimal("1620.98"))
    ]
    fund = Table(
        rows=table.rows, title="2021年政府性基金预算项目支出表", unit="万元", header_rows=1, page=9
    )
    assert not extract_table_facts([fund], meta, [])


def test_summary_label_in_a_column_that_holds_amounts_elsewhere():
    # 收支总表 with two expenditure views: the 小计 label sits under the function amounts
    table = Table(
        rows=[
            ["项目名称", "金额", "功能科目名称", "金额", "支出用途", "金额"],
            ["一般公共预算", "900", "一般公共服务支出", "700", "基本支出", "600"],
            ["事业收入", "100", "社会保障和就业支出", "300", "项目支出", "400"],
            ["当年收入小计", "1,000", "", "当年支出小计", "", "1,000"],
        ],
        title="2018年收支预算总表",
        unit="万元",
        header_rows=1,
        page=2,
    )
    meta = DocumentMeta(agency="某局", fiscal_year=2018, doc_kind="budget")
    got = {(f.statement, f.item): f.value for f in extract_table_facts([table], meta, [])}
    assert got[("income", "total")] == 1000
    assert got[("expenditure", "total")] == 1000


@pytest.mark.parametrize(
    ("label", "item"), [("人员经费和公用经费支出", "basic"), ("专项业务经费", "project")]
)
def test_comprehensive_budget_names_of_basic_and_project(label, item):
    table = Table(
        rows=[["项目", "合计"], ["合计", "3,643.37"], [label, "2,022.39"]],
        title="2019年部门支出总表",
        unit="万元",
        header_rows=1,
        page=3,
    )
    meta = DocumentMeta(agency="某局", fiscal_year=2019, doc_kind="budget")
    got = {f.item: f.value for f in extract_table_facts([table], meta, [])}
    assert got[item] == Decimal("2022.39")


def _econ_table(title, head, rows):
    return Table(rows=[head, *rows], title=title, unit="万元", header_rows=1, page=8)


def test_economic_table_with_basic_and_project_columns():
    # 一般公共预算支出表(按经济分类): classes are read from the 基本支出 column, not as 功能分类
    table = _econ_table(
        "表8 一般公共预算支出表(按经济分类)",
        ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
        [
            ["", "合计", "1,000", "600", "400"],
            ["301", "工资福利支出", "500", "500", ""],
            ["302", "商品和服务支出", "500", "100", "400"],
        ],
    )
    meta = DocumentMeta(agency="某局", fiscal_year=2026, doc_kind="budget")
    got = {f.item: f.value for f in extract_table_facts([table], meta, [])}
    assert got == {"total": 1000, "basic": 600, "project": 400, "econ:301": 500, "econ:302": 100}


def test_economic_tables_of_basic_and_of_all_spending():
    meta = DocumentMeta(agency="某局", fiscal_year=2019, doc_kind="budget")
    head = ["科目编码", "科目名称", "金额"]
    everything = _econ_table(
        "表6 一般公共预算支出明细表(按支出经济分类科目)",
        head,
        [["", "合计", "3,643.37"], ["302", "商品和服务支出", "1,699.55"]],
    )
    basic = _econ_table(
        "表8 一般公共预算基本支出明细表(按支出经济分类科目)",
        head,
        [["", "合计", "2,022.39"], ["302", "商品和服务支出", "182.88"]],
    )
    got = {f.item: f.value for f in extract_table_facts([everything], meta, [])}
    assert got == {"total": Decimal("3643.37")}
    got = {f.item: f.value for f in extract_table_facts([basic], meta, [])}
    assert got == {"basic": Decimal("2022.39"), "econ:302": Decimal("182.88")}


def test_table_by_unit_opens_with_the_departments_total_row():
    table = Table(
        rows=[
            ["预算单位", "科目编码", "科目名称", "支出总计", "基本支出", "项目支出"],
            ["深圳市某某办公室", "", "", "5,588.46", "500.65", "5,087.81"],
            ["", "201", "一般公共服务支出", "5,588.46", "500.65", "5,087.81"],
        ],
        title="表4 一般公共预算支出表",
        unit="万元",
        header_rows=1,
        page=5,
    )
    meta = DocumentMeta(agency="深圳市某某办公室", fiscal_year=2026, doc_kind="budget")
    got = {f.item: f.value for f in extract_table_facts([table], meta, [])}
    assert got["total"] == Decimal("5588.46")
    assert got["basic"] == Decimal("500.65") and got["project"] == Decimal("5087.81")
    assert got["func:201"] == Decimal("5588.46")


def test_unit_codes_are_not_classification_codes():
    table = Table(
        rows=[
            ["单位编码", "单位名称", "总计"],
            ["", "合计", "3,643.37"],
            ["201", "西安市某某局", "3,643.37"],
            ["201001", "西安市某某局(本级)", "3,000"],
        ],
        title="表3 2019年部门综合预算支出总表",
        unit="万元",
        header_rows=1,
        page=4,
    )
    meta = DocumentMeta(agency="西安市某某局", fiscal_year=2019, doc_kind="budget")
    facts = extract_table_facts([table], meta, [])
    assert {f.item for f in facts} == {"total"}


def test_unit_code_header_wrapped_over_two_rows():
    table = Table(
        rows=[
            ["单位编", "单位名称", "合计"],
            ["码", "", ""],
            ["", "合计", "3,643.37"],
            ["201", "西安市某某局", "3,643.37"],
        ],
        title="表3 2021年部门综合预算支出总表",
        unit="万元",
        header_rows=2,
        page=4,
    )
    meta = DocumentMeta(agency="西安市某某局", fiscal_year=2021, doc_kind="budget")
    assert {f.item for f in extract_table_facts([table], meta, [])} == {"total"}
