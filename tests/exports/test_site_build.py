"""The site generator over a small export set (no browser: the HTML itself)."""

import re

import duckdb
import pytest

from cnfiscal.exports import export_marts
from cnfiscal.site.build import build_site

PERFORMANCE_DDL = (
    "create table marts.fct_performance (document_id varchar, agency_id varchar, "
    "fiscal_year integer, basis varchar, indicator_name varchar, "
    "indicator_as_written varchar, value decimal(24,6), unit varchar, qualifier varchar, "
    "evidence varchar)"
)


def _site(small_db, tmp_path, report="某区财政局2019年部门预算", cache_dir=None):
    """Export the small warehouse and build the site; `report` is the catalog's local file
    (None: the caller wrote it)."""
    db, manifest = small_db
    exports = tmp_path / "exports"
    export_marts(db, exports, manifest_path=manifest)
    if report is not None:
        (tmp_path / "seeds").mkdir()
        (tmp_path / "seeds" / "e19.txt").write_text(report, encoding="utf-8")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("sources: []\n", encoding="utf-8")
    summary = build_site(exports, tmp_path / "site", catalog, cache_dir=cache_dir)
    return tmp_path / "site", summary


def _bars(html: str, chart: str) -> list[tuple[str, str, str]]:
    svg = re.search(rf'<svg id="chart-{chart}".*?</svg>', html, re.S)
    if not svg:
        return []
    return re.findall(
        r'data-group="([^"]*)" data-series="([^"]*)" data-value="([^"]*)"', svg.group(0)
    )


def test_pages_and_downloads(small_db, tmp_path):
    site, summary = _site(small_db, tmp_path)
    assert summary == {
        "agencies": 2,
        "charts": 4,
        "downloads": 7,
        "dbt_docs": False,
        "rendered": 2,  # a first build renders every page
        "pages_linked": 0,
        "sources_checked": 2,  # the two local reports (one file missing)
        "sources_linked": 1,
    }
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in index and "数据下载" in index
    for rel in ("fct_fiscal_facts.parquet", "dim_agency.csv", "SHA256SUMS", "datapackage.json"):
        assert (site / "downloads" / rel).is_file()
        assert f"downloads/{rel}" in index
    dictionary = (site / "dictionary.html").read_text(encoding="utf-8")
    assert "主键：<code>document_id, fact_seq</code>" in dictionary


def test_agency_figures_prefer_widest_scope_and_link_their_evidence(small_db, tmp_path):
    site, _ = _site(small_db, tmp_path)
    html = (site / "agencies" / "a1.html").read_text(encoding="utf-8")
    # 2019 actual is stated for scope all (120) and fiscal (90): the chart shows all
    assert _bars(html, "budget_vs_actual") == [
        ("2018", "预算", "100.500000"),
        ("2019", "决算", "120.000000"),
    ]
    assert _bars(html, "function") == [("2018 预算", "一般公共服务支出", "80.250000")]
    assert _bars(html, "three_public") == [("2019 决算", "三公经费合计", "3.300000")]
    row = re.search(r'<tr id="budget_vs_actual-2">.*?</tr>', html).group(0)
    assert "2019年支出决算120万元。" in row
    assert 'href="https://example.gov.cn/2018.pdf"' in html  # a URL source links out
    assert "seeds/d19.txt" in html  # a missing local file is shown as its path


def test_local_source_is_copied_so_the_link_works_offline(small_db, tmp_path):
    site, _ = _site(small_db, tmp_path)
    html = (site / "agencies" / "a2.html").read_text(encoding="utf-8")
    assert 'href="../sources/a2-budget-2019.txt"' in html
    assert (site / "sources" / "a2-budget-2019.txt").read_text(encoding="utf-8").startswith("某区")
    assert "（报告中没有可用的数字）" in html  # no functional figures: said, not drawn empty


def test_agency_page_lists_performance_indicators_with_their_evidence(small_db, tmp_path):
    db, _ = small_db
    with duckdb.connect(str(db)) as con:
        con.execute(PERFORMANCE_DDL)
        con.execute(
            "insert into marts.fct_performance values "
            "('d19@y', 'a1', 2019, 'actual', '办件量', '全年办件量', 120000, '件', '多', "
            "'全年办件量12万多件。'), "
            "('d19@y', 'a1', 2019, 'budget', '群众满意率', '满意率', 95, '%', null, "
            "'满意率目标95%。')"
        )
    site, _ = _site(small_db, tmp_path)
    page = (site / "agencies" / "a1.html").read_text(encoding="utf-8")
    table = re.search(r"<h2>绩效指标</h2>(.*?)</table>", page, re.S).group(1)
    rows = re.findall(
        r"<td>(\d{4})</td><td>(目标|实际)</td><td[^>]*>([^<]*)</td>"
        r'<td class="num" data-value="([^"]*)">([^<]*)</td><td>([^<]*)</td>',
        table,
    )
    assert [(y, b, n, v, u) for y, b, n, _, v, u in rows] == [
        ("2019", "实际", "办件量", "多120000", "件"),
        ("2019", "目标", "群众满意率", "95", "%"),
    ]
    assert "全年办件量12万多件。" in table and "满意率目标95%。" in table
    assert "绩效指标" not in (site / "agencies" / "a2.html").read_text(encoding="utf-8")


