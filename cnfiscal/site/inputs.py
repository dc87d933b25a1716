"""What the agency pages are made of, as DuckDB tables, and a digest of it per agency.

Each page is a function of its agency's rows in a few tables (its agency row, its reports with
their links, each chart's candidate rows, its indicators) and of the code that renders them. The
tables are built here, in DuckDB, from the exported Parquet files, and the digest of an agency's
rows is a hash aggregate computed there too: a night decodes into Python only the rows of the
pages it has to render, not the whole export.
"""

from __future__ import annotations

import json
from hashlib import sha256
from pathlib import Path

import duckdb
import pyarrow as pa

from cnfiscal.site.figures import CHARTS, FACT_COLUMNS, FACTS_USED, MARTS, ORDER, chart_sql
from cnfiscal.site.sources import HREF_SQL

# The exported tables the pages read.
SITE_TABLES = {
    "dim_agency",
    "dim_document",
    "fct_fiscal_facts",
    "fct_performance",
    "fct_budget_vs_actual",
    "fct_spending_by_function",
    "fct_spending_by_economic_class",
}
AGENCY_COLUMNS = "agency_id, agency_name, region, first_fiscal_year, last_fiscal_year, report_count"
# The index's order; total, so that "the last row of a repeated agency_id" (whose page it is)
# is the same row in every build.
AGENCY_ORDER = "region, agency_name, agency_id, first_fiscal_year, last_fiscal_year, report_count"
# A report as the page lists it (pages.agency_body reads these positions), then its link.
DOC_COLUMNS = "agency_id, source_id, fiscal_year, doc_kind, location, fetched_at, sha256"
DOC_ORDER = "agency_id, fiscal_year, doc_kind, source_id, sha256, location, fetched_at, href"
INDICATOR_COLUMNS = (
    "agency_id, year, basis, indicator, written, value, unit, qualifier, evidence, source_id, "
    "report_year, doc_kind, location"
)
INDICATOR_ORDER = (
    "agency_id, year, indicator, basis, written, value, unit, qualifier, evidence, source_id, "
    "report_year, doc_kind, location"
)
_INDICATORS_SQL = f"""
SELECT * FROM (
  SELECT p.agency_id, p.fiscal_year, p.basis,
         coalesce(p.indicator_name, p.indicator_as_written), p.indicator_as_written, p.value,
         p.unit, p.qualifier, p.evidence, d.source_id, d.fiscal_year, d.doc_kind, d.location
  FROM {{fct_performance}} p JOIN docs d USING (document_id)
) AS rows({INDICATOR_COLUMNS})
"""


def chart_table(chart: str) -> str:
    return f"page_chart_{chart}"


def load(con: duckdb.DuckDBPyConnection, exports_dir: Path, package: dict) -> set[str]:
    """Views of the exported tables the pages read, and in memory the two every page query
    joins: the documents, and the facts the charts may read (a third of them). Returns the names
    of the tables present.

    Row order is left to DuckDB (a quarter less time reading the facts): every query whose
    order matters says ORDER BY."""
    con.execute("SET preserve_insertion_order = false")
    paths: dict[str, list[str]] = {}
    for r in package["resources"]:
        if r["format"] == "parquet" and r["table"] in SITE_TABLES:
            paths.setdefault(r["table"], []).append(str(exports_dir / r["path"]))
    for table, files in paths.items():
        hive = ", hive_partitioning = true" if len(files) > 1 or "=" in files[0] else ""
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({files!r}{hive})")
    con.execute(f"CREATE TEMP TABLE docs AS SELECT document_id, {DOC_COLUMNS} FROM dim_document")
    con.execute(
        f"CREATE TEMP TABLE facts AS SELECT {FACT_COLUMNS} FROM fct_fiscal_facts WHERE {FACTS_USED}"
    )
    return set(paths) | {"docs", "facts"}


