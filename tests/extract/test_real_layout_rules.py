"""Prose rules learned from real PDFs, on made-up text: wrapped lines, run-in headings,
"与2024年持平", sub-class (项) lines."""

from decimal import Decimal

from cnfiscal.extract.normalize import normalize_text
from cnfiscal.extract.prose import extract_prose
from cnfiscal.model import DocumentMeta

META = DocumentMeta(agency="佛山市审计局", region="佛山市", fiscal_year=2025, doc_kind="budget")


def _facts(text: str):
    return extract_prose(normalize_text(text), META, [])


def test_wrapped_pdf_lines_are_joined_but_typed_paragraphs_are_not():
    wrapped = (
        "(四)政府采购情况:2025 年本单位政府采购预算总额为一千余项合计\n"
        "16476.85 万元,其中,货物类采购预算 2,716.09 万元;工程类采购预算\n"
        "9,021.25 万元。\n"
        "二、部门预算单位构成说明文字比较长的一行用来凑足宽度而已的内容\n"
        "下一行。\n"
    )
    text = normalize_text(wrapped)
    assert "合计16476.85 万元" in text and "预算9,021.25" in text
    assert "\n二、" in text  # a heading is never glued to the line before
    # typed text: most long lines end their paragraph, so an open-ended one is left alone
    para = "这是一整段打字录入的说明文字,段落写完才换行,所以行尾一般是句号。\n"
    typed = para * 3 + "第四段也是一整段文字写得比较长一些但是结尾没有句号\n第五段。\n"
    assert normalize_text(typed) == typed


def test_same_as_named_year_is_a_zero_delta_against_that_year():
    facts = _facts("(二)“三公”经费预算:2025 年“三公”经费预算与 2024 年持平。\n")
    deltas = [f for f in facts if f.measure == "delta" and f.statement == "three_public"]
    assert [(f.value, f.compare_year) for f in deltas] == [(Decimal(0), 2024)]


def test_heading_scope_comes_from_words_before_the_colon():
    text = (
        "(一)收入预算:包括一般公共预算、政府性基金等财政拨款收入。2025 年本单位收入预算"
        " 100.00 万元,其中,一般公共预算拨款 100.00 万元,事业单位经营服务收入 0.00 万元。\n"
    )
    got = {(f.item, f.scope) for f in _facts(text) if f.statement == "income"}
    assert ("total", "all") in got
    assert ("operating", "all") in got
    assert ("total", "general_public") not in got


def test_sub_class_lines_give_no_class_fact():
    text = "公共安全支出(类)其他公共安全支出(款)其他公共安全支出(项)12.00万元,增长2.36%。\n"
    assert not [f for f in _facts(text) if f.item.startswith("func:")]
