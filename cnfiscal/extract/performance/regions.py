"""Which sentences of a report talk about performance.

A performance report (绩效自评/绩效评价) is about results throughout, except its sections on
money and staff (资金使用情况, 机构人员情况). Budget and final-account reports state results
only under a performance heading (预算绩效情况, 绩效目标设置情况…), which often keeps its own
numbering, so a performance section lasts until a heading about money, staff or definitions
or a new 第X部分 — not merely until the next heading of the same level.
"""

from __future__ import annotations

import re

from cnfiscal.extract.sections import Sentence

_PERF_HEADING = re.compile(r"绩效|评价|成效|工作完成情况|目标完成|履职")
_OFF_HEADING = re.compile(
    r"资金|支出|收入|经费|三公|采购|资产|机构|人员|编制|名词解释|联系方式|附表|附件|公开表|"
    r"决算表|预算表|收支|财政拨款|结转"
)
_PERF_TITLE = re.compile(r"绩效自评|绩效评价|绩效报告|绩效目标申报|绩效目标表|整体支出绩效")


def is_performance_report(text: str, sentences: list[Sentence], doc_kind: str) -> bool:
    """True for a report whose whole body is about performance."""
    if doc_kind == "performance" or _PERF_TITLE.search(text[:400]):
        return True
    tops = {b.title for s in sentences for b in ([s.block] if s.block else []) if b.level <= 1}
    return sum(1 for t in tops if re.search(r"绩效|评价", t)) >= 2


def _heading(s: Sentence):
    b = s.block
    if b is None or not b.pure_title:
        return None
    return b


def performance_flags(sentences: list[Sentence], whole_report: bool) -> list[bool]:
    """One flag per sentence: does it sit in a performance region?"""
    default = whole_report
    state = default
    off_level: int | None = None
    out = []
    for s in sentences:
        b = _heading(s)
        if b is not None:
            title = b.title
            if _PERF_HEADING.search(title):
                state, off_level = True, None
            elif _OFF_HEADING.search(title):
                # remember the outermost level of the money/staff run so a neutral heading
                # at that level or above can end it
                if state or off_level is None:
                    off_level = b.level
                else:
                    off_level = min(off_level, b.level)
                state = False
            elif b.level == 0:
                state, off_level = default, None
            elif not state and off_level is not None and b.level <= off_level:
                # a neutral heading at the level of the money section closes it
                state, off_level = default, None
        out.append(state)
    return out
