"""PDF page text breaks lines where a paragraph or a table cell wrapped: a sentence cut at such
a break must not give an indicator named by a cut-off word ("…40个市" + "直部门…")."""

from __future__ import annotations

from perf_helpers import run

from cnfiscal.extract.normalize import normalize_text

WRAPPED = """一、绩效目标完成情况
广州12345政务服务便民热线已完成全市
资源整合工作，具体涵盖11个行政区、40个市
直部门，以及92条非紧急类政务服务专线，实
现了政务服务诉求“一号响应”。扩充三级医院床位至46402张、可转
换ICU床位1894张。
"""


def _items(facts):
    return {f.item: f for f in facts}


def test_wrapped_sentence_read_whole():
    facts, _ = run(WRAPPED, year=2026)
    items = _items(facts)
    assert "kpi:市直部门" in items and items["kpi:市直部门"].value == 40
    assert "kpi:非紧急类政务服务专线" in items
    assert "kpi:可转换ICU床位" in items
    # no name cut at the line break
    assert "kpi:市" not in items and "kpi:换ICU床位" not in items


def test_joined_facts_point_at_the_page_text():
    text = normalize_text(WRAPPED)
    facts, _ = run(WRAPPED, year=2026)
    for f in facts:
        assert f.start is not None and f.end is not None
        assert text[f.start : f.end].replace("\n", "") in f.evidence
    f = _items(facts)["kpi:可转换ICU床位"]
    assert text[f.start : f.end] == "1894张"


def test_table_lines_and_figure_lines_stay_apart():
    text = """一、绩效目标完成情况
基本支出 12,634.14 财政拨款 98,880.78
项目支出 86,246.64 其他资金 0.00
指标1：全市安全生产形势情况良好稳定
100%
"""
    facts, _ = run(text, year=2026)
    assert not any("安全生产形势" in f.item for f in facts)
    assert not any("财政拨款" in f.item or "其他资金" in f.item for f in facts)


def test_table_row_echo_is_no_indicator_name():
    text = """一、绩效目标完成情况
决策 20 17.90 89.50%
编报绩效目标的 2024 年度项目 39 个，按时办结率为 98.5%。
"""
    facts, _ = run(text, year=2024)
    names = {f.item for f in facts}
    assert not any("17.90" in n or "决策" in n for n in names)
    assert any(f.value == 39 for f in facts)
    assert any(f.code == "on_time_completion_rate" for f in facts)
