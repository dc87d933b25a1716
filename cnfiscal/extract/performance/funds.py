"""Money in performance grids: the department's spending as its 绩效自评表 / 绩效目标表 state it.

A department-wide self-evaluation (部门整体支出绩效自评表) opens with a funds block —
年度资金总额 and 其中 基本支出 / 项目支出 (or 财政拨款 / 其他资金) down the rows, 年初预算数 |
全年预算数 | 全年执行数 across — and its 成本指标 often restate 基本支出 / 项目支出 with a target
(≤600万元) and an achievement (598万元). These are the expenditure statement's facts (budget
and actual), not indicators: money is never repeated as a kpi (the fact schema). A grid about
one project gives its project's money, which is not the department's, and is left alone.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cnfiscal.extract.performance.quantities import Qty
from cnfiscal.extract.tables.grid import amount
from cnfiscal.extract.tables.vocab import basis_of, fold, match_label
from cnfiscal.model import Fact
from cnfiscal.readers import Table
from cnfiscal.vocab import indicator_column_regex

_FUNDS_TOTAL = indicator_column_regex("funds_total")
_TO_WAN = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}
# the funds block's lines: the total, and the parts the expenditure statement knows
_LINE_ITEMS = ("basic", "project", "personnel", "public_funds")
# a funds line of appropriations only (其中：财政拨款 / 财政资金)
_FISCAL_LINE = re.compile(r"^(?:其中)?[:：]?(?:财政拨款|财政资金|当年财政拨款)(?:资金)?$")
# 年初预算数 before 全年预算数 (the budget as adopted, then as adjusted)
_OPENING = re.compile(r"年初")
_GRID_WORD = re.compile(r"绩效|自评|一级指标|年度目标|指标值")
_COLUMN_HEAD = re.compile(r"预算数|执行数|决算数|实际支出|预算金额|执行金额")


def _unit_of(t: Table) -> str:
    """The unit the grid states (资金情况（万元）, 单位：元), 万元 when it states none."""
    head = " ".join([t.unit or "", t.title] + [c for row in t.rows[:8] for c in row])
    m = re.search(r"[(（](万元|亿元|元)[)）]|单位[:：]\s*(万元|亿元|元)|^(万元|亿元|元)$", head)
    return next((g for g in m.groups() if g), "万元") if m else "万元"


def _item(label: str) -> tuple[str, str] | None:
    """(item, scope) of a funds line, or None."""
    key = fold(label)
    if _FUNDS_TOTAL.search(key):
        return "total", "all"
    if _FISCAL_LINE.match(key):
        return "total", "fiscal"
    hit = match_label("expenditure", key)
    if hit is not None and hit.item in _LINE_ITEMS:
        return hit.item, "all"
    return None


def _is_funds_block(t: Table) -> bool:
    """A performance grid (its title or cells speak of 绩效 / 自评 / 指标) with a funds total
    line (年度资金总额): not a spending table's 人员经费合计."""
    cells = [fold(c) for row in (t.rows or []) for c in row if c]
    genre = re.search(r"绩效|自评", t.title or "") or any(_GRID_WORD.search(c) for c in cells)
    # a grid naming its project (项目名称 | …专项资金) evaluates that project's money
    one_project = any(c.startswith("项目名称") for c in cells) and "整体" not in (t.title or "")
    return bool(genre) and not one_project and any(_FUNDS_TOTAL.search(c) for c in cells)


def funds_block_facts(t: Table, fiscal_year: int, default_basis: str) -> list[Fact]:
    """The funds block of a department-wide grid: each line's budget (年初预算数 before
    全年预算数) and actual (执行数) in 万元."""
    rows = t.rows or []
    if not _is_funds_block(t):
        return []
    unit = _unit_of(t)
    out: list[Fact] = []
    heads: dict[int, str] = {}  # column -> its header words, once a row named the columns
    for r, row in enumerate(rows):
        named = {c: fold(v) for c, v in enumerate(row) if v and _COLUMN_HEAD.search(fold(v))}
        if named and not any(amount(v) is not None for v in row):
            heads = named
            continue
        at = next((c for c, v in enumerate(row) if v.strip() and _item(v)), None)
        if at is None:
            continue
        item, scope = _item(row[at])
        cols = sorted(heads, key=lambda c: (not _OPENING.search(heads[c]), c))
        if not cols:  # a two-column block (资金总额 | 1000) states the document's basis
            cols = [c for c in range(at + 1, len(row)) if amount(row[c]) is not None][:1]
        seen: set[str] = set()
        for c in cols:
            basis = basis_of(heads[c]) if c in heads else default_basis
            value = amount(row[c]) if c < len(row) else None
            if basis is None or basis in seen or value is None:
                continue
            seen.add(basis)
            value *= _TO_WAN[unit]
            out.append(_spending(t, r, c, item, scope, basis, fiscal_year, value, row))
    return out


def cost_indicator_fact(
    t: Table, r: int, c: int, name: str, q: Qty, unit: str, basis: str, fiscal_year: int
) -> Fact | None:
    """A 成本指标 row restating 基本支出 / 项目支出 (or the whole spending) with a money target
    or achievement: that expenditure line, budget or actual."""
    item = _item(name)
    if item is None or unit not in _TO_WAN or not isinstance(q.value, Decimal | int | float):
        return None
    value = Decimal(str(q.value)) * _TO_WAN[unit]
    row = t.rows[r] if r < len(t.rows) else []
    return _spending(t, r, c, item[0], item[1], basis, fiscal_year, value, row)


def _spending(t, r, c, item, scope, basis, year, value: Decimal, row) -> Fact:
    return Fact(
        statement="expenditure",
        item=item,
        scope=scope,
        basis=basis,
        year=year,
        measure="amount",
        value=value,
        unit="万元",
        label=next((v for v in row if v and _item(v)), item),
        source="table",
        page=t.page,
        table=t.index,
        row=r,
        col=c,
        evidence=row[c] if c < len(row) else "",
    )
