"""Per-layout reading of a recognised table into facts (one method per kind of table)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from cnfiscal.extract.tables.grid import (
    amount,
    header_candidates,
    parent_of,
    row_code_and_label,
    to_wan,
)
from cnfiscal.extract.tables.groups import APPROPRIATIONS, ColumnGroup, column_groups
from cnfiscal.extract.tables.vocab import Label, Layout, basis_of, fold, match_label
from cnfiscal.model import DocumentMeta, Fact, ParseIssue
from cnfiscal.readers import Table
from cnfiscal.vocab import (
    economic_by_code,
    economic_by_name,
    functional_by_code,
    functional_by_name,
)

_YEAR = re.compile(r"(20\d{2})年")


_UNIT_CODE_HEAD = re.compile(r"单位(?:编码|代码)")
# a row of changes (增减变化金额, 比上年增减) and of rates (增减率, 增长%)
_CHANGE_ROW = re.compile(r"增减|变化|变动|增加额|减少额|比上年")
_RATE_ROW = re.compile(r"率|%|百分比")
_CLASS_ORDINAL = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
# what follows a unit's name in its row: 本级 (the department's own office), 汇总 / 合计
_UNIT_SUFFIX = re.compile(r"[(（]?(?:本级|部门本级|汇总|合计|小计)[)）]?$")


def names_unit(label: str, agency: str) -> bool:
    """The row label is the reporting unit itself: its name, or its name without the place
    before it (交通运输局 in 深圳市交通运输局), with 本级 / 汇总 after it."""
    if not agency:
        return False
    key = _UNIT_SUFFIX.sub("", fold(label))
    whole = fold(agency)
    return len(key) >= 3 and (key == whole or (whole.endswith(key) and len(key) >= 4))


def _scope_from_title(title: str, aliases: list[str] = ()) -> str:
    """The fund a table covers, from its title, else from the fuller name the 目录 gives it."""
    for text in (title, *aliases):
        key = fold(text)
        if "一般公共预算" in key:
            return "general_public"
        if "财政拨款" in key:
            return "fiscal"
    return "all"


@dataclass
class TableReader:
    table: Table
    layout: Layout
    meta: DocumentMeta
    unit: str
    n_head: int
    headers: list[list[str]]  # per column: header readings, most specific first
    amount_cols: set[int]
    issues: list[ParseIssue]
    default_basis: str = "budget"  # the document's tables' basis when neither title nor header says
    default_year: int | None = None
    frags: list[list[str]] = field(default_factory=list)  # per column: header fragments
    _best: dict[tuple, tuple[int, Fact]] = field(default_factory=dict)
    _numbered_classes: bool = False

    # --- columns -------------------------------------------------------------------------

    def _head(self, j: int) -> list[str]:
        return self.headers[j] if j < len(self.headers) else []

    def col_label(self, context: str, j: int) -> Label | None:
        return self._col_match(context, j)[0]

    def col_name(self, context: str, j: int) -> str:
        """The header words that named column j (因公出国（境）费, not its last line 费)."""
        name = self._col_match(context, j)[1]
        return name or next(iter(self._head(j)), "")

    def _col_match(self, context: str, j: int) -> tuple[Label | None, str]:
        for text in self._head(j):
            hit = match_label(context, text)
            if hit is not None:
                return hit, text
        return None, ""

    def _whole_head(self, j: int) -> str:
        return "".join(self._head(j)[-1:])

    def col_item(self, j: int) -> str | None:
        hit = self.col_label("column", j)
        if hit is not None:
            return hit.item
        return "total" if len(self.amount_cols) == 1 else None

    def basis_year(self, j: int, row_label: str = "") -> tuple[str, int] | None:
        # the lowest header line naming a basis: 预算数/决算数 under or over a column group
        said = basis_of(row_label) or next(
            (b for b in map(basis_of, self._head(j)) if b is not None), None
        )
        text = "".join(self._head(j)[-1:]) + row_label
        fy = self.meta.fiscal_year
        if fy is None:
            m = _YEAR.search(self.table.title)
            fy = int(m.group(1)) if m else self.default_year
        if fy is None:
            return None
        # the column says it (预算数/决算数), else the table's title, else the document's tables
        basis = said or basis_of(self.table.title) or self.default_basis
        year = fy
        m = _YEAR.search(text)
        if m:
            year = int(m.group(1))
        elif "上年" in text:
            year = fy - 1
        return basis, year

    # --- output --------------------------------------------------------------------------

    def emit(
        self,
        statement: str,
        item: str,
        scope: str,
        i: int,
        j: int,
        label: str,
        rank: int = 1,
        code: str | None = None,
        row_label: str = "",
        summed: bool = False,
        value: Decimal | None = None,
        evidence: str | None = None,
    ) -> None:
        row = self.table.rows[i]
        if value is None:
            value = amount(row[j]) if j < len(row) else None
        by = self.basis_year(j, row_label)
        if value is None or by is None:
            return
        basis, year = by
        measure, compare_year, compare_basis = "amount", None, None
        said = next(
            (t for t in (fold(row_label), self._whole_head(j)) if t and _CHANGE_ROW.search(t)), None
        )
        if said:
            # a row of changes under rows by year (2025年 | 2026年 | 增减变化金额), a column of
            # them beside columns by year (2025年预算数 | 2026年预算数 | 增减)
            if _RATE_ROW.search(said):
                return  # rates are read from the prose, which states them with their sign
            measure, compare_year = "delta", year - 1
            if "比" in said:  # 2026年预算数比2025年执行数增减额: this side, then the other
                this, other = said.split("比", 1)
                m, n = _YEAR.search(this), _YEAR.search(other)
                year = int(m.group(1)) if m else year
                compare_year = int(n.group(1)) if n else year - 1
                basis = basis_of(this) or basis
                compare_basis = basis_of(other) or basis
        page = self.table.row_pages[i] if i < len(self.table.row_pages) else self.table.page
        fact = Fact(
            statement=statement,
            item=item,
            scope=scope,
            basis=basis,
            year=year,
            measure=measure,
            value=to_wan(value, self.unit) if measure != "pct_change" else value,
            unit="万元",
            label=label,
            compare_year=compare_year,
            compare_basis=(compare_basis or basis) if compare_year else None,
            code=code,
            parent_code=parent_of(code) if code else None,
            source="table",
            page=page,
            table=self.table.index,
            row=i,
            col=j,
            evidence=evidence if evidence is not None else row[j],
        )
        key = fact.key()
        old = self._best.get(key)
        if old is not None and summed and old[0] == rank and old[1].row != i:
            # a consolidated table lists the same class once per unit: the total is the sum
            old[1].value += fact.value
            old[1].evidence = f"{old[1].evidence}+{fact.evidence}"
            return
        if old is None or rank < old[0]:
            self._best[key] = (rank, fact)

    def facts(self) -> list[Fact]:
        getattr(self, f"_read_{self.layout.kind}")()
        return [f for _, f in self._best.values()]

    # --- helpers -------------------------------------------------------------------------

    def body(self):
        unit_cols = self._unit_code_cols()
        for i in range(self.n_head, len(self.table.rows)):
            row = self.table.rows[i]
            cells = row
            if unit_cols:  # a unit's code (201, 201001) is not a classification code
                cells = [
                    "" if j in unit_cols and c.strip().isdigit() else c for j, c in enumerate(row)
                ]
            code, label, _ = row_code_and_label(cells, self.amount_cols)
            yield i, row, code, label

    def _unit_code_cols(self) -> set[int]:
        head = self.table.rows[: self.n_head]
        width = max((len(r) for r in head), default=0)
        # a header wrapped over rows ("单位编" / "码") reads down its column
        down = ["".join(r[j] for r in head if j < len(r)) for j in range(width)]
        return {j for j, text in enumerate(down) if _UNIT_CODE_HEAD.search(fold(text))}

    def row_text(self, row: list[str]) -> str:
        """The row's words outside the amount columns (a unit's name, then 2026年)."""
        return " ".join(
            c.strip() for j, c in enumerate(row) if j not in self.amount_cols and c.strip()
        )

    def is_total(self, label: str, row: list[str]) -> bool:
        if match_label("total_row", label) is not None:
            return True
        # tables by unit (预算单位 | 科目 | …) open with the department's own row: its total
        if label and names_unit(label, self.meta.agency):
            return True
        # a spaced 合 计 can fall into two cells
        text = "".join(c for j, c in enumerate(row) if j not in self.amount_cols)
        return match_label("total_row", text) is not None

    def class_code(self, code: str, label: str, econ: bool) -> str:
        fy = self.meta.fiscal_year
        if code:
            known = economic_by_code(code, fy) if econ else functional_by_code(code, fy)
            return code if known is not None or len(code) > 3 else ""
        entry = economic_by_name(label, fy) if econ else functional_by_name(label, fy)
        return entry.code if entry is not None and entry.level == "类" else ""

    # --- layouts -------------------------------------------------------------------------

    def _read_func(self, econ: bool = False) -> None:
        scope = self.layout.scope
        totals_seen = False
        # Economic classes break down 基本支出 (as the warehouse's balance checks read them).
        # An economic table's total is 基本支出 when its title says so and no 基本/项目 columns
        # split it; with such columns its classes are read from the 基本支出 column; a table
        # of all of a fund's spending by class without them gives its total only.
        split = [j for j in sorted(self.amount_cols) if self.col_item(j) in ("basic", "project")]
        names = (self.table.title, *self.table.aliases)
        basic_only = econ and not split and any("基本支出" in fold(t) for t in names)
        basic_col = next((j for j in split if self.col_item(j) == "basic"), None)
        for i, row, code, label in self.body():
            if self.is_total(label, row) and not totals_seen:
                totals_seen = True
                for j in self.amount_cols:
                    item = self.col_item(j)
                    if item is None and _CHANGE_ROW.search(self._whole_head(j)):
                        item = "total"  # the total's change, beside the totals by year
                    if item == "total":
                        item = "basic" if basic_only else "total"
                    if item:
                        self.emit("expenditure", item, scope, i, j, label or "合计")
                continue
            hit = match_label("expenditure", label)
            if hit is not None and hit.item in ("basic", "project", "personnel", "public_funds"):
                for j in self._total_cols():
                    self.emit("expenditure", hit.item, scope, i, j, label)
                continue
            cls = self.class_code(code, label, econ)
            if not cls or (econ and not basic_only and basic_col is None):
                continue
            cols = [basic_col] if econ and not basic_only else self._total_cols()
            prefix = "econ" if econ else "func"
            for j in cols:
                item = f"{prefix}:{cls}"
                self.emit("expenditure", item, scope, i, j, label, code=cls, summed=True)

    def _read_econ(self) -> None:
        self._read_func(econ=True)

    def _total_cols(self) -> list[int]:
        """Columns of totals, the report's own year first (2025年预算数 | 2026年预算数 give
        both years); a column of changes (增减) beside them too. Without any, the first
        amount column."""
        cols = sorted(self.amount_cols)
        fy = self.meta.fiscal_year or self.default_year
        totals = [j for j in cols if self.col_item(j) == "total"]
        if not totals:
            return cols[:1]
        by_year: dict = {}
        for j in totals:  # one column per year: 小计 columns under a group are not totals
            by_year.setdefault((self.basis_year(j) or (None, fy))[1], j)
        totals = sorted(by_year.values(), key=lambda j: (self.basis_year(j) or (None, fy))[1] != fy)
        changes = [j for j in cols if j not in totals and _CHANGE_ROW.search(self._whole_head(j))]
        return totals + changes

    def _total_col(self) -> int | None:
        cols = self._total_cols()
        return cols[0] if cols else None

    def _read_summary(self) -> None:
        scope = self.layout.scope
        cells = [
            (i, j, self._wrapped_label(i, j) or self._label_left_of(row, j))
            for i, row, _, _ in self.body()
            for j in sorted(self.amount_cols)
            if j < len(row) and amount(row[j]) is not None
        ]
        # where 类 rows are numbered (五、援助其他地区支出), an unnumbered name is a 款 that
        # may share a 类's name (住房保障 under 援助其他地区支出 is not 221 住房保障支出)
        self._numbered_classes = any(
            _CLASS_ORDINAL.match(label) and self.class_code("", label, econ=False)
            for _, _, label in cells
        )
        for i, j, label in cells:
            self._summary_cell(label, scope, i, j)

    def _wrapped_label(self, i: int, j: int) -> str:
        """In side-by-side halves (收入 | 金额 | 功能科目 | 金额 | 支出用途 | 金额), a figure whose
        own label cell is blank on its row had its label wrapped onto the lines above and
        below (三、单位预留机动经 / 3,990.40 / 费): read there, never in the other half's
        label cell beside it. '' when the figure is not in such a half."""
        rows = self.table.rows
        own = j - 1
        while own >= 0 and own in self.amount_cols:
            own -= 1
        # its own label column is blank here, and an amount column precedes it: a half
        if own < 1 or rows[i][own].strip() or not any(k in self.amount_cols for k in range(own)):
            return ""
        parts = []
        for r in (i - 1, i + 1):
            if not self.n_head <= r < len(rows) or own >= len(rows[r]):
                continue
            cell, fig = rows[r][own].strip(), rows[r][j] if j < len(rows[r]) else ""
            if cell and amount(cell) is None and amount(fig) is None:
                parts.append(cell)
        return "".join(parts)

    def _label_left_of(self, row: list[str], j: int) -> str:
        """The text cells between the previous figure and column j, joined: a label spread
        over merged cells ("本年收入 | 合计", "收入总 | 计") reads as one. Line numbers (行次)
        between label and figure are passed over."""
        parts: list[str] = []
        for k in range(j - 1, -1, -1):
            cell = row[k].strip()
            # an amount column ends the label at a figure, or at a blank once text was found;
            # text in it ("当年支出小计" under a column of function amounts) is label
            if k in self.amount_cols and (amount(cell) is not None or (not cell and parts)):
                break
            if cell and amount(cell) is None:
                parts.append(cell)
        return "".join(reversed(parts))

    def _summary_cell(self, label: str, scope: str, i: int, j: int) -> None:
        for context in ("income", "expenditure"):
            hit = match_label(context, label)
            if hit is not None:
                self.emit(hit.statement, hit.item, scope, i, j, label, rank=hit.rank)
                return
        if self._numbered_classes and not _CLASS_ORDINAL.match(label):
            return
        cls = self.class_code("", label, econ=False)
        if cls:
            self.emit("expenditure", f"func:{cls}", scope, i, j, label, code=cls)

    def _read_income(self) -> None:
        scope = "all"
        if len(self.amount_cols) <= 1:
            for i, _, _, label in self.body():
                for j in self.amount_cols:
                    hit = match_label("income", label)
                    if hit is not None:
                        self.emit("income", hit.item, scope, i, j, label, rank=hit.rank)
            return
        for i, row, _, label in self.body():
            if not self.is_total(label, row):
                continue
            for j in self.amount_cols:
                hit = self.col_label("income", j)
                if hit is None and self.col_item(j) == "total":
                    self.emit("income", "total", scope, i, j, "合计", rank=3)
                elif hit is not None:
                    self.emit(
                        "income", hit.item, scope, i, j, self.col_name("income", j), rank=hit.rank
                    )
            return

    def _read_three_public(self) -> None:
        scope = _scope_from_title(self.table.title, self.table.aliases)
        groups = column_groups(self.frags, self.amount_cols)
        if groups:
            self._three_public_by_fund(groups, scope)
            return
        cols = {j: self.col_label("three_public", j) for j in sorted(self.amount_cols)}
        if sum(1 for h in cols.values() if h is not None) >= 2:
            for i, row, _, label in self.body():
                if not any(amount(row[j]) is not None for j in cols if j < len(row)):
                    continue
                self._three_public_row(cols, scope, i, label)
            return
        # transposed: items down the rows, values in the amount column(s)
        rows = [(i, label, match_label("three_public", label)) for i, _, _, label in self.body()]
        rows = [(i, label, hit) for i, label, hit in rows if hit is not None]
        extra = any(hit.statement == "operating_cost" for _, _, hit in rows)
        named = any("三公" in fold(label) for _, label, hit in rows if hit.item == "total")
        for n, (i, label, hit) in enumerate(rows):
            item = hit.item
            if extra and item in ("total", "subtotal") and not named:
                # a 合计 over 三公 + 会议费 + 培训费 is no "三公" total; the 小计 right above
                # the 三公 parts is
                following = [h.item for _, _, h in rows[n + 1 : n + 2]]
                item = "total" if item == "subtotal" and following == ["overseas"] else ""
            elif extra and item == "total" and "三公" not in fold(label):
                continue
            if not item or item == "subtotal":
                continue
            for j in sorted(self.amount_cols):
                self.emit(hit.statement, item, scope, i, j, label, row_label=label)

    def _three_public_by_fund(self, groups: list[ColumnGroup], scope: str) -> None:
        """Item groups split by fund: the 一般公共预算 column gives the general_public
        figures; where the table is of all appropriations (财政拨款), their sum gives the
        fiscal ones — the table's own 财政拨款 column when it has one."""
        cols: dict[int, Label | None] = {}
        names: dict[int, str] = {}
        for g in groups:
            j = g.columns[0]
            cols[j] = None
            for text in header_candidates(list(g.header)):
                hit = match_label("three_public", text)
                if hit is not None:
                    cols[j], names[j] = hit, text
                    break
        for i, row, _, _ in self.body():
            label = self.row_text(row)
            for fund_scope in ("general_public", "fiscal"):
                if fund_scope == "fiscal" and scope == "general_public":
                    continue
                values = {g.columns[0]: self._fund_value(row, g, fund_scope) for g in groups}
                if all(v is None for v in values.values()):
                    continue
                self._three_public_row(cols, fund_scope, i, label, values, names)

    @staticmethod
    def _fund_value(row: list[str], group: ColumnGroup, scope: str) -> Decimal | None:
        cells = {fund: amount(row[j]) if j < len(row) else None for j, fund in group.funds.items()}
        if scope == "general_public" or "fiscal" in cells:
            return cells.get(scope)
        parts = [cells[f] for f in APPROPRIATIONS if f in cells]
        if "general_public" not in cells or all(p is None for p in parts):
            return None
        return sum((p for p in parts if p is not None), Decimal(0))

    def _three_public_row(
        self,
        cols: dict[int, Label | None],
        scope: str,
        i: int,
        lab: str,
        values: dict[int, Decimal | None] | None = None,
        names: dict[int, str] | None = None,
    ):
        row = self.table.rows[i]
        order = sorted(cols)
        has_extra = any(h is not None and h.statement == "operating_cost" for h in cols.values())
        given = values is not None
        if values is None:
            values = {j: amount(row[j]) for j in order if j < len(row)}
        items = {}
        for pos, j in enumerate(order):
            hit = cols[j]
            if hit is None:
                continue
            item = hit.item
            if item == "subtotal":
                nxt = next((cols[k] for k in order[pos + 1 :] if cols[k] is not None), None)
                item = "vehicle" if nxt is not None and nxt.item.startswith("vehicle_") else "total"
            items[j] = item
        parts = [
            values.get(j) for j, it in items.items() if it in ("overseas", "vehicle", "reception")
        ]
        parts_sum = sum((p for p in parts if p is not None), Decimal(0))
        for j, item in items.items():
            statement = cols[j].statement
            if item == "total" and statement == "three_public" and has_extra:
                # 合计 that also counts 会议费/培训费 is not the "三公" total
                if values.get(j) is None or abs(values[j] - parts_sum) > Decimal("0.01"):
                    continue
            name = (names or {}).get(j) or self.col_name("three_public", j)
            if given:
                value = values.get(j)
                if value is not None:
                    self.emit(
                        statement,
                        item,
                        scope,
                        i,
                        j,
                        name,
                        row_label=lab,
                        value=value,
                        evidence=str(value),
                    )
            else:
                self.emit(statement, item, scope, i, j, name, row_label=lab)

    def _read_operating_cost(self) -> None:
        scope = _scope_from_title(self.table.title, self.table.aliases)
        for i, row, code, label in self.body():
            if self.is_total(label, row):
                j = self._total_col()
                if j is not None:
                    self.emit("operating_cost", "total", scope, i, j, label or "合计")
            elif len(code) == 5:
                j = self._total_col()
                if j is not None:
                    self.emit("operating_cost", f"econ:{code}", scope, i, j, label, code=code)

    def _read_project(self) -> None:
        """项目支出表 / 专项业务经费支出表: the total row is the department's project spending;
        the other lines are single projects, which the schema does not carry."""
        scope = _scope_from_title(self.table.title, self.table.aliases)
        for i, row, _, label in self.body():
            if self.is_total(label, row):
                j = self._total_col()
                if j is not None:
                    self.emit("expenditure", "project", scope, i, j, label or "合计")
                return

    def _read_procurement(self) -> None:
        scope = _scope_from_title(self.table.title, self.table.aliases)
        for i, row, _, label in self.body():
            if self.is_total(label, row):
                j = self._total_col() if len(self.amount_cols) > 1 else min(self.amount_cols)
                if j is not None:
                    self.emit("procurement", "total", scope, i, j, label or "合计")
                return
