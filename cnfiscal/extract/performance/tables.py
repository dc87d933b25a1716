"""Indicator tables: 绩效目标表 / 绩效目标申报表 (targets) and 绩效自评表 (target + achievement).

The layout is the same across provinces: 一级指标 | 二级指标 | 三级指标 (or 指标内容/绩效指标) |
value columns — 年度指标值/目标值 (a target: basis budget), 实际完成值 (basis actual), 分值 and
得分 (weights and scores), or graded 评价标准 优/良/中/差 (targets per grade). Header words
decide what each column means, so a grid from a PDF and tab-separated lines in a text report
are read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from cnfiscal.extract.performance.funds import cost_indicator_fact, funds_block_facts
from cnfiscal.extract.performance.labels import clean_name, indicator_for
from cnfiscal.extract.performance.prose import (
    _MONEY_OUTCOME,
    _MONEY_SPENDING,
    Context,
    measure_of,
)
from cnfiscal.extract.performance.quantities import MONEY_UNITS, Qty, parse_cell, scan, unit_kind
from cnfiscal.model import Fact, ParseIssue
from cnfiscal.readers import Table
from cnfiscal.vocab import indicator_column_labels, indicator_column_regex

# Header words are vocabulary (cnfiscal/vocab/indicator_columns.csv): one regex per role.
_NAME_HEAD = indicator_column_regex("name")
_LEVEL1 = indicator_column_regex("level1")
_LEVEL2 = indicator_column_regex("level2")
_GRADE = indicator_column_regex("grade")
_BUDGET_HEAD = indicator_column_regex("target")
_ACTUAL_HEAD = indicator_column_regex("actual")
_SCALE_HEAD = indicator_column_regex("weight")
_SCORE_HEAD = indicator_column_regex("score")
# columns that qualify the value: its unit (度量单位 %), its comparison (指标值类型 ≥ / = / 定性),
# the project a row belongs to (单位（项目）名称), and prose about it (指标值内容, 指标解释 …)
_UNIT_HEAD = indicator_column_regex("unit")
_KIND_HEAD = indicator_column_regex("qualifier")
_PROJECT_HEAD = indicator_column_regex("project")
_NOTE_HEAD = indicator_column_regex("note")
_YEARLY_HEAD = indicator_column_regex("yearly")
_MULTIYEAR_HEAD = indicator_column_regex("multiyear")
_TOTAL = indicator_column_regex("total")
_FUNDS_TOTAL = indicator_column_regex("funds_total")
_EXECUTION_RATE = indicator_column_regex("execution_rate")
_KIND_QUALIFIER = {"≥": "≥", "≧": "≥", ">=": "≥", "≤": "≤", "≦": "≤", "<=": "≤", ">": ">",
                   "＞": ">", "<": "<", "＜": "<"}  # fmt: skip
_NAME_PREFIX = re.compile(r"^(?:指标\s*\d+\s*[:：.、]?|\d+\s*[.、](?!\d)|[(（]\d+[)）])")
# two figures joined as a range ("5%-10%", "3至5个"): no single target
_RANGE = re.compile(r"[\d.]+[%％]?\s*[-－~～—至到]+\s*[\d.]+")
_RANGE_END = re.compile(r"\d[%％]?\s*[-－~～—至到]+\s*$")
# what may stand before a figure in a value cell without naming it ("均大于95%", "上涨6.23%")
_NOT_A_NAME = re.compile(r"^(?:均|各|全年|年度|上涨|增长|增幅|下降|降低|提高|提升)*$")
_UNIT_IN_NAME = re.compile(r"[(（]\s*([^()（）\d]{1,4})\s*[)）]$")
# per-cell patterns, compiled once (re.sub(pattern, …) looks its pattern up on every call)
_BLANKS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_INDICATOR_NO = re.compile(r"指标\d+[:：]")
_EQUALS = re.compile(r"[=＝]")
_CLAUSE_SEP = re.compile(r"[;；,，。]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_FIGURE_ONLY = re.compile(r"[\d.,]+")
_PLAIN_FIGURE = re.compile(r"[\d.]+")


@dataclass
class TextTable(Table):
    """A grid found in plain text (tab-separated lines), with where each row starts."""

    row_starts: list[int] = field(default_factory=list)


def text_grids(text: str) -> list[Table]:
    """Runs of tab-separated lines in `text`, as tables."""
    grids: list[Table] = []
    rows: list[list[str]] = []
    starts: list[int] = []
    pos = 0
    prev_line = ""
    title = ""
    for line in text.split("\n"):
        if "\t" in line:
            if not rows:
                title = prev_line
            rows.append(line.split("\t"))
            starts.append(pos)
        else:
            if len(rows) >= 2:
                grids.append(TextTable(rows=rows, title=title, index=len(grids), row_starts=starts))
            rows, starts = [], []
            if line.strip():
                prev_line = line.strip()
        pos += len(line) + 1
    if len(rows) >= 2:
        grids.append(TextTable(rows=rows, title=title, index=len(grids), row_starts=starts))
    return grids


@dataclass
class _Layout:
    header_rows: int
    name_col: int
    level1: int | None = None
    level2: int | None = None
    budget: list[tuple[int, str]] = field(default_factory=list)  # (col, grade suffix)
    actual: list[int] = field(default_factory=list)
    scale: int | None = None
    score: int | None = None
    unit: int | None = None
    kind: int | None = None
    project: int | None = None


def _cell(row: list[str], col: int | None) -> str:
    if col is None or col >= len(row):
        return ""
    return _BLANKS.sub("", row[col] or "")


def _is_header_cell(v: str) -> bool:
    return bool(v) and not _DIGIT.search(v) and len(v) <= 12


def _name_col(row: list[str]) -> int | None:
    """The column naming the indicators: the most specific name header in the row."""
    cols = [c for c in range(len(row)) if _NAME_HEAD.search(_cell(row, c))]
    if not cols:
        return None

    def rank(c: int) -> int:
        v = _cell(row, c)
        return min(n.priority for n in indicator_column_labels("name") if re.search(n.pattern, v))

    return min(cols, key=rank)


def _layout(rows: list[list[str]]) -> _Layout | None:
    """Column roles from the header block around the row naming the indicator column.

    PDF grids split a header over several rows ("年度" / "指标值"), so each column's header is
    the header-like cells of up to two rows above and below, joined.
    """
    for h, row in enumerate(rows[:40]):
        name_col = _name_col(row)
        if name_col is None:
            continue
        top = h
        while (
            top > 0
            and h - top < 2
            and any(_is_header_cell(_cell(rows[top - 1], c)) for c in range(len(rows[top - 1])))
        ):
            top -= 1
        bottom = h + 1
        while bottom < len(rows) and bottom - h < 3:
            nxt = rows[bottom]
            cells = [_cell(nxt, c) for c in range(len(nxt))]
            if not any(cells) or any(v and not _is_header_cell(v) for v in cells):
                break
            if not any(
                _GRADE.search(v)
                or _BUDGET_HEAD.search(v)
                or _ACTUAL_HEAD.search(v)
                or _SCORE_HEAD.search(v)
                or _SCALE_HEAD.search(v)
                for v in cells
                if v
            ):
                break
            bottom += 1
        width = max(len(r) for r in rows[top:bottom])
        heads = ["".join(_cell(rows[r], c) for r in range(top, bottom)) for c in range(width)]
        lay = _Layout(header_rows=bottom, name_col=name_col)
        graded = any(
            _GRADE.search(_cell(rows[r], c)) and len(_cell(rows[r], c)) <= 2
            for r in range(h + 1, bottom)
            for c in range(len(rows[r]))
        )
        yearly = any(_YEARLY_HEAD.search(x) and _BUDGET_HEAD.search(x) for x in heads)
        notes: list[tuple[int, str]] = []
        for c, head in enumerate(heads):
            if c == name_col or not head:
                continue
            if c < name_col and not (_LEVEL1.search(head) or _LEVEL2.search(head)):
                if _PROJECT_HEAD.search(head):
                    lay.project = c
                continue  # left of the names: the project and its goal told in words
            if _UNIT_HEAD.search(head):
                lay.unit = c
            elif _KIND_HEAD.search(head):
                lay.kind = c
            elif _PROJECT_HEAD.search(head):
                lay.project = c
            elif _LEVEL1.search(head) and c != name_col:
                lay.level1 = c
            elif _LEVEL2.search(head):
                lay.level2 = c
            elif _SCORE_HEAD.search(head):
                lay.score = c
            elif _SCALE_HEAD.search(head):
                lay.scale = c
            elif graded and _GRADE.search(head):
                lay.budget.append((c, _GRADE.search(head).group()))
            elif _ACTUAL_HEAD.search(head) and "目标" not in head.replace("目标实际", ""):
                lay.actual.append(c)
            elif _NOTE_HEAD.search(head) and _BUDGET_HEAD.search(head):
                notes.append((c, ""))  # 指标值内容: the target told in words
            elif _BUDGET_HEAD.search(head):
                if yearly and _MULTIYEAR_HEAD.search(head):
                    continue  # the multi-year value; the yearly one is the year's target
                lay.budget.append((c, ""))
        if not lay.budget and not lay.actual:
            lay.budget = notes
        if lay.budget or lay.actual:
            return lay
    return None


def _category(row: list[str], lay: _Layout, carry: dict[str, str]) -> str | None:
    for key, col in (("l1", lay.level1), ("l2", lay.level2)):
        v = _cell(row, col)
        if v:
            carry[key] = v
    text = carry.get("l2", "") + carry.get("l1", "")
    for label in indicator_column_labels("category"):
        if re.search(label.pattern, carry.get("l2", "")):
            return label.value
    for label in indicator_column_labels("category"):
        if re.search(label.pattern, text):
            return label.value
    return None


def _row_name(raw: str) -> tuple[str, str]:
    """(name, unit written in the name) from a name cell: "举措数量（条）" → ("举措数量", "条")."""
    s = _BLANKS.sub("", raw or "")
    # merged PDF cells run the category words into the name: keep what follows "指标N："
    s = _INDICATOR_NO.split(s)[-1]
    s = _NAME_PREFIX.sub("", s).rstrip(".。")
    # a name defined by its formula (控制率=实际费用/概算*100%) keeps the defined name
    s = _EQUALS.split(s)[0] or s
    unit = ""
    m = _UNIT_IN_NAME.search(s)
    if m:
        unit = m.group(1)
        s = s[: m.start()]
    return clean_name(s, cell=True, tail=False) or s, unit


def _values(cell: str, row_name: str, project: str = "") -> list[tuple[str, Qty]]:
    """The values a cell states, each with its name (the row's unless the cell names it)."""
    q = parse_cell(cell)
    if q is not None:
        return [(row_name, q)]
    s = _BLANKS.sub("", cell or "")
    if len(s) > 40:
        return []
    paired = _paired(s, row_name, project)
    if paired is not None:
        return paired
    out = []
    prev = 0
    found = scan(s)
    if len(found) == 2 and _RANGE.fullmatch(s[found[0].num_start : found[1].num_end]):
        return []
    for q in found:
        if _RANGE_END.search(s[: q.num_start]) or s[: q.num_start].endswith(("±", "+-")):
            continue  # the top of a range (300-400人) or a tolerance (±10%)
        pre = _CLAUSE_SEP.split(s[prev : q.start])[-1]
        own = clean_name(pre, cell=True)
        if _NOT_A_NAME.match(own) or len(_HAN.findall(own)) < 2:
            own = ""
        out.append(((f"{project}/{own}" if project else own) if own else row_name, q))
        prev = q.end
    return out


def _paired(s: str, row_name: str, project: str) -> list[tuple[str, Qty]] | None:
    """A name listing several indicators and a cell listing as many values, one each
    ("会议次数、评选稿件" | "≥30次；≥30篇"), or None when the two lists do not line up."""
    segs = [x for x in re.split(r"[；;]", s) if x.strip()]
    bare = row_name.removeprefix(f"{project}/") if project else row_name
    names = [x for x in re.split(r"[；;]", bare) if x]
    if len(names) != len(segs):
        names = [x for x in re.split(r"[、，,；;]", bare) if x]
    if len(segs) < 2 or len(segs) != len(names):
        return None
    out = []
    for seg, name in zip(segs, names, strict=True):
        found = scan(seg)
        if len(found) == 1:
            out.append((f"{project}/{name}" if project else name, found[0]))
    return out


def facts_from_tables(
    tables: list[Table], ctx: Context, issues: list[ParseIssue], from_text: bool = False
) -> list[Fact]:
    facts: list[Fact] = []
    for t in tables:
        try:
            facts += _table_facts(t, ctx, issues, from_text)
        except Exception as exc:  # a malformed grid must not lose the other tables
            issues.append(
                ParseIssue(
                    "warning",
                    "performance_table_failed",
                    f"table {t.index}: {type(exc).__name__}: {exc}",
                    quote=t.title[:200],
                    page=t.page,
                )
            )
    return facts


def _project(title: str) -> str:
    """The project a project-level table is about ("…病媒生物防制项目绩效自评表" → its name).

    Department-wide tables (部门整体) give "" so their indicators keep their plain names, and
    so do titles naming no project ("2025年项目支出绩效目标表", "表1：项目年度绩效指标表").
    """
    clauses = [c for c in re.split(r"[。；;：:]", title or "") if "绩效" in c]
    # "金额单位：万元 2025年项目…表": the unit that ended the previous clause goes
    t = re.sub(r"^(?:千元|万元|亿元|元)", "", re.sub(r"\s+", "", clauses[-1] if clauses else ""))
    if "整体" in t or not re.search(r"项目.*绩效|绩效.*项目", t):
        return ""
    t = re.sub(r"[(（]?\d{4}年度?[)）]?", "", t)
    t = re.sub(r"^.*表\s*\d+", "", t)  # 预算表12项目支出绩效目标表: a table number, no name
    m = re.match(r"(.+?)(?:项目)?(?:支出)?(?:年度)?绩效(?:自评|目标|评价|指标)", t)
    name = m.group(1) if m else ""
    return "" if re.fullmatch(r"(?:项目)?(?:支出)?", name) else name


def _project_name(cell: str) -> str:
    """A 项目名称 cell without its budget code ("11000022T000000438666-…") or year."""
    cell = re.sub(r"^[0-9A-Z]{8,}\s*[-－—_]?", "", cell)
    return re.sub(r"[(（]?\d{4}年度?[)）]?", "", cell).strip()


def _qualified(q: Qty, unit: str, kind: str) -> Qty:
    """A bare figure given its unit and comparison by the row's 度量单位 and 指标值类型 cells
    ("100" | "%" | "≥" is ≥100%; "10" | "万份" is 100000 份)."""
    if unit and not q.unit:
        unit = unit.replace("％", "%")
        value = q.value
        m = re.fullmatch(r"(万|亿)(\D+)", unit)
        if m and not m.group(2).startswith("元"):
            value *= Decimal(10000) if m.group(1) == "万" else Decimal(100000000)
            unit = m.group(2)
        if unit in MONEY_UNITS or unit == "%":
            unit_type = unit_kind(unit)
        else:
            unit_type = "money" if re.match(r"(?:万|亿)?元", unit) else "count"
        q = replace(q, value=value, unit=unit, kind=unit_type)
    if kind in _KIND_QUALIFIER and not q.qualifier:
        q = replace(q, qualifier=_KIND_QUALIFIER[kind])
    return q


def _execution_rate(t: Table, ctx: Context, from_text: bool, project: str) -> list[Fact]:
    """资金执行率 from the funds block of a 自评表: the 执行率 cell of its total row."""
    rows = t.rows or []
    col = next(
        (
            c
            for row in rows[:12]
            for c, _v in enumerate(row)
            if _EXECUTION_RATE.search(_cell(row, c))
        ),
        None,
    )
    if col is None:
        return []
    for r, row in enumerate(rows):
        cells = [_cell(row, c) for c in range(len(row))]
        if not any(_TOTAL.match(v) or _FUNDS_TOTAL.search(v) for v in cells if v):
            continue
        rate = next((parse_cell(v) for v in cells[col:] if v.endswith("%")), None)
        if rate is None:
            continue
        name = f"{project}/资金执行率" if project else "资金执行率"
        return [_fact(t, r, col, row, name, rate, "%", "actual", "cost", ctx, from_text, project)]
    return []


def _table_facts(t: Table, ctx: Context, issues: list[ParseIssue], from_text: bool) -> list[Fact]:
    rows = t.rows or []
    project = _project(t.title)
    lay = _layout(rows)
    # a department-wide grid's funds block is the department's spending (funds.py)
    money = [] if project or from_text else funds_block_facts(t, ctx.fiscal_year, ctx.basis)
    if lay is None:
        return money + _execution_rate(t, ctx, from_text, project)
    out: list[Fact] = money + _execution_rate(t, ctx, from_text, project)
    carry: dict[str, str] = {}
    title_project = project
    for r in range(lay.header_rows, len(rows)):
        row = rows[r]
        category = _category(row, lay, carry)
        cells = [_cell(row, c) for c in range(len(row))]
        if any(_TOTAL.match(c) for c in cells if c):
            out += _total_score(t, r, row, lay, ctx, from_text, project)
            continue
        own = _cell(row, lay.project)
        if own and not _FIGURE_ONLY.fullmatch(own):
            project = _project_name(own)  # a 项目名称 column: rows below belong to it
        elif lay.project is not None and not project:
            project = title_project
        name, name_unit = _row_name(row[lay.name_col] if lay.name_col < len(row) else "")
        if not name or _PLAIN_FIGURE.fullmatch(name) or parse_cell(name) is not None:
            continue  # a figure in the name column ("499.75万元") names nothing
        if project:
            name = f"{project}/{name}"
        col_unit, col_kind = _cell(row, lay.unit), _cell(row, lay.kind)
        if col_unit in _KIND_QUALIFIER or col_kind.replace("％", "%") == "%":
            col_unit, col_kind = col_kind, col_unit  # the two cells filled in swapped
        found: dict[str, list[tuple[int, str, str, Qty]]] = {"budget": [], "actual": []}
        for col, grade in lay.budget:
            for nm, q in _values(_cell(row, col), name, project):
                q = _qualified(q, col_unit, col_kind)
                found["budget"].append((col, nm + (f"({grade})" if grade else ""), grade, q))
        for col in lay.actual:
            for nm, q in _values(_cell(row, col), name, project):
                found["actual"].append((col, nm, "", _qualified(q, col_unit, "")))
        units = [q.unit for v in found.values() for *_, q in v if q.unit]
        for basis, vals in found.items():
            for col, nm, _grade, q in vals:
                own = nm.removeprefix(f"{project}/") if project else nm  # not the project's words
                if q.kind == "money" and (
                    _MONEY_SPENDING.search(own) or not _MONEY_OUTCOME.search(own)
                ):
                    # 成本指标 restating spending belongs to the money statements: a
                    # department-wide 基本支出 / 项目支出 line becomes that statement's fact
                    spent = None
                    if not project and not from_text:
                        unit = q.unit or name_unit
                        spent = cost_indicator_fact(t, r, col, own, q, unit, basis, ctx.fiscal_year)
                    if spent is not None:
                        out.append(spent)
                    continue
                if category == "cost" and not (q.unit or name_unit):
                    continue  # a bare number under 成本指标 is money in the table's unit
                unit = q.unit or name_unit or (units[0] if units else "")
                out.append(
                    _fact(t, r, col, row, nm, q, unit, basis, category, ctx, from_text, project)
                )  # fmt: skip
        if lay.budget and lay.actual and bool(found["budget"]) != bool(found["actual"]):
            has = "target" if found["budget"] else "achievement"
            code = "target_without_achievement" if found["budget"] else "achievement_without_target"
            issues.append(
                ParseIssue(
                    "warning",
                    code,
                    f"self-evaluation row {name!r} gives a {has} only",
                    quote=" | ".join(c for c in cells if c)[:300],
                    page=t.page,
                )
            )
    return out


def _total_score(t, r, row, lay, ctx, from_text, project="") -> list[Fact]:
    if lay.score is None:
        return []
    q = parse_cell(_cell(row, lay.score))
    if q is None:
        return []
    scale = parse_cell(_cell(row, lay.scale)) if lay.scale is not None else None
    q = Qty(q.value, "分", q.qualifier, q.start, q.end, q.num_start, q.num_end, q.raw, "score")
    name = f"{project}/绩效自评得分" if project else "绩效自评得分"
    f = _fact(t, r, lay.score, row, name, q, "分", "actual", None, ctx, from_text, project)
    if scale is not None:
        f.label = f"绩效自评得分(满分{scale.value})"
    return [f]


def _fact(t, r, col, row, name, q: Qty, unit, basis, category, ctx, from_text, project="") -> Fact:
    # The indicator is matched, measured and categorised on its own words: a project's name
    # ("…服务项目", "…满意度提升工程") says nothing about which indicator a row holds.
    own = name.removeprefix(f"{project}/") if project else name
    ind = indicator_for(own, unit)
    qq = Qty(q.value, unit, q.qualifier, q.start, q.end, q.num_start, q.num_end, q.raw,
             "percent" if unit == "%" else q.kind)  # fmt: skip
    f = Fact(
        statement="performance",
        item=f"kpi:{name}",
        scope="all",
        basis=basis,
        year=ctx.fiscal_year,
        measure=measure_of(qq, own),
        value=q.value if isinstance(q.value, Decimal) else Decimal(str(q.value)),
        unit=unit,
        label=name,
        qualifier=q.qualifier,
        category=category or ("satisfaction" if "满意" in own else None),
        code=ind.key if ind else None,
        evidence=" | ".join(c.strip() for c in row if c and c.strip())[:300],
    )
    if from_text and isinstance(t, TextTable):
        start = t.row_starts[r] + sum(len(c) + 1 for c in row[:col])
        f.source, f.start, f.end = "text", start, start + len(row[col])
    else:
        f.source, f.page, f.table, f.row, f.col = "table", t.page, t.index, r, col
    return f
