"""Indicator sentences, reworded and with other numbers, read into facts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from perf_helpers import by_value, run

from cnfiscal.extract.normalize import normalize_text


@pytest.mark.parametrize(
    ("sentence", "value", "unit", "qualifier", "measure"),
    [
        ("全年受理并办结各类事项12万多件。", "120000", "件", "多", "count"),
        ("全年共接待办事群众3.5万余人次。", "35000", "人次", "余", "count"),
        ("事项的实时即办率接近70%。", "70", "%", "近", "share"),
        ("群众非常满意率超过99.99%。", "99.99", "%", "超过", "share"),
        ("审批时限压缩40%以上。", "40", "%", "以上", "share"),
        ("办件量达到８６５件。", "865", "件", None, "count"),
        ("绩效综合评价得分为87.5分。", "87.5", "分", None, "amount"),
        ("平均每周接待考察2.4次。", "2.4", "次", None, "amount"),
        ("今年已实现各项税收1.66亿元。", "1.66", "亿元", None, "amount"),
    ],
)
def test_one_indicator_per_sentence(sentence, value, unit, qualifier, measure):
    facts, _ = run("一、工作成效\n" + sentence)
    assert len(facts) == 1, [f.item for f in facts]
    f = facts[0]
    assert (str(f.value), f.unit, f.qualifier, f.measure) == (value, unit, qualifier, measure)
    assert f.statement == "performance" and f.item.startswith("kpi:") and f.scope == "all"
    assert f.basis == "actual" and f.year == 2019
    # provenance: the sentence, and a span that covers the written number
    assert f.evidence == normalize_text(sentence) and f.start is not None and f.end > f.start


@pytest.mark.parametrize(
    ("wording", "code"),
    [
        ("按期办结率为{}%", "on_time_completion_rate"),
        ("按时办结率达{}%", "on_time_completion_rate"),
        ("限时办结率达到{}%", "on_time_completion_rate"),
        ("办结率{}%", "completion_rate"),
        ("服务对象满意率达到{}%", "satisfaction_rate"),
        ("不满意率为{}%", "dissatisfaction_rate"),
    ],
)
@pytest.mark.parametrize("number", ["97", "88.5"])
def test_names_map_to_vocabulary_keys(wording, code, number):
    facts, _ = run("一、工作成效\n2019年，热线工单" + wording.format(number) + "。")
    assert [(f.code, str(f.value)) for f in facts] == [(code, number)]
    if "满意" in wording:
        assert facts[0].category == "satisfaction"


@pytest.mark.parametrize(("a", "b", "unit"), [("20", "10", "个工作日"), ("45", "15", "天")])
def test_before_after_pair_gives_two_facts(a, b, unit):
    facts, _ = run(f"一、成效\n改革后，用水报装时间从{a}{unit}压缩到{b}{unit}以内。")
    vals = by_value(facts)
    assert set(vals) == {a, b}
    assert vals[a].item.endswith("(before)") and vals[b].item.endswith("(after)")
    assert vals[b].qualifier == "以内" and vals[a].qualifier is None
    assert {f.unit for f in facts} == {unit.removeprefix("个")}


def test_before_last_year_takes_previous_year():
    facts, _ = run("一、成效\n纳入系统的审批事项已由去年的150项增至目前的280项。", year=2018)
    vals = by_value(facts)
    assert (vals["150"].year, vals["280"].year) == (2017, 2018)


def test_listed_pairs_split_names():
    text = "一、成效\n高压单、双电源用电报装时间从38、53个工作日分别压缩到18、33个工作日以内。"
    facts, _ = run(text)
    names = {f.item for f in facts}
    assert "kpi:高压单电源用电报装时间(after)" in names
    assert "kpi:高压双电源用电报装时间(before)" in names
    assert sorted(str(f.value) for f in facts) == ["18", "33", "38", "53"]


@pytest.mark.parametrize(
    "sentence",
    [
        "“三公”经费比上年减少0.72万元，降幅为5%。",
        "现有在职工作人员31人，临时工6人。",
        "专项经费为202万元，占总支出的35.2%。",
        "单位补贴5元。",
        "2019年3月，荣获第二届全国优秀行政服务大厅称号。",
        "差错率为零，群众投诉率为零。",
    ],
)
def test_money_staff_dates_and_words_give_no_indicator(sentence):
    facts, _ = run("一、工作成效\n" + sentence)
    assert facts == []


def test_derived_percent_follows_an_indicator():
    facts, _ = run("一、成效\n共减少环节286个，降幅85%，精简申报资料857件，降幅62%。")
    vals = by_value(facts)
    assert vals["85"].item == "kpi:减少环节降幅" and vals["85"].measure == "share"
    assert vals["62"].item.startswith("kpi:精简申报资料")


def test_target_wording_gives_budget_basis():
    facts, _ = run("七、重点项目绩效目标\n设定绩效目标为资金执行率达100%。", kind="final_account")
    assert [(f.item, f.basis) for f in facts] == [("kpi:资金执行率", "budget")]


def test_budget_report_reads_only_its_performance_section():
    text = (
        "一、部门基本情况\n窗口工作人员共有150人，进驻窗口34个。\n"
        "二、收入支出预算\n收入总计1484.49万元。\n"
        "三、预算绩效情况\n力争全年办件量达到5万件，群众满意率达到95%以上。\n"
        "四、名词解释\n1.基本支出：指保障机构运转的支出，例如办公费3项。\n"
    )
    facts, _ = run(text, kind="budget")
    assert sorted(str(f.value) for f in facts) == ["50000", "95"]
    assert {f.basis for f in facts} == {"budget"}


def test_rate_over_100_is_a_warning_with_quote():
    facts, issues = run("一、成效\n按时办结率为101.5%。")
    assert facts and facts[0].value == Decimal("101.5")
    warn = [i for i in issues if i.code == "rate_out_of_range"]
    assert warn and warn[0].severity == "warning" and "101.5" in warn[0].quote


def test_bad_input_never_raises():
    for text in ["", "\x00\x01", "从到至由", "%%%", "12、、个", "1" * 5000 + "件"]:
        run(text)
