"""The rows a page is rendered from (inputs.page_rows, which reads only the rows that can reach
the pages asked for) are those of the page tables the digests read, filtered to the page."""

import duckdb
import pytest

from cnfiscal.exports import export_marts
from cnfiscal.site import build, inputs, manifest, sources
from cnfiscal.site.figures import CHARTS, ORDER
from tests.exports.conftest import small_db  # noqa: F401  (the fixture)
from tests.exports.test_site_build import PERFORMANCE_DDL

MARTS = [
    PERFORMANCE_DDL,
    "insert into marts.fct_performance values "
    "('d19@y', 'a1', 2019, 'actual', '办件量', '全年办件量', 120000, '件', '多', "
    "'办件12万多件。'), "
    "('e19@z', 'a2', 2019, 'budget', '满意率', '满意率', 95, '%', null, '满意率目标95%。')",
    "create table marts.fct_budget_vs_actual (agency_id varchar, fiscal_year integer, "
    "statement varchar, item varchar, scope varchar, budget_wan_yuan decimal(24,6), "
    "actual_wan_yuan decimal(24,6), budget_document_id varchar, actual_document_id varchar)",
    # a2's last row names a1's report: its evidence is that report's fact, filed under a1
    "insert into marts.fct_budget_vs_actual values "
    "('a1', 2018, 'expenditure', 'total', 'all', 100.5, null, 'd18@x', null), "
    "('a1', 2019, 'expenditure', 'total', 'all', null, 120, null, 'd19@y'), "
    "('a2', 2019, 'expenditure', 'total', 'all', 7, null, 'e19@z', null), "
    "('a2', 2019, 'expenditure', 'total', 'fiscal', 7, 90, 'e19@z', 'd19@y')",
]


def _whole(con, aid: str) -> dict:
    """One agency's rows read through the page views, over every row."""
    only = f"WHERE agency_id = '{aid}'"
    charts = {
        c: con.execute(f"SELECT * FROM {inputs.chart_table(c)} {only} ORDER BY {ORDER}").fetchall()
        for c in CHARTS
    }
    indicators = con.execute(
        f"SELECT {inputs.INDICATOR_COLUMNS} FROM page_indicators {only} "
        f"ORDER BY {inputs.INDICATOR_ORDER}"
    ).fetchall()
    return {"charts": charts, "indicators": [r[1:] for r in indicators]}


@pytest.mark.parametrize("facts_elsewhere", [False, True])
def test_page_rows_equal_the_page_tables(small_db, tmp_path, facts_elsewhere):  # noqa: F811
    db, dbt_manifest = small_db
    with duckdb.connect(str(db)) as con:
        for statement in MARTS:
            con.execute(statement)
    exports = tmp_path / "exports"
    export_marts(db, exports, manifest_path=dbt_manifest)
    with duckdb.connect() as con:
        manifest.read(con, "tree", None)
        tables = inputs.load(con, exports, build.read_package(exports / "datapackage.json"))
        if facts_elsewhere:
            # facts filed under another agency than the report fct_budget_vs_actual names:
            # a chart still takes their evidence, by document
            con.execute("UPDATE facts SET agency_id = 'elsewhere'")
        sources.find(con, tmp_path, None)
        inputs.build_page_tables(con, tables)
        ids = [r[0] for r in con.execute("SELECT agency_id FROM page_agency ORDER BY 1").fetchall()]
        assert ids
        drawn = 0
        for aid in ids:
            rows = inputs.page_rows(con, [aid], tables)[aid]
            whole = _whole(con, aid)
            assert rows["charts"] == whole["charts"]
            assert rows["indicators"] == whole["indicators"]
            drawn += sum(len(r) for r in rows["charts"].values())
        assert {"fct_budget_vs_actual", "fct_performance"} <= tables
        bva = {a: _whole(con, a)["charts"]["budget_vs_actual"] for a in ids}
        assert sum(1 for a in ids for r in bva[a] if r[7]) == 4 and drawn
        assert [r[7] for r in bva["a2"] if r[5] == "d19@y"] == ["财政拨款支出90万元。"]
        both = inputs.page_rows(con, ids, tables)
        assert {a: both[a]["charts"] for a in ids} == {a: _whole(con, a)["charts"] for a in ids}
