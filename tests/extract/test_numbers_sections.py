from decimal import Decimal

import pytest

from cnfiscal.extract.numbers import find_quantities, parse_number, to_wanyuan
from cnfiscal.extract.sections import split_sentences


@pytest.mark.parametrize(
    "text,value",
    [
        ("1,484.49", "1484.49"),
        ("１４８４．４９", "1484.49"),
        ("二十三", "23"),
        ("两", "2"),
        ("一百零五", "105"),
        ("6..63", "6.63"),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_number(text, value):
    got = parse_number(text)
    assert (str(got) if got is not None else None) == value


@pytest.mark.parametrize(
    "value,unit,wan",
    [
        ("1234.5", "元", "0.12345"),
        ("3", "亿元", "30000"),
        ("7.25", "万", "7.25"),
        ("1", "件", None),
    ],
)
def test_to_wanyuan(value, unit, wan):
    got = to_wanyuan(Decimal(value), unit)
    assert (str(got) if got is not None else None) == wan


def test_quantities_spans_and_kinds():
    text = "在职4名,现有一辆车,支出1,234.5元,增长12.5%,共2亿元,受理12万余件"
    qs = find_quantities(text)
    kinds = [(q.kind, str(q.value), q.unit) for q in qs]
    assert ("count", "4", "名") in kinds and ("count", "1", "辆") in kinds
    assert ("percent", "12.5", "%") in kinds and ("count", "120000", "件") in kinds
    money = [q for q in qs if q.kind == "money"]
    assert [str(q.wan) for q in money] == ["0.12345", "20000"]
    for q in qs:
        assert text[q.start : q.end] == q.raw


def test_sentences_know_heading_path_and_offsets():
    text = "一、收入情况\n(一)总体\n1.收入10万元。支出8万元;结余2万元\n二、其他\n说明文字。"
    sents = split_sentences(text)
    for s in sents:
        assert text[s.start : s.end] == s.text
    body = [s for s in sents if "支出8万元" in s.text][0]
    assert [b.title for b in body.path] == ["收入情况", "总体"]
    last = sents[-1]
    assert [b.title for b in last.path] == ["其他"]


def test_run_in_list_numbers_resolved_from_siblings():
    text = "项目支出30万元:\n1.12万元,用于甲。\n2.8万元,用于乙。\n3.10万元,用于丙。"
    sents = split_sentences(text)
    firsts = [s for s in sents if s.block is not None]
    assert [s.text.split(",")[0] for s in firsts] == ["12万元", "8万元", "10万元"]
    assert all(s.block.run_in for s in firsts)
