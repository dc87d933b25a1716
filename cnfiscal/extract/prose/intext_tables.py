"""Tab-separated tables pasted into report text (project budget tables).

A header row naming a budget column (年度预算数 / 预算数 / 预算金额) and a first column of names
(项目 / 活动 / 名称) gives one `project:<name>` amount per row, in the unit stated above it.
"""

from __future__ import annotations

import re

from cnfiscal.extract.numbers import parse_number, to_wanyuan
from cnfiscal.extract.sections import Sentence
from cnfiscal.model import DocumentMeta, Fact

_BUDGET_COL = re.compile(r"^(?:年度)?预算(?:数|金额|资金)?$|^金额$")
_NAME_COL = re.compile(r"项目|活动|名称")
_UNIT = re.compile(r"单位\s*[:：]\s*(万元|元|亿元)")
_BLANKS = re.compile(r"\s+")


def table_facts(sentences: list[Sentence], meta: DocumentMeta, basis: str) -> list[Fact]:
    out: list[Fact] = []
    unit = "万元"
    col = None
    for s in sentences:
        if not s.in_table_row:
            m = _UNIT.search(s.text) if "单位" in s.text else None
            if m:
                unit = m.group(1)
            if len(s.text) > 40:
                col = None
            continue
        cells = [c.strip() for c in s.text.split("\t")]
        header = [i for i, c in enumerate(cells) if _BUDGET_COL.match(_BLANKS.sub("", c))]
        if header and _NAME_COL.search(cells[0]):
            col = header[0]
            continue
        if col is None or col >= len(cells):
            continue
        name = _BLANKS.sub("", cells[0])
        value = parse_number(cells[col])
        if value is None or len(name) < 2 or parse_number(name) is not None:
            continue
        wan = to_wanyuan(value, unit)
        start = s.start + s.text.index(cells[col]) if cells[col] else s.start
        out.append(
            Fact(
                statement="expenditure",
                item=f"project:{name}",
                scope="all",
                basis=basis,
                year=meta.fiscal_year or 0,
                measure="amount",
                value=wan,
                unit="万元",
                label=cells[0],
                source="text",
                start=start,
                end=start + len(cells[col]),
                evidence=s.text,
            )
        )
    return out
