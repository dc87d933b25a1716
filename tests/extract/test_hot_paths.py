"""Shortcuts taken for speed give what the plain definitions give."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnfiscal.extract import performance as perf
from cnfiscal.extract.performance import labels
from cnfiscal.extract.prose.engine import ProseReader
from cnfiscal.extract.sections import split_sentences
from cnfiscal.model import DocumentMeta

SEEDS = sorted((Path(__file__).resolve().parents[2].parent / "shared/corpus/seeds").glob("*.txt"))

LINES = [
    "",
    "按时办结率达到100%,群众满意度95%。",
    "决策 20 17.90",
    "综合管理 367.65 保质保量完成",
    "产出指标\t数量指标\t≥95%",
    "12.5",
    "12.5 13",
    "\u3000完成 3 份\u3000",
    "办件量\u00a0120件\u00a0 98%",
    "2024年 年度 目标",
    "-5% +3.2",
]


@pytest.mark.parametrize("line", LINES)
def test_tabular_shortcut_matches_both_patterns(line):
    full = bool(perf._TABLE_WORDS.search(line)) or len(perf._FREE_FIGURE.findall(line)) >= 2
    assert perf._tabular(line) == full


def _heading_reference(reader: ProseReader, path):
    """Every heading of the path read afresh (the reading before it was built up by prefix)."""
    readings = [reader._block_reading(b) for b in path]
    statement = next((st for st, _, _ in reversed(readings) if st), None)
    scopes = {scope for _, scope, _ in readings}
    scope = (
        "general_public" if "general_public" in scopes else "fiscal" if "fiscal" in scopes else None
    )
    return statement, scope, any(p for _, _, p in readings), [b.title for b in path]


NESTED = """某局2024年部门预算
第一部分 收入预算情况
一、财政拨款支出预算
（一）一般公共预算拨款支出
1.三公经费支出10万元,比上年减少2万元。
2.项目支出:信息化建设项目20万元。
（二）政府采购情况
政府采购预算30万元。
二、机关运行经费
机关运行经费40万元。
"""


def test_heading_built_by_prefix_matches_full_reading():
    texts = [NESTED] + [p.read_text(encoding="utf-8") for p in SEEDS]
    checked = 0
    for text in texts:
        reader = ProseReader(text, DocumentMeta(fiscal_year=2024, doc_kind="budget"), [])
        for sent in split_sentences(text):
            blocks = list(sent.path) + ([sent.block] if sent.block else [])
            h = reader._heading(blocks)
            assert (h.statement, h.scope, h.project, h.titles) == _heading_reference(reader, blocks)
            checked += 1
    assert checked > 100


def test_memoized_label_helpers_return_what_they_compute():
    for raw in ("其中:按时办结率为", "全年受理业务", "“互联网+政务服务”事项", "", "有效投诉率"):
        for cell, tail in ((False, True), (True, False)):
            assert labels.clean_name(raw, cell, tail) == labels.clean_name.__wrapped__(
                raw, cell, tail
            )
    for name, unit in (("按期办结率", "%"), ("办结", "件"), ("群众满意度", "%"), ("", "")):
        assert labels.indicator_for(name, unit) == labels.indicator_for.__wrapped__(name, unit)
