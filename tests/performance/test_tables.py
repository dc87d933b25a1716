"""绩效目标表 / 绩效自评表 grids: targets, achievements, categories and checks."""

from __future__ import annotations

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
