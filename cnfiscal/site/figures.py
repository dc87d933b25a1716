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
    fact_seq: int | None
    evidence: str
    source_id: str
    location: str
    doc_kind: str
    report_year: int

    anchor: str = ""  # id of the evidence row on the page, set when drawn


# Fallback per chart from fct_fiscal_facts: (statement, item filter in LIKE form)
CHARTS = {
    "function": ("expenditure", "func:___"),  # top-level functional classes (类)
    "economic": ("expenditure", "econ:___"),  # top-level economic classes (类)
    "budget_vs_actual": ("expenditure", "total"),
    "three_public": ("three_public", "%"),
}
# Every query below reads only these facts and columns (the site loads just them): amounts, of
# the statements the charts draw (fct_budget_vs_actual's lines are expenditure ones).
FACT_COLUMNS = (
    "document_id, fact_seq, agency_id, statement, item, scope, basis, year, measure, "
    "amount_wan_yuan, label, compare_year, evidence"
)
FACTS_USED = "measure = 'amount' AND amount_wan_yuan IS NOT NULL AND statement IN ({})".format(
    ", ".join(sorted({f"'{statement}'" for statement, _ in CHARTS.values()}))
)
# The columns of a chart's rows: those of a Figure, then the scope and the agency_id the rows
# are grouped by. Every query reads all agencies at once (one per chart, not one per agency).
ROW_COLUMNS = (
    "year, basis, key, label, value, document_id, fact_seq, evidence, source_id, location, "
    "doc_kind, report_year, scope, agency_id"
)
_COLS = "d.source_id, d.location, d.doc_kind, d.fiscal_year"
_FACTS_SQL = f"""
SELECT f.year, f.basis, f.item, coalesce(f.label, f.item), f.amount_wan_yuan, f.document_id,
       f.fact_seq, f.evidence, {_COLS}, f.scope, f.agency_id
FROM {{facts}} f JOIN {{docs}} d USING (document_id)
WHERE f.statement = '{{statement}}' AND f.item LIKE '{{pattern}}' AND f.measure = 'amount'
  AND f.amount_wan_yuan IS NOT NULL AND f.compare_year IS NULL
"""
# The derived marts, used when present: one figure per agency-year-line already chosen there.
_CLASS_SQL = f"""
SELECT s.fiscal_year, s.basis, s.class_code, s.class_name, s.amount_wan_yuan, s.document_id,
       NULL, s.evidence, {_COLS}, s.scope, s.agency_id
FROM {{mart}} s JOIN {{{{docs}}}} d USING (document_id)
WHERE s.class_level = '类' AND s.amount_wan_yuan IS NOT NULL
"""
# fct_budget_vs_actual names the documents; the evidence comes from their facts
_BVA_SIDE = f"""
SELECT b.fiscal_year, '{{basis}}', 'total', '{{basis}}', b.{{basis}}_wan_yuan, d.document_id,
       f.fact_seq, f.evidence, {_COLS}, b.scope, b.agency_id
FROM {{{{fct_budget_vs_actual}}}} b JOIN {{{{docs}}}} d ON d.document_id = b.{{basis}}_document_id
LEFT JOIN {{{{facts}}}} f ON f.document_id = d.document_id AND f.statement = b.statement
  AND f.item = b.item AND f.scope = b.scope AND f.year = b.fiscal_year
  AND f.basis = '{{basis}}' AND f.measure = 'amount' AND f.amount_wan_yuan = b.{{basis}}_wan_yuan
WHERE b.statement = 'expenditure' AND b.item = 'total' AND b.{{basis}}_wan_yuan IS NOT NULL
"""
# A total order over whole rows (agency, year, basis, line, report year, scope, document, fact,
# evidence, then the rest): DuckDB returns rows in no fixed order, and _pick keeps the first of
# equally ranked rows, so without it a page could change between two builds of the same data.
# Being total, it also makes an agency's rows a function of the set of them, which is what the
# site's page digests (a sum of row hashes) see.
ORDER = (
    "agency_id, year, basis, key, report_year, scope, document_id, fact_seq NULLS FIRST, "
    "evidence, label, value, source_id, location, doc_kind"
)
MARTS = {
    "function": (
        "fct_spending_by_function",
        _CLASS_SQL.format(mart="{fct_spending_by_function}"),
    ),
    "economic": (
        "fct_spending_by_economic_class",
        _CLASS_SQL.format(mart="{fct_spending_by_economic_class}"),
    ),
    "budget_vs_actual": (
        "fct_budget_vs_actual",
        _BVA_SIDE.format(basis="budget") + " UNION ALL " + _BVA_SIDE.format(basis="actual"),
    ),
}


def chart_sql(chart: str, tables: set[str], names: dict[str, str] | None = None) -> str:
    """The query for a chart's candidate rows of every agency, with the columns ROW_COLUMNS, in
    no order. `tables` names the tables and views the connection has (`facts` and `docs` among
    them); a chart reads its mart when there is one. `names` reads some of them from other
    tables (a subset of their rows, say)."""
    if chart in MARTS and MARTS[chart][0] in tables:
        sql = MARTS[chart][1]
    else:  # CHARTS holds plain literals (no quotes)
        statement, pattern = CHARTS[chart]
        sql = _FACTS_SQL.replace("{statement}", statement).replace("{pattern}", pattern)
    read = {t: t for t in ("facts", "docs", *(m for m, _ in MARTS.values()))}
    sql = sql.format(**{**read, **(names or {})})
    return f"SELECT * FROM ({sql}) AS rows({ROW_COLUMNS})"


def _pick(rows: list[tuple]) -> dict[tuple, Figure]:
    best: dict[tuple, tuple] = {}
    for r in rows:
        year, basis, item = r[0], r[1], r[2]
        rank = (r[11] != year, SCOPE_RANK.get(r[12], 9), -(r[11] or 0), r[6] or 0)
        key = (year, basis, item)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, r)
    return {k: Figure(*r[:12]) for k, (_, r) in best.items()}


def chart_rows(con: duckdb.DuckDBPyConnection, chart: str, tables: set[str]) -> dict[str, list]:
    """The chart's candidate rows for every agency, agency_id -> rows (in ORDER)."""
    by_agency: dict[str, list] = {}
    for r in con.execute(f"{chart_sql(chart, tables)} ORDER BY {ORDER}").fetchall():
        by_agency.setdefault(r[13], []).append(r)
    return by_agency


def chart_figures(rows: list[tuple], chart: str) -> list[Figure]:
    """One agency's figures for a chart, from its rows (chart_rows)."""
    picked = _pick(rows)
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
            f.key, f.label = f.basis, BASIS_ZH[f.basis]  # the series is the basis
    figs = sorted(picked.values(), key=lambda f: (f.year, f.basis != "budget", f.key))
    for i, f in enumerate(figs):
        f.anchor = f"{chart}-{i + 1}"
    return figs


def group_label(f: Figure, chart: str) -> str:
    return str(f.year) if chart == "budget_vs_actual" else f"{f.year} {BASIS_ZH[f.basis]}"
