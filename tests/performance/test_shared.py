"""Seeds against the performance gold, and what the real performance PDFs yield."""

from __future__ import annotations

import importlib.util
import json

import pytest

from cnfiscal.extract.normalize import normalize_text
from cnfiscal.extract.performance import extract_performance
from cnfiscal.model import DocumentMeta
from cnfiscal.readers import read_document


def _scorer(shared):
    spec = importlib.util.spec_from_file_location("score_facts", shared / "tools/score_facts.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seeds_reach_the_quality_bar(shared):
    score = _scorer(shared)
    hits = n_gold = n_pred = 0
    for gold_path in sorted((shared / "gold/performance").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        seed = shared / "corpus/seeds" / f"{gold_path.stem}.txt"
        doc = gold["document"]
        # the gold's metadata isolates this stage from metadata detection
        meta = DocumentMeta(fiscal_year=doc["fiscal_year"], doc_kind=doc["doc_kind"])
        text = normalize_text(read_document(seed.read_bytes(), seed.name).text)
        facts = [f.to_json() for f in extract_performance(text, [], meta, [])]
        for f in facts:
            assert text[f["start"] : f["end"]], f  # spans point into the text
        h, _, _ = score.match(gold["facts"], facts)
        hits, n_gold, n_pred = hits + h, n_gold + len(gold["facts"]), n_pred + len(facts)
    p, r = hits / n_pred, hits / n_gold
    assert 2 * p * r / (p + r) >= 0.90


def _real(shared, word):
    found = [p for p in (shared / "corpus/real").glob("*.pdf") if word in p.name]
    if not found:
        pytest.skip(f"no real PDF named like {word}")
    return found[0]


def test_guangzhou_target_form_states_targets(shared):
    path = _real(shared, "绩效目标申报表")
    parsed = read_document(path.read_bytes(), path.name)
    meta = DocumentMeta(fiscal_year=2026, doc_kind="performance")
    facts = extract_performance(normalize_text(parsed.text), parsed.tables, meta, [])
    assert facts and {f.basis for f in facts} == {"budget"}
    sat = [f for f in facts if f.code == "satisfaction_rate"]
    assert any(str(f.value) == "95" and f.qualifier == "≥" for f in sat)
    assert parsed.tables
    table = {f.item: f for f in facts if f.source == "table"}
    assert len(table) >= 20
    # the 指标值 grid: qualifiers, units, categories and whole names from wrapped cells
    assert (table["kpi:有效投诉率"].qualifier, str(table["kpi:有效投诉率"].value)) == ("≤", "1")
    assert table["kpi:汇聚数据数量"].unit == "条" and table["kpi:汇聚数据数量"].value == 10**9
    assert table["kpi:服务企业次数"].unit == "家次" and table["kpi:服务企业次数"].qualifier == "≥"
    assert {table[f"kpi:项目{w}数量"].unit for w in ("立项", "终验")} == {"个"}
    assert table["kpi:话务接通率"].category == "benefit"
    assert table["kpi:工单转派的及时率"].category == "output"
    assert table["kpi:项目预算控制率"].category == "cost"
    full = "kpi:数字政府政务云、安全运营、信息基础设施统一运维服务综合满意率"
    assert table[full].category == "satisfaction" and table[full].qualifier == "≥"
    # names read from the grid, not from the page text's broken lines
    assert not [f for f in facts if f.item in ("kpi:≥", "kpi:≤", "kpi:效投诉率", "kpi:验数量")]


def test_xian_self_evaluation_tables(shared):
    path = _real(shared, "西安__卫生健康委员会")
    parsed = read_document(path.read_bytes(), path.name)
    if not parsed.tables:
        pytest.skip("reader returns no tables yet")
    meta = DocumentMeta(fiscal_year=2022, doc_kind="final_account")
    issues = []
    facts = extract_performance(normalize_text(parsed.text), parsed.tables, meta, issues)
    table = [f for f in facts if f.source == "table"]
    # the department-wide 自评表 total row: 83.16% of the budget executed
    assert any(f.item == "kpi:资金执行率" and str(f.value) == "83.16" for f in table)
    # project 自评表 rows give targets and achievements of the same indicator
    targets = {f.item for f in table if f.basis == "budget"}
    actuals = {f.item for f in table if f.basis == "actual"}
    assert len(targets & actuals) >= 20
    # every rate outside 0..100 is reported with its row quoted
    flagged = {i.quote for i in issues if i.code == "rate_out_of_range"}
    for f in table:
        if f.unit == "%" and "率" in f.item and not 0 <= f.value <= 100:
            assert f.evidence[:300] in flagged
