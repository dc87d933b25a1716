"""Facts from the standard tables of budget and final-accounts reports.

A table is recognised from its title (vocab/table_layouts.csv); its columns from their headers
and its rows from their labels and 类/款/项 codes (vocab/table_labels.csv and the official
classifications). Values are converted to 万元 from the unit the table states.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from cnfiscal.extract.tables.grid import (
    amount,
    column_headers,
    header_candidates,
    header_rows,
    is_code_cell,
)
from cnfiscal.extract.tables.layouts import _YEAR, TableReader, basis_of
from cnfiscal.extract.tables.vocab import UNIT_NOTE, classify
from cnfiscal.model import DocumentMeta, Fact, ParseIssue
from cnfiscal.readers import Table

__all__ = ["extract_table_facts"]


def _title_key(title: str) -> str:
    """The table's own name among the title lines: the last part naming a 表, not the
    部门/单位 line (an agency name could contain any word)."""
    parts = [p for p in re.split(r"\s+", title) if p]
    named = [
        p
        for p in parts
        if "表" in p and not re.fullmatch(r"(?:公开|预算|决算)?\d+表|[^表]*\d+号表", p)
    ]
    named = [
        p for p in named if not re.match(r"(?:部门|单位|编制|填报)(?:名称|部门|单位)?[:：]", p)
    ]
    return named[-1] if named else title


_UNIT_LINE = re.compile(r"单位[:：]\s*(万元|亿元|千元|元)")


def _header_unit(table: Table) -> str:
    """The unit a table states inside its grid when its title does not: a 单位：元 cell
    above the header, or a unit note that every header naming one agrees on (合计（元）)."""
    head = table.rows[: max(table.header_rows, 1)]
    cells = [unicodedata.normalize("NFKC", c) for row in head for c in row if c.strip()]
    for cell in cells:
        m = _UNIT_LINE.search(cell)
        if m:
            return m.group(1)
    notes = {m.group(1) for c in cells for m in [UNIT_NOTE.search(c)] if m}
    return notes.pop() if len(notes) == 1 else ""


def _document_defaults(tables: list[Table], meta: DocumentMeta) -> tuple[str, int | None]:
    """Basis and year for tables whose own title and headers do not say them: what the other
    tables' titles agree on (a report's table part is all 预算表 or all 决算表), else the
    document kind; the year most titles name when the metadata has none."""
    said = {basis_of(t.title) for t in tables} - {None}
    if len(said) == 1:
        basis = said.pop()
    else:
        basis = "budget" if meta.doc_kind == "budget" else "actual"
    years = [int(m.group(1)) for t in tables for m in [_YEAR.search(t.title)] if m]
    year = meta.fiscal_year or (max(set(years), key=years.count) if years else None)
    return basis, year


def extract_table_facts(
    tables: list[Table], meta: DocumentMeta, issues: list[ParseIssue]
) -> list[Fact]:
    facts: list[Fact] = []
    for t in tables:
        t.unit = t.unit or _header_unit(t)
    units = [t.unit for t in tables if t.unit]
    default_unit = max(set(units), key=units.count) if units else "万元"
    known = [(t, classify(_title_key(t.title))) for t in tables if len(t.rows) >= 2]
    known = [(t, layout) for t, layout in known if layout is not None and layout.kind != "skip"]
    defaults = _document_defaults([t for t, _ in known], meta)
    for table, layout in known:
        try:
            facts += _read_table(table, layout, meta, table.unit or default_unit, defaults, issues)
        except Exception as exc:  # one odd table must not lose the others
            issues.append(
                ParseIssue(
                    "warning",
                    "table_failed",
                    f"table {table.index} ({layout.kind}) not read: {exc}",
                    quote=table.title[:120],
                    page=table.page,
                )
            )
    return facts


def _column_roles(headers: list[list[str]], body: list[list[str]]) -> tuple[set[int], list[int]]:
    """Amount columns, and code columns (科目编码/类 款 项, or bare codes in column 0)."""
    amount_cols: set[int] = set()
    code_cols: list[int] = []
    for j, frags in enumerate(headers):
        head = "".join(frags)
        cells = [r[j] for r in body if j < len(r) and r[j].strip()]
        if re.search(r"行次|栏次", head):
            continue  # line numbers, not amounts
        if re.search(r"编码|代码|编号|^[类款项]$", head) or (
            not head and (j == 0 and cells and all(is_code_cell(c) for c in cells) or _codes(cells))
        ):
            code_cols.append(j)
        elif any(amount(c) is not None for c in cells):
            amount_cols.add(j)
    return amount_cols, code_cols


def _codes(cells: list[str]) -> bool:
    """A column of classification codes without a header of its own: 3-, 5- and 7-digit
    codes whose 款 and 项 fall under 类 the column also lists (201, 20101, 2010101)."""
    cells = [c.strip() for c in cells]
    if len(cells) < 2 or not all(is_code_cell(c) for c in cells):
        return False
    heads = {c for c in cells if len(c) == 3}
    deep = [c for c in cells if len(c) > 3]
    return bool(deep) and sum(c[:3] in heads for c in deep) * 2 >= len(deep)


def _blocks(amount_cols: set[int], code_cols: list[int], width: int) -> list[tuple[int, int]]:
    """Column ranges of tables printed as side-by-side blocks (人员经费 | 公用经费, each with
    its own 科目代码, 科目名称, 决算数): a code column after an amount column starts a block."""
    starts = [0]
    for c in code_cols:
        if any(starts[-1] <= j < c for j in amount_cols):
            starts.append(c)
    return list(zip(starts, starts[1:] + [width], strict=True))


def _relabel(row: list[str], blocks: list[tuple[int, int]]) -> list[str]:
    """A label in a cell merged across blocks (公用经费合计 spanning two) lands in the block on
    the left, which has no figure on that row; it belongs to the next block with a figure
    and no label of its own."""

    def figures(a: int, b: int) -> bool:
        return any(amount(c) is not None for c in row[a:b])

    def words(a: int, b: int) -> list[int]:
        return [k for k in range(a, min(b, len(row))) if row[k].strip() and amount(row[k]) is None]

    row = list(row)
    for n, (a, b) in enumerate(blocks[1:], start=1):
        pa, pb = blocks[n - 1]
        if figures(a, b) and not words(a, b) and not figures(pa, pb) and words(pa, pb):
            k = words(pa, pb)[-1]
            row[a], row[k] = row[k], ""
    return row


def _read_table(table, layout, meta, unit, defaults, issues) -> list[Fact]:
    n_head = header_rows(table)
    headers = column_headers(table, n_head)
    amount_cols, code_cols = _column_roles(headers, table.rows[n_head:])
    blocks = _blocks(amount_cols, code_cols, len(headers))
    facts: list[Fact] = []
    for a, b in blocks:
        part = table
        if len(blocks) > 1:
            rows = [_relabel(r, blocks) for r in table.rows]
            part = replace(table, rows=[r[a:b] for r in rows])
        reader = TableReader(
            table=part,
            layout=layout,
            meta=meta,
            unit=unit,
            n_head=n_head,
            headers=[header_candidates(h) for h in headers[a:b]],
            frags=headers[a:b],
            amount_cols={j - a for j in amount_cols if a <= j < b},
            issues=issues,
            default_basis=defaults[0],
            default_year=defaults[1],
        )
        for fact in reader.facts():
            fact.col = (fact.col or 0) + a
            facts.append(fact)
    return facts
