"""Ruled grids whose cells hold wrapped prose (绩效目标申报表): the drawn lines, not the text
layout, decide the cells — built from word boxes and rules, and read from a real form."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnfiscal.readers import read_document
from cnfiscal.readers.pdf_tables import tables_from_pages
from cnfiscal.readers.pdf_words import PageGeometry, Word

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
XS = [50.0, 110.0, 170.0, 330.0, 420.0, 510.0]  # column borders of the synthetic grid


def _cell(text: str, col: int, top: float) -> Word:
    return Word(text, XS[col] + 3, XS[col] + 3 + 10 * len(text), top, top + 9)


def _page() -> PageGeometry:
    """A 5-column indicator grid: a header, then rows whose 三级指标 cell wraps onto two or
    three lines (one word per line, as pdfium gives them); the left label cell spans all."""
    words = [_cell("部门整体绩效目标表", 1, 20)]
    rows = [  # (top of the row band, wrapped name lines, target, weight)
        (60, ["政务服务受理综合满意率"], "≥95%", "10"),
        (
            80,
            ["数字政府政务云、安全运", "营、信息基础设施统一运", "维服务综合满意率"],
            "≥80%",
            "10",
        ),
        (115, ["有效投诉率"], "≤1%", "5"),
        (135, ["企业诉求及时办结率（按", "月统计）"], "≥99%", "5"),
    ]
    head = ["绩效指标", "一级指标", "三级指标", "年度指标值", "分值"]
    words += [_cell(h, c, 42) for c, h in enumerate(head)]
    words.append(_cell("满意度指标", 1, 62))
    across = [(40.0, XS[0], XS[-1]), (57.0, XS[0], XS[-1])]
    for top, names, target, weight in rows:
        words += [_cell(n, 2, top + 3 + 11 * k) for k, n in enumerate(names)]
        words += [_cell(target, 3, top + 3), _cell(weight, 4, top + 3)]
        across.append((float(top) - 3, XS[1] + 0.0 if top != 60 else XS[0], XS[-1]))
    across.append((158.0, XS[0], XS[-1]))
    rules = [(x, 40.0, 158.0) for x in XS]
    return PageGeometry(words, 600.0, rules, across=across)


def test_grid_cells_keep_their_wrapped_lines():
    tables = tables_from_pages([_page()], [])
    assert tables, "no grid returned"
    rows = tables[0].rows
    assert rows[0][1:] == ["一级指标", "三级指标", "年度指标值", "分值"]
    names = [r[2] for r in rows[1:]]
    assert names == [
        "政务服务受理综合满意率",
        "数字政府政务云、安全运营、信息基础设施统一运维服务综合满意率",
        "有效投诉率",
        "企业诉求及时办结率（按月统计）",
    ]
    assert [r[3] for r in rows[1:]] == ["≥95%", "≥80%", "≤1%", "≥99%"]
    assert rows[1][1] == "满意度指标"  # a merged cell's text goes to its first row


def _real(word: str) -> Path:
    found = sorted((SHARED / "corpus/real").glob(f"*{word}*"))
    if not found:
        pytest.skip(f"no real PDF named like {word}")
    return found[0]


def test_guangzhou_target_form_yields_its_three_grids():
    path = _real("绩效目标申报表")
    tables = read_document(path.read_bytes(), path.name).tables
    assert len(tables) == 3
    budget, tasks, indicators = tables
    assert budget.rows[0][1:] == [
        "部门预算支出",
        "预算金额（万元）",
        "收入来源",
        "预算金额（万元）",
    ]
    assert ["", "基本支出", "12,634.14", "财政拨款", "98,880.78"] in budget.rows
    assert tasks.rows[0][1:] == [
        "名称",
        "主要实施内容",
        "拟投入的资金（万元）",
        "期望达到的目标（概述）",
    ]
    assert [r[3] for r in tasks.rows[1:]] == [
        "164.85", "12,000.00", "1,108.00", "1,756.90", "51,365.96"
    ]  # fmt: skip
    assert indicators.rows[0] == ["绩效指标", "一级指标", "二级指标", "三级指标", "实施周期指标值",
                                  "年度指标值"]  # fmt: skip
    assert len(indicators.rows) == 22
    assert ["", "", "", "有效投诉率", "≤1%", "≤1%"] in indicators.rows
    formula = "项目预算控制率=项目实际费用金额/项目投资概算*100%"
    assert indicators.rows[-2][1:4] == ["成本指标", "经济成本指标", formula]


def test_xian_self_evaluation_grid_keeps_its_total_row():
    path = _real("西安__卫生健康委员会")
    tables = read_document(path.read_bytes(), path.name).tables
    grid = next(t for t in tables if 31 in t.pages)
    cells = [[c for c in r if c] for r in grid.rows]
    name = "指标1：全面加强党的建设覆盖单位数量"
    assert ["产出指标（50分）", "数量指标", name, "28个", "28个", "2", "2"] in cells
    by_page = [t for t in tables if t.page == 108 and any("总分" in c for r in t.rows for c in r)]
    assert by_page and by_page[0].rows[-1][-3:-1] == ["100", "97"]
