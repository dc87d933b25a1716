"""Prose rules on reworded sentences, other numbers, units and years (not the seed text)."""

from decimal import Decimal

import pytest

from cnfiscal.extract import extract_bytes
from cnfiscal.extract.normalize import normalize_text
from cnfiscal.extract.prose import extract_prose
from cnfiscal.model import DocumentMeta


def _facts(text, year=2021, kind="budget"):
    issues = []
    text = normalize_text(text)
    facts = extract_prose(text, DocumentMeta("某单位", "某市", year, kind), issues)
    for f in facts:
        assert text[f.start : f.end]  # every fact points into the text
    return facts, issues


def _find(facts, **kw):
    return [f for f in facts if all(getattr(f, k) == v for k, v in kw.items())]


@pytest.mark.parametrize(
    "year,total,delta,verb,sign",
    [
        (2021, "2300.5", "12", "增加", 1),
        (2016, "88", "3.4", "减少", -1),
        (2023, "1,050", "0.7", "下降", -1),
    ],
)
def test_total_with_yoy_change(year, total, delta, verb, sign):
    text = f"{year}年部门预算总收入{total}万元,比{year - 1}年预算{verb}{delta}万元。"
    facts, _ = _facts(text, year)
    amt = _find(facts, statement="income", item="total", measure="amount")
    assert amt and amt[0].value == Decimal(total.replace(",", ""))
    d = _find(facts, statement="income", item="total", measure="delta")
    assert d[0].value == sign * Decimal(delta) and d[0].compare_year == year - 1


def test_units_yuan_and_yi_convert_to_wan():
    facts, _ = _facts("本年支出总计12345678元。其中:基本支出1.2亿元。", 2020, "final_account")
    assert _find(facts, item="total")[0].value == Decimal("1234.5678")
    assert _find(facts, item="basic")[0].value == Decimal("12000")
    assert all(f.basis == "actual" for f in facts)


def test_scope_from_heading_and_sentence():
    text = (
        "四、一般公共预算财政拨款支出情况\n基本支出50万元,其中:人员经费40万元。\n"
        "五、其他\n财政拨款收入总计60万元。\n事业收入3万元。"
    )
    facts, _ = _facts(text)
    assert _find(facts, item="basic")[0].scope == "general_public"
    assert _find(facts, item="personnel")[0].scope == "general_public"
    assert _find(facts, statement="income", item="total")[0].scope == "fiscal"
    assert _find(facts, item="business")[0].scope == "all"


def test_classification_names_and_shares():
    text = (
        "本年支出总计100万元,其中:卫生健康支出60万元,占总支出的60%;"
        "对个人和家庭补助支出支出40万元,占总支出的40%。"
    )
    facts, _ = _facts(text, 2020, "final_account")
    assert _find(facts, item="func:210", measure="amount")[0].value == 60
    assert _find(facts, item="econ:303", measure="share")[0].value == 40


def test_three_public_parts_and_template_resolved_from_total():
    text = (
        "六、“三公”经费预算情况\n“三公”经费预算10万元,比上年减少0.5万元。其中:"
        "因公出国(境)费0万元,比上年增加/减少0万元;公务接待费2万元,比上年增加/减少0.5万元;"
        "公务用车购置及运行维护费8万元,比上年增加0万元。"
    )
    facts, issues = _facts(text, 2022)
    rec = _find(facts, item="reception", measure="delta")
    assert rec[0].value == Decimal("-0.5") and rec[0].compare_year == 2021
    assert any(i.code == "template_leftover" for i in issues)


def test_template_unresolvable_gives_issue_not_fact():
    facts, issues = _facts("公务接待费3万元,比上年增加/减少0.4万元。", 2022)
    assert not _find(facts, item="reception", measure="delta")
    assert any("not recoverable" in i.message for i in issues)