def build_page_tables(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """What each page is made of: page_agency (the row it shows), page_docs (its reports with
    their links; sources.find's source_files first), a view per chart (chart_table) and
    page_indicators. The views are read twice, for the digests and for the pages to render:
    cheaper than holding their rows (evidence text, mostly) in memory."""
    con.execute(
        f"CREATE TEMP TABLE page_agency AS SELECT {AGENCY_COLUMNS} FROM dim_agency "
        f"QUALIFY row_number() OVER (PARTITION BY agency_id ORDER BY {AGENCY_ORDER}) "
        "= count(*) OVER (PARTITION BY agency_id)"
    )
    con.execute(
        f"CREATE TEMP TABLE page_docs AS SELECT {DOC_COLUMNS}, {HREF_SQL} AS href "
        "FROM docs LEFT JOIN source_files f USING (document_id) "
        "WHERE agency_id IN (SELECT agency_id FROM page_agency)"
    )
    for chart in CHARTS:
        con.execute(f"CREATE TEMP VIEW {chart_table(chart)} AS {chart_sql(chart, tables)}")
    if "fct_performance" in tables:
        sql = _INDICATORS_SQL.format(fct_performance="fct_performance")
        con.execute(f"CREATE TEMP VIEW page_indicators AS {sql}")
    else:
        con.execute(
            "CREATE TEMP VIEW page_indicators AS SELECT * FROM "
            f"(SELECT NULL::VARCHAR {', NULL' * 12}) AS rows({INDICATOR_COLUMNS}) LIMIT 0"
        )


def _parts() -> list[str]:
    return ["page_docs", *(chart_table(c) for c in CHARTS), "page_indicators"]


def input_version(con: duckdb.DuckDBPyConnection, render: str) -> str:
    """What every digest depends on besides the rows: the rendering code, DuckDB (its hash
    function; how values come back to Python) and the session's time zone (fetch dates are
    shown in it)."""
    zone = con.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    return sha256(json.dumps([render, duckdb.__version__, zone]).encode()).hexdigest()


def _types(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A table's column names and types, briefly. A hash sees only the stored value (an
    INTEGER 1 as a BIGINT 1, a DECIMAL as its unscaled integer: 1.50 at scale 2 as 0.000150 at
    scale 6); a page shows the value as its type writes it."""
    described = con.execute(f"DESCRIBE {table}").fetchall()
    return sha256(repr([r[:2] for r in described]).encode()).hexdigest()[:16]


def compute_digests(con: duckdb.DuckDBPyConnection, version: str) -> None:
    """Table page_digest(agency_id, digest): per page, the md5 of the version, the hash of its
    agency row and, per page table it has rows in, the sum (as HUGEINT, no wrap) and count of
    its rows' hashes and the table's types (so a table that appears or changes type touches only
    the pages with rows in it). A sum does not see row order, which is fine: every table is read
    in a total order over whole rows (figures.ORDER, DOC_ORDER, INDICATOR_ORDER), so the same
    rows give the same page. Two sets of rows with the same sums is a 64-bit hash collision."""
    fields, joins = [], []
    for i, table in enumerate(_parts()):
        joins.append(
            f"LEFT JOIN (SELECT agency_id, sum(hash(t)::HUGEINT) AS h, count(*) AS n "
            f"FROM {table} t GROUP BY agency_id) p{i} USING (agency_id)"
        )
        fields.append(f"coalesce(p{i}.h || ':' || p{i}.n || ':{_types(con, table)}', '')")
    con.execute(
        f"""CREATE TEMP TABLE page_digest AS
        SELECT agency_id, md5(concat_ws('|', ?, a.h, {", ".join(fields)})) AS digest
        FROM (SELECT agency_id, hash(t) AS h FROM page_agency t) a {" ".join(joins)}""",
        [version + _types(con, "page_agency")],
    )


def _todo_tables(con: duckdb.DuckDBPyConnection, tables: set[str]) -> dict[str, str]:
    """The rows of the tables the chart and indicator queries read that can reach the agencies
    in table `todo`, as temp tables: those queries with the filter on top of their joins read
    every fact (DuckDB does not push it down), ~0.2 s at 100,000 reports for a few hundred
    pages. Returns {table: its subset}."""
    only = "agency_id IN (SELECT agency_id FROM todo)"
    names = {}
    bva = MARTS["budget_vs_actual"][0]
    for table in (*(m for m, _ in MARTS.values()), "fct_performance"):
        if table in tables:
            names[table] = f"todo_{table}"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE todo_{table} AS SELECT * FROM {table} WHERE {only}"
            )
    where = only
    if bva in tables:  # its evidence: the facts of the documents it names, whatever agency
        where += (
            f" OR document_id IN (SELECT budget_document_id FROM todo_{bva}"
            f" UNION ALL SELECT actual_document_id FROM todo_{bva})"
        )
    con.execute(f"CREATE OR REPLACE TEMP TABLE todo_facts AS SELECT * FROM facts WHERE {where}")
    names["facts"] = "todo_facts"
    return names


def page_rows(
    con: duckdb.DuckDBPyConnection, agency_ids: list[str], tables: set[str]
) -> dict[str, dict]:
    """Everything the pages of `agency_ids` are rendered from, by agency: "agency" (its row),
    "docs" ((report, href) pairs), "charts" ({chart: rows}), "indicators". `tables` as for
    build_page_tables."""
    if not agency_ids:
        return {}
    con.register("todo_ids", pa.table({"agency_id": pa.array(agency_ids, pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE todo AS SELECT DISTINCT agency_id FROM todo_ids")
    con.unregister("todo_ids")
    only = "WHERE agency_id IN (SELECT agency_id FROM todo)"
    out: dict[str, dict] = {
        a: {"docs": [], "charts": {c: [] for c in CHARTS}, "indicators": []} for a in agency_ids
    }
    for row in con.execute(f"SELECT {AGENCY_COLUMNS} FROM page_agency {only}").fetchall():
        out[row[0]]["agency"] = row
    for row in con.execute(
        f"SELECT {DOC_COLUMNS}, href FROM page_docs {only} ORDER BY {DOC_ORDER}"
    ).fetchall():
        out[row[0]]["docs"].append((row[:-1], row[-1]))
    names = _todo_tables(con, tables)
    for chart in CHARTS:
        for row in con.execute(
            f"SELECT * FROM ({chart_sql(chart, tables, names)}) {only} ORDER BY {ORDER}"
        ).fetchall():
            out[row[13]]["charts"][chart].append(row)
    indicators = "page_indicators"
    if "fct_performance" in tables:
        indicators = f"({_INDICATORS_SQL.format(fct_performance=names['fct_performance'])})"
    for row in con.execute(
        f"SELECT {INDICATOR_COLUMNS} FROM {indicators} {only} ORDER BY {INDICATOR_ORDER}"
    ).fetchall():
        out[row[0]]["indicators"].append(row[1:])
    return out
