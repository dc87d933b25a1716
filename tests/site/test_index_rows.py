"""The index's agency rows, written by DuckDB (pages.AGENCY_ROW_SQL), are those the index wrote
in Python (agency_row below), escaping and missing values included."""

from html import escape

import duckdb

from cnfiscal.site import pages
from cnfiscal.site.inputs import AGENCY_COLUMNS, AGENCY_ORDER

ROWS = [
    ("a&1", '某<局>"甲"', "某'市", 2018, 2019, 2),
    ("a2", "某区财政局", None, 2019, 2019, 1),
    ("a3", "&amp; 已转义", "", None, None, 0),
    ("a4", "局", "区", 2020, None, None),
    ("a5", "'", "<>", None, 2021, 3),
]


def agency_row(a: tuple) -> str:
    return (
        f'<tr><td><a href="agencies/{escape(a[0])}.html">{escape(a[1])}</a></td>'
        f"<td>{escape(a[2] or '')}</td><td>{pages._years(a[3], a[4])}</td>"
        f"<td class='num'>{a[5]}</td></tr>"
    )


def test_agency_rows_in_sql_equal_python():
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE dim_agency (agency_id VARCHAR, agency_name VARCHAR, region VARCHAR, "
            "first_fiscal_year INTEGER, last_fiscal_year INTEGER, report_count BIGINT)"
        )
        con.executemany("INSERT INTO dim_agency VALUES (?, ?, ?, ?, ?, ?)", ROWS)
        in_sql = con.execute(
            f"SELECT string_agg({pages.AGENCY_ROW_SQL}, '' ORDER BY {AGENCY_ORDER}) FROM dim_agency"
        ).fetchone()[0]
        ordered = con.execute(
            f"SELECT {AGENCY_COLUMNS} FROM dim_agency ORDER BY {AGENCY_ORDER}"
        ).fetchall()
    assert in_sql == "".join(agency_row(a) for a in ordered)
    assert "&#x27;" in in_sql and "&amp;amp;" in in_sql