def test_typos_are_issues_with_corrected_reading():
    text = "2020年支出500万元,其中:基本支出300.5元,项目支出199.5万元。“三公”经费支出3..25万元。"
    facts, issues = _facts(text, 2020, "performance")
    assert _find(facts, item="basic")[0].value == Decimal("300.5")
    assert _find(facts, statement="three_public", item="total")[0].value == Decimal("3.25")
    codes = {i.code for i in issues}
    assert {"unit_typo", "number_typo"} <= codes


def test_staffing_counts_and_vehicle_in_words():
    text = "(三)人员构成\n编制人数12名,其中:在职10人,退休3人。\n(四)国有资产\n现有两辆公务用车。"
    facts, _ = _facts(text)
    assert _find(facts, item="authorized")[0].value == 12
    assert _find(facts, item="retired")[0].unit == "人"
    v = _find(facts, item="vehicles")
    assert v and v[0].value == 2 and v[0].unit == "辆"


def test_project_list_with_run_in_numbers():
    text = (
        "(二)项目支出90万元。主要安排为:\n1.40万元,主要用于系统运维。\n2.50万元,主要用于大厅物业。"
    )
    facts, issues = _facts(text)
    projects = sorted(f.value for f in facts if f.item.startswith("project:"))
    assert projects == [40, 50]
    assert any(i.code == "list_number_run_in" for i in issues)


def test_no_numbers_gives_no_facts():
    facts, _ = _facts("本单位没有政府性基金预算,无该项支出。")
    assert facts == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes(range(256)) * 50,
        "无数字的文本。".encode("gbk"),
        (("说明文字没有数字。" * 60 + "收入10万元。\n") * 3000).encode("utf-8")[:5_000_000],
        "混合编码".encode() + "文本".encode("gbk"),
    ],
)
def test_bad_input_never_raises(data):
    result = extract_bytes(data, "x.txt")
    assert isinstance(result.facts, list)
    if not result.facts:
        assert result.issues


@pytest.mark.parametrize("compare", ["与上年持平", "与2022年预算持平", "比上年持平", "和去年持平"])
def test_unchanged_right_after_a_figure(compare):
    # "X为…万元,与上年持平": nothing names the line before 持平; the figure just before it does
    text = (
        f"七、“三公”经费预算情况\n2023年“三公”经费预算数为45.6万元,{compare}。"
        f"其中:公务接待费5.1万元,{compare}。"
    )
    facts, _ = _facts(text, 2023)
    for item in ("total", "reception"):
        d = _find(facts, statement="three_public", item=item, measure="delta")
        assert [(f.value, f.compare_year) for f in d] == [(0, 2022)]


def test_unchanged_after_another_funds_figure_names_nothing():
    text = (
        "财政拨款支出预算中,一般公共预算拨款支出预算80万元,比上年预算减少2万元;"
        "政府性基金拨款支出预算0万元,与上年预算持平;国有资本经营预算拨款支出预算0万元,"
        "比上年预算增加3万元,增长5%。"
    )
    facts, _ = _facts(text, 2023)
    assert [(f.scope, f.measure, f.value) for f in _find(facts, statement="expenditure")] == [
        ("general_public", "amount", 80),
        ("general_public", "delta", -2),
    ]


@pytest.mark.parametrize(
    "both", ["收入、支出预算总计", "收、支预算总计各", "收入总计、支出总计均", "收入和支出总计"]
)
def test_income_and_expenditure_named_together(both):
    text = f"本部门2023年度收入、支出预算总计500万元,与上年相比{both}增加20万元,增长4.17%。"
    facts, _ = _facts(text, 2023)
    for st in ("income", "expenditure"):
        got = {f.measure: f.value for f in _find(facts, statement=st, item="total", scope="all")}
        assert got == {"amount": 500, "delta": 20, "pct_change": Decimal("4.17")}


