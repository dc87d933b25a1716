"""Indicator names: the shortest faithful name from the words around a number, and its key.

The key comes from cnfiscal/vocab/indicators.csv (key, synonyms…): the longest synonym found in
the name wins, so 按期办结率 maps to on_time_completion_rate rather than completion_rate.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources


@dataclass(frozen=True)
class Indicator:
    key: str
    name_zh: str
    synonyms: tuple[str, ...]
    category: str
    unit: str
    direction: str


@cache
def indicators() -> tuple[Indicator, ...]:
    path = resources.files("cnfiscal.vocab").joinpath("indicators.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        Indicator(
            key=r["key"],
            name_zh=r["name_zh"],
            synonyms=tuple(s for s in (r["synonyms"] or "").split("|") if s) or (r["name_zh"],),
            category=r["category"],
            unit=r["unit"],
            direction=r["direction"],
        )
        for r in rows
    )


@cache
def _synonym_index() -> tuple[tuple[str, Indicator], ...]:
    pairs = [(s, ind) for ind in indicators() for s in {*ind.synonyms, ind.name_zh}]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@lru_cache(maxsize=65536)  # every synonym is tried in turn; names recur across reports
def indicator_for(name: str, unit: str = "") -> Indicator | None:
    """The vocabulary indicator a free-text name stands for, or None.

    A % figure first looks for a rate indicator and any other figure for a non-rate one, so
    "办结6782件" is not read as 办结率; the longest synonym found in the name wins.
    """
    fallback = None
    for syn, ind in _synonym_index():
        if syn in name:
            if not unit or (ind.unit == "%") == (unit == "%"):
                return ind
            fallback = fallback or ind
    return fallback


# Words that start a clause but are not part of the indicator's name.
_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]是|其中|另外|此外|同时|并且|并|和|及(?!时)|以及|且|共(?!享|建|同)|合计|累计|"
    r"总计|全年|今年|"
    r"本年|当年|年内|目前|截止目前|截至目前|已|已经|我们|我局|我区|我市|我单位|本单位|本部门|共计|"
    r"有(?!效)|对(?!外|接)|为|在(?!线|岗|编|校|建)|"
    r"将|把|向|给|由|(?:设定|设置|确定)?(?:绩效)?目标值?(?:为|是)|"
    r"\d{4}年度?|\d{1,2}月份?|底|末)+"
)
# Words between a name and its number ("办结率为", "满意率达到").
_TAIL = re.compile(
    r"(?:分别|均|都|已|共|共计|合计|累计|总计|约|大约|达到了|达到|达|为|是|了|有|计|实现|完成|"
    r"提高到|提升到|提高至|提升至|增至|增加到|降至|降低到|超|在|占|上升|下降|的|从|由)+$"
)
_QUOTES = re.compile(r"[“”\"'‘’《》<>「」]")


# A table cell is a name already: only clause openers go ("其中：…"), while 全年, 当年, 年内,
# 有效, 在线 … stay part of the name (全年管理辅警人数, 有效投诉率).
_CELL_LEAD = re.compile(r"^(?:其中|另外|此外|同时|并且|以及)[:：]?")


@lru_cache(maxsize=65536)  # the same clause words recur within and across reports
def clean_name(raw: str, cell: bool = False, tail: bool = True) -> str:
    """The indicator name in `raw`: clause words around it dropped. A table cell (`cell`)
    loses only clause openers, and its linking words after the name when `tail`."""
    s = _QUOTES.sub("", raw or "").strip(" \t:：,，、()（）")
    lead = _CELL_LEAD if cell else _LEAD
    for _ in range(3):
        t = lead.sub("", s).strip(" :：,，、")
        if tail:
            t = _TAIL.sub("", t).strip(" :：,，、")
        if t == s:
            break
        s = t
    return s
