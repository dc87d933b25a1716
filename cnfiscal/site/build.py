"""The static site under warehouse/site/: downloads, data dictionary, one page per agency.

Reads only the published exports (datapackage.json and the Parquet files), so every number on
the site is one a reader can download. The downloads are hard links into site/downloads/ (a copy
where links are not possible), so `python -m http.server` in site/ serves everything.
"""

from __future__ import annotations

import json
import os
import shutil
from html import escape
from pathlib import Path

import duckdb

from cnfiscal.exports import read_sums, recover, swap_in
from cnfiscal.fetch import object_path
from cnfiscal.ingest import cache_root
from cnfiscal.site import pages
from cnfiscal.site.figures import CHARTS, MARTS, chart_figures, chart_rows

DBT_DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
# The exported tables the pages read; each is decoded once into memory.
SITE_TABLES = {"dim_agency", "dim_document", "fct_fiscal_facts", "fct_performance"} | {
    mart for mart, _ in MARTS.values()
}


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:  # another filesystem, or links not allowed
        shutil.copy2(src, dst)


def _load(con: duckdb.DuckDBPyConnection, exports_dir: Path, package: dict) -> set[str]:
    """An in-memory table per exported table the pages read, from its Parquet file(s).

    Returns the names of the loaded tables. Every page query then reads memory, not Parquet.
    """
    paths: dict[str, list[str]] = {}
    for r in package["resources"]:
        if r["format"] == "parquet" and r["table"] in SITE_TABLES:
            paths.setdefault(r["table"], []).append(str(exports_dir / r["path"]))
    for table, files in paths.items():
        hive = ", hive_partitioning = true" if len(files) > 1 or "=" in files[0] else ""
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet({files!r}{hive})")
    con.execute("CREATE VIEW facts AS SELECT * FROM fct_fiscal_facts")
    con.execute("CREATE VIEW docs AS SELECT * FROM dim_document")
    return set(paths)


def _source_href(doc: tuple, catalog_dir: Path | None, cache_dir: Path | None, out: Path) -> str:
    """URL as is; a local report is copied into sources/ so the link works offline.

    The copy is the fetched version the figures were read from (the fetch cache's object for
    the document's sha256) when the cache is at hand: the file at the location may have changed
    since, and linking the catalog's own file would touch its ctime, which the fetch cache reads
    as a possible change (and so re-reads every file the next night)."""
    source_id, location, sha256 = doc[1], doc[4], doc[6]
    if location.startswith(("http://", "https://")):
        return location
    path = Path(location.removeprefix("file://"))
    if catalog_dir and not path.is_absolute():
        path = catalog_dir / path
    fetched = object_path(cache_root(cache_dir, source_id), sha256) if cache_dir else None
    source = fetched if fetched is not None and fetched.is_file() else path
    if source.is_file():
        target = out / "sources" / f"{source_id}{path.suffix}"
        _link_or_copy(source, target)
        return f"../sources/{target.name}"
    return ""


def build_site(
    exports_dir: Path,
    site_dir: Path,
    catalog_path: Path | None = None,
    dbt_target_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> dict:
    """Write the whole site beside site_dir, then swap it in. Returns a summary."""
    package = json.loads((exports_dir / "datapackage.json").read_text(encoding="utf-8"))
    sums = read_sums(exports_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(site_dir)
    out = site_dir.parent / f".{site_dir.name}.tmp-{os.getpid()}"
    out.mkdir()
    try:
        for rel in [*sums, "SHA256SUMS"]:
            _link_or_copy(exports_dir / rel, out / "downloads" / rel)
        for name in DBT_DOCS_FILES if dbt_target_dir else ():
            if (dbt_target_dir / name).exists():
                (out / "dbt-docs").mkdir(exist_ok=True)
                shutil.copy2(dbt_target_dir / name, out / "dbt-docs" / name)
        summary = _write_pages(exports_dir, out, package, sums, catalog_path, cache_dir)
        summary["dbt_docs"] = (out / "dbt-docs" / "index.html").exists()
        swap_in(out, site_dir)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return summary


def _indicators(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every agency's performance indicators with the report each was read from, by agency."""
    rows = con.execute(
        "SELECT p.agency_id, p.fiscal_year, p.basis, "
        "coalesce(p.indicator_name, p.indicator_as_written), p.indicator_as_written, p.value, "
        "p.unit, p.qualifier, p.evidence, d.source_id, d.fiscal_year, d.doc_kind, d.location "
        "FROM fct_performance p JOIN dim_document d USING (document_id) "
        "ORDER BY p.fiscal_year, 4, p.basis"
    ).fetchall()
    return _by_agency(rows, keep_id=False)


def _by_agency(rows: list[tuple], keep_id: bool = True) -> dict[str, list[tuple]]:
    """Rows whose first column is the agency_id, grouped by it, each group in query order."""
    groups: dict[str, list[tuple]] = {}
    for r in rows:
        groups.setdefault(r[0], []).append(r if keep_id else r[1:])
    return groups


def _write_pages(exports_dir, out, package, sums, catalog_path, cache_dir) -> dict:
    catalog_dir = catalog_path.parent if catalog_path else None
    (out / "style.css").write_text(pages.CSS, encoding="utf-8")
    with duckdb.connect() as con:
        tables = _load(con, exports_dir, package)
        agencies = con.execute(
            "SELECT agency_id, agency_name, region, first_fiscal_year, last_fiscal_year, "
            "report_count FROM dim_agency ORDER BY region, agency_name"
        ).fetchall()
        docs = _by_agency(
            con.execute(
                "SELECT agency_id, source_id, fiscal_year, doc_kind, location, fetched_at, sha256 "
                "FROM dim_document ORDER BY fiscal_year, doc_kind"
            ).fetchall()
        )
        rows = {c: chart_rows(con, c, tables) for c in CHARTS}
        indicators = _indicators(con) if "fct_performance" in tables else {}
    pages.write(out / "index.html", "首页", pages.index_body(package, sums, agencies))
    pages.write(out / "dictionary.html", "数据字典", pages.dictionary_body(package))
    charts_drawn = 0
    for agency in agencies:
        aid = agency[0]
        reports = [(d, _source_href(d, catalog_dir, cache_dir, out)) for d in docs.get(aid, [])]
        figures = {c: chart_figures(rows[c].get(aid, []), c) for c in CHARTS}
        charts_drawn += sum(1 for f in figures.values() if f)
        hrefs = {d[1]: h for d, h in reports}
        body = pages.agency_body(agency, reports, figures, hrefs, indicators.get(aid, []))
        pages.write(out / "agencies" / f"{aid}.html", escape(agency[1]), body, depth=1)
    return {"agencies": len(agencies), "charts": charts_drawn, "downloads": len(sums)}