def test_fiscal_wording_under_a_general_public_heading():
    text = (
        "五、一般公共预算财政拨款支出决算情况说明\n(一)总体情况\n"
        "本单位财政拨款支出300万元,与上年度相比,财政拨款支出减少12万元,降低3.85%。"
    )
    facts, _ = _facts(text, 2023, "final_account")
    got = _find(facts, statement="expenditure", item="total")
    assert {f.scope for f in got} == {"general_public"}
    assert {f.measure for f in got} == {"amount", "delta", "pct_change"}


def test_fund_word_after_an_item_qualifies_it():
    facts, _ = _facts("2023年本部门委托业务费财政拨款预算为120万元,比上年预算增加8万元。", 2023)
    got = {(f.statement, f.item, f.scope, f.measure) for f in facts}
    assert got == {
        ("expenditure", "econ:30227", "fiscal", "amount"),
        ("expenditure", "econ:30227", "fiscal", "delta"),
    }
    facts, _ = _facts("使用非财政拨款结余减少40万元。", 2023)
    assert not _find(facts, item="fiscal_appropriation")


def test_generic_words_after_an_unread_line_belong_to_that_line():
    # a project's own budget and spending, not the department's totals
    text = (
        "三、项目资金使用情况\n1.某某改造工程预算600万元,实际支出574万元,预算执行率95.67%。\n"
        "2.某某补助资金预算4278万元,其中财政拨款1935万元。"
    )
    facts, _ = _facts(text, 2023, "final_account")
    assert not _find(facts, item="total") and not _find(facts, item="fiscal_appropriation")


def test_generic_words_after_a_read_line():
    text = (
        "二、收入预算情况\n收入预算数1200万元,其中财政拨款1100万元。\n"
        "三、三公经费\n公务接待费预算8万元,实际支出7.5万元。"
    )
    facts, _ = _facts(text, 2023, "final_account")
    fa = _find(facts, statement="income", item="fiscal_appropriation")
    assert [f.value for f in fa] == [1100]
    rec = {(f.basis, f.value) for f in _find(facts, item="reception", measure="amount")}
    assert rec == {("budget", 8), ("actual", Decimal("7.5"))}
    assert not _find(facts, statement="expenditure", item="total")


def test_operating_cost_written_as_run_cost_of_a_fund():
    text = (
        "六、其他重要事项\n(一)机关运行经费。2023年一般公共预算财政拨款运行经费815万元,"
        "比2022年增加21.5万元。"
    )
    facts, _ = _facts(text, 2023)
    got = {(f.statement, f.item, f.scope, f.measure, f.value) for f in facts}
    assert got == {
        ("operating_cost", "total", "general_public", "amount", 815),
        ("operating_cost", "total", "general_public", "delta", Decimal("21.5")),
    }


def test_three_public_summed_with_meeting_and_training_fees_is_not_the_total():
    text = (
        "八、“三公”经费、会议费、培训费支出预算情况\n"
        "2023年一般公共预算“三公”经费及会议费、培训费预算支出263.72万元。"
        "其中“三公”经费预算支出60万元,比上年减少5万元。"
    )
    facts, _ = _facts(text, 2023)
    total = _find(facts, statement="three_public", item="total", measure="amount")
    assert [f.value for f in total] == [60]


def test_item_before_a_basis_word_and_spent():
    # "公务接待费预算支出": the item, not the generic 支出 (the department's total)
    text = (
        "七、“三公”经费预算情况\n"
        "1.因公出国(境)费预算支出6万元,比上年预算减少2万元。\n"
        "2.公务接待费预算支出3.2万元,比上年预算增加0.5万元。"
    )
    facts, _ = _facts(text, 2024)
    got = {(f.statement, f.item, f.measure, f.value) for f in facts}
    assert got == {
        ("three_public", "overseas", "amount", 6),
        ("three_public", "overseas", "delta", -2),
        ("three_public", "reception", "amount", Decimal("3.2")),
        ("three_public", "reception", "delta", Decimal("0.5")),
    }


