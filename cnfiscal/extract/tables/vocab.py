"""Table recognition vocabulary (cnfiscal/vocab/table_layouts.csv, table_labels.csv)."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Layout:
    kind: str
    scope: str
    pattern: re.Pattern


@dataclass(frozen=True)
class Label:
    context: str
    pattern: re.Pattern
    statement: str
    item: str
    rank: int


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("cnfiscal.vocab").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def layouts() -> tuple[Layout, ...]:
    return tuple(
        Layout(r["kind"], r["scope"], re.compile(r["title_pattern"]))
        for r in _rows("table_layouts.csv")
    )


@cache
def labels(context: str) -> tuple[Label, ...]:
    return tuple(
        Label(r["context"], re.compile(r["pattern"]), r["statement"], r["item"], int(r["rank"]))
        for r in _rows("table_labels.csv")
        if r["context"] == context
    )


# list numbering (一、 1. (三) 其中:) before a label; a year (2025年) is not numbering
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\d+[、.]|\([一二三四五六七八九十\d]+\)|其中[:]?|\d+[.、]?(?=[^\d年月]))+"
)


# a unit written into a header or label: 合计（元）, 预算数(万元)
UNIT_NOTE = re.compile(r"[(（]\s*(?:单位[:：])?\s*(万元|亿元|千元|元)\s*[)）]")


def fold(text: str) -> str:
    """Cell text as a comparison key: NFKC, no spaces, no list numbering, straight quotes,
    no unit note."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text).replace("“", '"').replace("”", '"')
    return _ORDINAL.sub("", UNIT_NOTE.sub("", text))


def match_label(context: str, text: str) -> Label | None:
    key = fold(text)
    if not key:
        return None
    for label in labels(context):
        if label.pattern.search(key):
            return label
    return None


def classify(title: str) -> Layout | None:
    key = fold(title)
    for layout in layouts():
        if layout.pattern.search(key):
            return layout
    return None


# fund names that contain 预算 but say nothing about budget vs actual
_FUND_NAMES = re.compile(
    r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算|预算[外内]|预算单位"
)


def basis_of(text: str) -> str | None:
    """budget/actual as a title or header says it (预算数, 决算表), fund names set aside."""
    key = _FUND_NAMES.sub("", fold(text))
    if "决算" in key or "执行数" in key or "实际" in key:
        return "actual"
    if "预算" in key:
        return "budget"
    return None