def test_each_agency_page_shows_only_its_own_figures_and_reports(small_db, tmp_path):
    """Rows are read for all agencies at once and grouped: no figure, report or indicator
    of one agency may land on another's page (facts, marts and indicators alike)."""
    db, _ = small_db
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table marts.fct_spending_by_function (agency_id varchar, fiscal_year integer, "
            "basis varchar, scope varchar, class_level varchar, class_code varchar, "
            "class_name varchar, amount_wan_yuan decimal(24,6), document_id varchar, "
            "evidence varchar)"
        )
        con.execute(
            "insert into marts.fct_spending_by_function values "
            "('a1', 2018, 'budget', 'all', '类', '201', '一般公共服务支出', 80.25, 'd18@x', "
            "'甲的功能支出。'), "
            "('a2', 2019, 'budget', 'all', '类', '205', '教育支出', 5, 'e19@z', '乙的教育支出。')"
        )
        con.execute(PERFORMANCE_DDL)
        con.execute(
            "insert into marts.fct_performance values "
            "('d19@y', 'a1', 2019, 'actual', '办件量', '办件量', 12, '件', null, '甲的指标。'), "
            "('e19@z', 'a2', 2019, 'budget', '满意率', '满意率', 95, '%', null, '乙的指标。')"
        )
        con.execute(
            "insert into marts.fct_fiscal_facts values ('e19@z', 2, 'a2', 2019, 'three_public', "
            "'total', 'all', 'budget', 2019, 'amount', 1.5, 1.5, '三公经费', null, '乙的三公。')"
        )
    site, summary = _site(small_db, tmp_path)
    assert summary["agencies"] == 2
    a1 = (site / "agencies" / "a1.html").read_text(encoding="utf-8")
    a2 = (site / "agencies" / "a2.html").read_text(encoding="utf-8")
    own = {
        "a1": ["甲的功能支出。", "甲的指标。", "决算120万元。", "example.gov.cn/2018.pdf"],
        "a2": ["乙的教育支出。", "乙的指标。", "乙的三公。", "预算7万元。", "a2-budget-2019.txt"],
    }
    for mine, page, other in (("a1", a1, "a2"), ("a2", a2, "a1")):
        assert all(text in page for text in own[mine]), mine
        assert not any(text in page for text in own[other]), mine
    assert _bars(a1, "function") == [("2018 预算", "一般公共服务支出", "80.250000")]
    assert _bars(a2, "function") == [("2019 预算", "教育支出", "5.000000")]
    assert _bars(a2, "three_public") == [("2019 预算", "三公经费合计", "1.500000")]


def test_source_copy_is_the_fetched_version(small_db, tmp_path):
    """With the fetch cache at hand, sources/ links the fetched object of the document's sha256,
    not the catalog's file (whose ctime a link would change) nor its newer content."""
    from cnfiscal.fetch import object_path
    from cnfiscal.ingest import cache_root

    cache = tmp_path / "cache"
    fetched = object_path(cache_root(cache, "a2-budget-2019"), "cc")
    fetched.parent.mkdir(parents=True)
    fetched.write_text("某区财政局2019年部门预算", encoding="utf-8")

    (tmp_path / "seeds").mkdir()
    report = tmp_path / "seeds" / "e19.txt"
    report.write_text("某区财政局2019年部门预算（已改）", encoding="utf-8")  # changed since fetch
    ctime = report.stat().st_ctime_ns

    site, _ = _site(small_db, tmp_path, report=None, cache_dir=cache)
    copy = site / "sources" / "a2-budget-2019.txt"
    assert copy.read_text(encoding="utf-8") == "某区财政局2019年部门预算"
    assert report.stat().st_nlink == 1 and report.stat().st_ctime_ns == ctime


def _exports(small_db, tmp_path):
    db, manifest = small_db
    exports = tmp_path / "exports"
    export_marts(db, exports, manifest_path=manifest)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("sources: []\n", encoding="utf-8")
    return exports, catalog


def test_docs_still_being_generated_are_awaited_after_the_pages(small_db, tmp_path):
    """The site asset lets `dbt docs generate` run while the pages render: build_site takes a
    function for the docs folder and calls it once the pages are written."""
    exports, catalog = _exports(small_db, tmp_path)
    docs = tmp_path / "docs"
    pages_when_called: list[bool] = []

    def docs_ready():
        pending = list((tmp_path).glob(".site-*/agencies/*.html"))
        pages_when_called.append(bool(pending))
        docs.mkdir()
        for name in ("index.html", "manifest.json", "catalog.json"):
            (docs / name).write_text(f"dbt {name}", encoding="utf-8")
        return docs

    summary = build_site(exports, tmp_path / "site", catalog, docs_ready)
    assert pages_when_called == [True]
    assert summary["dbt_docs"] is True
    assert (tmp_path / "site" / "dbt-docs" / "catalog.json").read_text(
        "utf-8"
    ) == "dbt catalog.json"


def test_docs_that_fail_leave_the_previous_site_in_place(small_db, tmp_path):
    exports, catalog = _exports(small_db, tmp_path)
    build_site(exports, tmp_path / "site", catalog)
    before = (tmp_path / "site" / "index.html").read_bytes()

    def docs_failed():
        raise RuntimeError("dbt docs generate failed")

    with pytest.raises(RuntimeError, match="docs generate"):
        build_site(exports, tmp_path / "site", catalog, docs_failed)
    assert (tmp_path / "site" / "index.html").read_bytes() == before
    assert not list(tmp_path.glob(".site.tmp-*"))