def test_class_name_written_with_its_level_and_spent():
    text = (
        "二、支出预算情况\n社会保障和就业支出(类)支出 778.22 万元,与 上 年 相 比 增 加 99.6 万元,"
        "增长 14.68%。"
    )
    facts, _ = _facts(text, 2026)
    got = {f.measure: f.value for f in _find(facts, item="func:208")}
    assert got == {
        "amount": Decimal("778.22"),
        "delta": Decimal("99.6"),
        "pct_change": Decimal("14.68"),
    }
    assert not _find(facts, item="total")


def test_generic_spent_with_a_basis_after_a_read_line_is_that_line():
    text = (
        "九、“三公”经费财政拨款支出决算情况说明\n"
        "“三公”经费财政拨款支出年初预算为2.85万元,支出决算为0.39万元,完成年初预算的13.68%。"
    )
    facts, _ = _facts(text, 2024, "final_account")
    got = {(f.item, f.basis, f.value) for f in _find(facts, statement="three_public")}
    assert got == {("total", "budget", Decimal("2.85")), ("total", "actual", Decimal("0.39"))}
    assert not _find(facts, statement="expenditure")


def test_small_business_share_of_procurement_is_not_its_total():
    text = (
        "十、政府采购情况\n2024年度本部门政府采购预算总额300万元,其中:面向中小企业预留政府采购"
        "项目预算金额225.10万元。"
    )
    facts, _ = _facts(text, 2024)
    total = _find(facts, statement="procurement", item="total")
    assert [f.value for f in total] == [300]


def test_composite_budget_names_of_basic_and_project_spending():
    """2: 部门综合预算 wording: 人员经费和公用经费支出 is 基本支出, 专项业务经费 is 项目支出;
    a name before the word (服务业发展专项资金) is one project, not the department's."""
    text = (
        "2026年支出预算1200万元，其中：人员经费和公用经费支出800万元，专项业务经费支出400万元。"
        "新增服务业发展专项资金300万元。"
    )
    facts, _ = _facts(text, 2026)
    assert _find(facts, item="basic", measure="amount")[0].value == 800
    (project,) = _find(facts, item="project", measure="amount")
    assert project.value == 400
    (named,) = [f for f in facts if f.item.startswith("project:新增服务业发展专项")]
    assert named.value == 300


def test_income_sources_in_the_prose_of_html_reports():
    """4: 政府性基金拨款 without 预算, as 说明 prose writes it."""
    text = (
        "2026年收入预算1200万元，其中：一般公共预算拨款1000万元，"
        "政府性基金拨款150万元，上年结转50万元。"
    )
    facts, _ = _facts(text, 2026)
    assert _find(facts, statement="income", item="gov_fund_budget")[0].value == 150
    assert _find(facts, statement="income", item="carryover")[0].value == 50


@pytest.mark.parametrize(
    "text",
    [
        # the figure on the next line after the subject
        "2026年收、支预算总计各\n1,234.56万元，比上年增加\n12.5万元，增长1.0%。",
        # the joint word (各 / 均) opening the next line
        "2026年收、支预算总计\n各1,234.56万元，比上年增加12.5万元，增长1.0%。",
        "2026年收入、支出预算总计\n均为1,234.56万元，比上年增加12.5万元，增长1.0%。",
    ],
)
def test_joint_statement_broken_across_short_lines(text):
    # short lines: the document is not hard-wrapped, the breaks are the PDF's own
    facts, _ = _facts(text, 2026)
    for st in ("income", "expenditure"):
        got = {f.measure: f.value for f in _find(facts, statement=st, item="total", scope="all")}
        assert got == {"amount": Decimal("1234.56"), "delta": Decimal("12.5"), "pct_change": 1}


def test_line_of_bare_percentages_is_not_joined_to_prose():
    text = "指标1:群众满意率\n100%\n95%\n指标2:办件量"
    assert normalize_text(text) == text
