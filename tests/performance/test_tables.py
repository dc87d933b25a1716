"""绩效目标表 / 绩效自评表 grids: targets, achievements, categories and checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from perf_helpers import run

from cnfiscal.readers import Table

HEAD = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]


def _grid(rows):
    return [Table(rows=[HEAD, *rows], page=3, index=0, title="部门整体支出绩效自评表")]


@pytest.mark.parametrize(("target", "actual"), [("≥95%", "97.2%"), ("≥90%", "88%")])
def test_self_evaluation_row_gives_target_and_achievement(target, actual):
    rows = [
        ["满意度指标", "服务对象满意度指标", "群众满意率", target, actual, "10", "9"],
        ["产出指标", "数量指标", "办件量（件）", "≥10000", "12500", "20", "20"],
        ["总分", "", "", "", "", "100", "96.5"],
    ]
    facts, issues = run("", tables=_grid(rows))
    sat = {f.basis: f for f in facts if f.item == "kpi:群众满意率"}
    assert str(sat["budget"].value) == target.strip("≥%") and sat["budget"].qualifier == "≥"
    assert str(sat["actual"].value) == actual.strip("%")
    assert sat["actual"].category == "satisfaction" and sat["actual"].measure == "share"
    cases = {f.basis: f for f in facts if f.item == "kpi:办件量"}
    assert cases["budget"].unit == "件" and str(cases["actual"].value) == "12500"
    assert cases["actual"].category == "output"
    score = [f for f in facts if f.unit == "分"]
    assert [str(f.value) for f in score] == ["96.5"]
    assert all(f.source == "table" and f.page == 3 for f in facts)
    assert not [i for i in issues if i.code.endswith("_without_target")]


def test_missing_achievement_is_a_warning():
    rows = [["效益指标", "社会效益指标", "话务接通率", "≥93%", "", "10", "10"]]
    facts, issues = run("", tables=_grid(rows))
    assert [f.basis for f in facts] == ["budget"]
    assert any(i.code == "target_without_achievement" and "话务接通率" in i.quote for i in issues)


def test_cost_rows_restating_money_are_left_to_money_statements():
    rows = [["成本指标", "经济成本指标", "全年经费支出", "240万元", "229.19万元", "10", "10"]]
    facts, _ = run("", tables=_grid(rows))
    assert facts == []


def test_target_form_yearly_column_wins():
    head = ["一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"]
    rows = [head, ["产出指标", "质量指标", "事件工单解决率", "≥85%", "≥90%"]]
    facts, _ = run("", tables=[Table(rows=rows, page=2, index=1, title="绩效目标申报表")])
    assert [(str(f.value), f.basis) for f in facts] == [("90", "budget")]


def test_graded_standards_in_tab_separated_text():
    text = (
        "五、绩效预算信息\n"
        "职责活动\t年度预算数\t绩效目标\t绩效指标\t评价标准\t\t\t\n"
        "\t\t\t\t优\t良\t中\t差\n"
        "窗口办公费\t21.6\t保障窗口运转\t窗口日常工作完成率\t100%\t96%\t92%\t80%\n"
    )
    facts, _ = run(text, year=2018, kind="budget")
    got = {f.item: str(f.value) for f in facts}
    assert got == {
        "kpi:窗口日常工作完成率(优)": "100",
        "kpi:窗口日常工作完成率(良)": "96",
        "kpi:窗口日常工作完成率(中)": "92",
        "kpi:窗口日常工作完成率(差)": "80",
    }
    assert all(f.basis == "budget" and f.start is not None for f in facts)


# 项目支出绩效目标表 as 长沙/北京 print them: one row per indicator, the project named in its
# own column (carried down), the value bare with its unit and comparison in columns of their own
PROJECT_HEAD = ["项目名称", "绩效目标", "一级指标", "二级指标", "三级指标", "性质", "指标值",
                "度量单位"]  # fmt: skip


def test_unit_and_comparison_columns_complete_a_bare_value():
    rows = [
        ["11000022T000000438666-公报制作发行", "及时公开政策文件", "产出指标", "数量指标",
         "每年发行公报册数", "＝", "7.32", "万册"],
        ["", "", "满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "%"],
        ["热线运营", "12345热线运营", "产出指标", "时效指标", "故障响应时间", "≤", "10", "分钟"],
        ["", "", "成本指标", "经济成本指标", "专家劳务费", "≤", "37600", "元"],
    ]  # fmt: skip
    t = Table(rows=[PROJECT_HEAD, *rows], page=20, index=0, title="预算表12项目支出绩效目标表")
    facts, _ = run("", tables=[t])
    by = {f.item: f for f in facts}
    copies = by["kpi:公报制作发行/每年发行公报册数"]
    assert (copies.value, copies.unit, copies.qualifier) == (73200, "册", None)
    sat = by["kpi:公报制作发行/群众满意度"]  # the project carries down to the next row
    assert (str(sat.value), sat.unit, sat.qualifier, sat.measure) == ("90", "%", "≥", "share")
    assert sat.category == "satisfaction" and sat.basis == "budget"
    assert by["kpi:热线运营/故障响应时间"].unit == "分钟"
    assert by["kpi:热线运营/故障响应时间"].qualifier == "≤"
    assert not [f for f in facts if "专家劳务费" in f.item]  # spending: the money statements
    assert not [f for f in facts if "及时公开" in f.item or f.item.endswith("/")]


def test_indicator_is_matched_on_its_own_words_not_its_projects():
    # Project names full of indicator words (宣传, 满意度, 每月): the rows' indicators are
    # neither media reports nor satisfaction, and a count is not measured as a per-unit amount.
    rows = [
        ["无偿献血者宣传", "宣传", "产出指标", "数量指标", "目标采集血液人次", "≥", "1200", "人次"],
        ["群众满意度提升工程", "提升", "产出指标", "数量指标", "新建服务站点", "≥", "6", "个"],
        ["每月一题政策咨询服务", "咨询", "产出指标", "数量指标", "有效问题建议数", "≥", "40", "条"],
        ["热线宣传推广", "推广", "产出指标", "数量指标", "年度宣传推广次数", "≥", "12", "次"],
    ]  # fmt: skip
    t = Table(rows=[PROJECT_HEAD, *rows], page=20, index=0, title="项目支出绩效目标表")
    facts, _ = run("", tables=[t])
    by = {f.item: f for f in facts}
    assert by["kpi:无偿献血者宣传/目标采集血液人次"].code is None
    assert by["kpi:群众满意度提升工程/新建服务站点"].category != "satisfaction"
    assert by["kpi:每月一题政策咨询服务/有效问题建议数"].measure == "count"
    assert by["kpi:热线宣传推广/年度宣传推广次数"].code == "media_reports"  # its own words


def test_value_words_are_not_names_and_ranges_give_no_target():
    rows = [
        ["满意度指标", "服务对象满意度指标", "全站职工满意度", "大于95%", "98%", "10", "9"],
        ["效益指标", "社会效益指标", "年采供血量增幅", "上涨5%-10%", "上涨6.23%", "15", "15"],
        ["满意度指标", "服务对象满意度指标", "会议次数、评选稿件", "≥30次；≥20篇", "", "5", "5"],
    ]
    facts, _ = run("", tables=_grid(rows))
    got = {(f.item, f.basis): f for f in facts}
    assert got[("kpi:全站职工满意度", "budget")].qualifier == ">"
    assert ("kpi:年采供血量增幅", "budget") not in got  # a range states no single target
    assert str(got[("kpi:年采供血量增幅", "actual")].value) == "6.23"
    assert got[("kpi:评选稿件", "budget")].unit == "篇"  # listed names pair with listed values
    assert str(got[("kpi:会议次数", "budget")].value) == "30"
    assert not [f for f in facts if f.item in ("kpi:大于", "kpi:上涨", "kpi:-")]


FUNDS_HEAD = ["项目", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]


def _funds_grid(title="部门整体支出绩效自评表", first=("单位名称", "某某局")):
    rows = [
        list(first) + [""] * 5,
        FUNDS_HEAD,
        ["年度资金总额（万元）", "1,200.00", "1,250.50", "1,180.25", "10", "94.4%", "9.4"],
        ["其中：基本支出", "800.00", "820.00", "815.10", "", "", ""],
        ["项目支出", "400.00", "430.50", "365.15", "", "", ""],
    ]
    return [Table(rows=rows, page=1, index=0, title=title)]


def test_department_funds_block_gives_its_spending_budget_and_actual():
    facts, _ = run("", kind="performance", tables=_funds_grid())
    money = {(f.item, f.basis): str(f.value) for f in facts if f.statement == "expenditure"}
    # 年初预算数 is the budget (not the adjusted 全年预算数); 全年执行数 the actual
    assert money == {
        ("total", "budget"): "1200.00",
        ("total", "actual"): "1180.25",
        ("basic", "budget"): "800.00",
        ("basic", "actual"): "815.10",
        ("project", "budget"): "400.00",
        ("project", "actual"): "365.15",
    }
    spent = [f for f in facts if f.statement == "expenditure"]
    assert all(f.unit == "万元" and f.source == "table" for f in spent)


def test_funds_block_in_yuan_is_stated_in_wan():
    t = _funds_grid()[0]
    t.rows[2][0] = "年度资金总额（元）"
    t.rows[2][1] = "12,000,000.00"
    facts, _ = run("", tables=[t])
    key = ("expenditure", "total", "budget")
    total = [f for f in facts if (f.statement, f.item, f.basis) == key]
    assert [f.value for f in total] == [Decimal(1200)] and total[0].unit == "万元"


def test_one_projects_grid_is_not_the_departments_spending():
    grid = _funds_grid(title="项目支出绩效自评表", first=("项目名称", "政务服务平台运维"))
    facts, _ = run("", tables=grid)
    assert not [f for f in facts if f.statement == "expenditure"]


def test_cost_indicator_restating_basic_spending_is_that_line():
    rows = [["成本指标", "经济成本指标", "基本支出", "≤820万元", "815.1万元", "10", "10"]]
    facts, _ = run("", tables=_grid(rows))
    money = {(f.item, f.basis): f.value for f in facts if f.statement == "expenditure"}
    assert money == {("basic", "budget"): 820, ("basic", "actual"): Decimal("815.1")}
    assert not [f for f in facts if f.item.startswith("kpi:")]
