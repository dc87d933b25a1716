"""Which facts an agency page charts. One figure per (year, basis, line): the same amount is
often stated for several scopes and in several reports, so we prefer the widest scope and the
report about that year (a later report's comparison figure only fills a gap)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

SCOPE_RANK = {"all": 0, "general_public": 1, "fiscal": 2}
BASIS_ZH = {"budget": "预算", "actual": "决算"}
THREE_PUBLIC_ZH = {
    "total": "三公经费合计",
    "overseas": "因公出国（境）费",
    "vehicle": "公务用车购置及运行费",
    "reception": "公务接待费",
}


@dataclass
class Figure:
    year: int
    basis: str
    key: str  # the line: item code, or "total"
    label: str
    value: Decimal
    document_id: str
    fact_seq: int
    evidence: str
    source_id: str
    location: str
    doc_kind: str
    report_year: int

    @property
    def anchor(self) -> str:
        return f"fact-{self.source_id}-{self.fact_seq}"


# (statement, item filter) per chart; items in SQL LIKE form
CHARTS = {
    "function": ("expenditure", "func:___"),  # top-level functional classes (类)
    "economic": ("expenditure", "econ:___"),  # top-level economic classes (类)
    "budget_vs_actual": ("expenditure", "total"),
    "three_public": ("three_public", "%"),
}

_SQL = """
SELECT f.year, f.basis, f.item, coalesce(f.label, f.item), f.amount_wan_yuan, f.document_id,
       f.fact_seq, f.evidence, d.source_id, d.location, d.doc_kind, d.fiscal_year, f.scope
FROM facts f JOIN docs d USING (document_id)
WHERE f.agency_id = ? AND f.statement = ? AND f.item LIKE ? AND f.measure = 'amount'
  AND f.amount_wan_yuan IS NOT NULL AND f.compare_year IS NULL
"""


def _pick(rows: list[tuple]) -> dict[tuple, Figure]:
    best: dict[tuple, tuple] = {}
    for r in rows:
        year, basis, item = r[0], r[1], r[2]
        rank = (r[11] != year, SCOPE_RANK.get(r[12], 9), -(r[11] or 0), r[6])
        key = (year, basis, item)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, r)
    return {k: Figure(*r[:12]) for k, (_, r) in best.items()}


def chart_figures(con: duckdb.DuckDBPyConnection, agency_id: str, chart: str) -> list[Figure]:
    statement, like = CHARTS[chart]
    picked = _pick(con.execute(_SQL, [agency_id, statement, like]).fetchall())
    if chart == "three_public":
        picked = {k: f for k, f in picked.items() if f.key in THREE_PUBLIC_ZH}
        for f in picked.values():
            f.label = THREE_PUBLIC_ZH[f.key]
    if chart != "budget_vs_actual":
        # one basis per year: the final account when there is one, else the budget
        years_actual = {y for (y, b, _) in picked if b == "actual"}
        picked = {k: f for k, f in picked.items() if (k[1] == "actual") == (k[0] in years_actual)}
    else:
        for f in picked.values():
            f.label = BASIS_ZH[f.basis]
    return sorted(picked.values(), key=lambda f: (f.year, f.basis != "budget", f.key))


def group_label(f: Figure, chart: str) -> str:
    return str(f.year) if chart == "budget_vs_actual" else f"{f.year} {BASIS_ZH[f.basis]}"
