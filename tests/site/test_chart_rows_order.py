"""Chart rows come back in one order whatever order the tables hold them in, so two builds of
the same data draw the same figures and give the same page digests."""

import duckdb

from cnfiscal.site.figures import CHARTS, chart_figures, chart_rows

FACTS = """CREATE TABLE facts (year INT, basis VARCHAR, item VARCHAR, label VARCHAR,
    amount_wan_yuan DECIMAL(18, 4), document_id VARCHAR, fact_seq INT, evidence VARCHAR,
    scope VARCHAR, agency_id VARCHAR, statement VARCHAR, measure VARCHAR, compare_year INT)"""
DOCS = """CREATE TABLE docs (document_id VARCHAR, source_id VARCHAR, location VARCHAR,
    doc_kind VARCHAR, fiscal_year INT)"""
# Two reports of the same year state the same line with the same rank (scope, report year,
# fact_seq): only the total order decides which one the chart shows.
ROWS = [
    (
        2023,
        "budget",
        "total",
        "支出合计",
        "120.5",
        "doc-b",
        3,
        "B 支出合计120.5万元",
        "all",
        "ag-1",
    ),
    (
        2023,
        "budget",
        "total",
        "支出合计",
        "120.5",
        "doc-a",
        3,
        "A 支出合计120.5万元",
        "all",
        "ag-1",
    ),
    (2022, "actual", "total", "支出合计", "99.0", "doc-c", 1, "C 支出合计99万元", "all", "ag-1"),
]


def _rows(order: list[int]) -> list[tuple]:
    with duckdb.connect() as con:
        con.execute(FACTS)
        con.execute(DOCS)
        for i in order:
            con.execute(
                "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'expenditure', 'amount', "
                "NULL)",
                list(ROWS[i]),
            )
        for doc in ("doc-c", "doc-b", "doc-a"):
            con.execute("INSERT INTO docs VALUES (?, ?, 'x.txt', 'budget', 2023)", [doc, doc])
        return chart_rows(con, "budget_vs_actual", {"facts", "docs"})["ag-1"]


def test_rows_and_figures_do_not_depend_on_storage_order():
    assert "budget_vs_actual" in CHARTS
    first, second = _rows([0, 1, 2]), _rows([2, 1, 0])
    assert first == second
    assert [r[5] for r in first] == ["doc-c", "doc-a", "doc-b"]  # year, then document
    figures = chart_figures(first, "budget_vs_actual")
    assert [f.document_id for f in figures] == ["doc-c", "doc-a"]
