"""Facts from the standard tables of budget and final-accounts reports.

A table is recognised from its title (vocab/table_layouts.csv); its columns from their headers
and its rows from their labels and 类/款/项 codes (vocab/table_labels.csv and the official
classifications). Values are converted to 万元 from the unit the table states.
"""

from __future__ import annotations

import re

from cnfiscal.extract.tables.grid import (
    amount,
    column_headers,
    header_candidates,
    header_rows,
    is_code_cell,
)
from cnfiscal.extract.tables.layouts import _YEAR, TableReader, basis_of
from cnfiscal.extract.tables.vocab import classify
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
    named = [p for p in named if not re.match(r"(?:部门|单位|编制|填报)", p)]
    return named[-1] if named else title


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
    units = [t.unit for t in tables if t.unit]
    default_unit = max(set(units), key=units.count) if units else "万元"
    known = [(t, classify(_title_key(t.title))) for t in tables if len(t.rows) >= 2]
    known = [(t, layout) for t, layout in known if layout is not None and layout.kind != "skip"]
    default_basis, default_year = _document_defaults([t for t, _ in known], meta)
    for table, layout in known:
        unit = table.unit or default_unit
        n_head = header_rows(table)
        headers = column_headers(table, n_head)
        body = table.rows[n_head:]
        amount_cols = set()
        code_cols = set()
        for j, frags in enumerate(headers):
            head = "".join(frags)
            cells = [r[j] for r in body if j < len(r) and r[j].strip()]
            if re.search(r"行次|栏次", head):
                continue  # line numbers, not amounts
            if re.search(r"编码|代码|编号|^[类款项]$", head) or (
                cells and not head and all(is_code_cell(c) for c in cells) and j == 0
            ):
                code_cols.add(j)
            elif any(amount(c) is not None for c in cells):
                amount_cols.add(j)
        reader = TableReader(
            table=table,
            layout=layout,
            meta=meta,
            unit=unit,
            n_head=n_head,
            headers=[header_candidates(h) for h in headers],
            amount_cols=amount_cols,
            issues=issues,
            default_basis=default_basis,
            default_year=default_year,
        )
        try:
            facts += reader.facts()
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
