"""Plausibility of indicator facts: rates within 0..100 %, scores within their scale.

Violations are warnings quoting the text; the fact is kept, since the report did state it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cnfiscal.model import Fact, ParseIssue

_RATE = re.compile(r"率|比例|满意度|覆盖")
_SCALE = re.compile(r"满分\s*(\d+(?:\.\d+)?)")
_HUNDRED = Decimal(100)


def check_facts(facts: list[Fact], issues: list[ParseIssue]) -> None:
    for f in facts:
        name = f.item.removeprefix("kpi:")
        if f.unit == "%" and _RATE.search(name) and not (0 <= f.value <= _HUNDRED):
            issues.append(_issue(f, "rate_out_of_range", f"{name} = {f.value}% is outside 0..100"))
        if f.unit == "分":
            m = _SCALE.search(f.label or "")
            scale = Decimal(m.group(1)) if m else _HUNDRED
            if not (0 <= f.value <= scale):
                issues.append(
                    _issue(f, "score_out_of_range", f"{name} = {f.value}分 exceeds {scale}")
                )


def _issue(f: Fact, code: str, message: str) -> ParseIssue:
    return ParseIssue(
        "warning", code, message, quote=(f.evidence or "")[:300], start=f.start, page=f.page
    )
