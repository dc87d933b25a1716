"""The static site under warehouse/site/: downloads, data dictionary, one page per agency.

Reads only the published exports (datapackage.json and the Parquet files), so every number on
the site is one a reader can download. The downloads are hard links into site/downloads/ (a copy
where links are not possible), so `python -m http.server` in site/ serves everything.

Incremental: site/.build-manifest.json records, per agency page, a digest of everything the page
is made from (its agency row, reports and their links, chart rows and indicators, and the code
that renders them). A page whose digest matches the previous site's is hard-linked from there
instead of rendered and written again; on a night when few agencies changed that is most of the
cost. The result is the same tree a full build writes, manifest included.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from html import escape
from pathlib import Path

import duckdb

from cnfiscal import model
from cnfiscal.exports import read_sums, recover, swap_in
from cnfiscal.fetch import object_path
from cnfiscal.ingest import cache_root
from cnfiscal.site import charts, figures, pages
from cnfiscal.site.figures import CHARTS, MARTS, chart_figures, chart_rows

DBT_DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
# The exported tables the pages read; each is decoded once into memory.
SITE_TABLES = {"dim_agency", "dim_document", "fct_fiscal_facts", "fct_performance"} | {
    mart for mart, _ in MARTS.values()
}
MANIFEST = ".build-manifest.json"
# Everything that turns an agency's rows into its page (format_decimal lives in model).
RENDER_MODULES = (model, charts, figures, pages, sys.modules[__name__])


def _link_or_copy(src: Path, dst: Path) -> None:
    """dst as a hard link to src (a copy where links are not possible).

    An existing dst is replaced, never written into: it may be a link to another file (an
    earlier site's page, a fetch cache object), and copying over it would change that file."""
    try:
        os.link(src, dst)
    except FileNotFoundError:
        if dst.parent.is_dir():
            raise  # src is missing
        dst.parent.mkdir(parents=True)
        _link_or_copy(src, dst)
    except FileExistsError:
        dst.unlink()
        _link_or_copy(src, dst)
    except OSError:  # another filesystem, or links not allowed
        shutil.copy2(src, dst)


def _canon(value):
    """A value whose repr does not depend on the process (sets are ordered by string hashes,
    which are salted per process)."""
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_canon(v)) for v in value)
    if isinstance(value, dict):
        return [(_canon(k), _canon(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [_canon(v) for v in value]
    return value


def render_version() -> str:
    """Digest of the code and templates the agency pages come from: any change to it renders
    every page again. The module sources cover code changes; their upper-case constants (CSS,
    titles, palette, SQL) are added as loaded, so a change made at run time counts too."""
    h = hashlib.sha256(sys.version.encode())
    for mod in RENDER_MODULES:
        h.update(Path(mod.__file__).read_bytes())
        consts = sorted(
            (k, _canon(v))
            for k, v in vars(mod).items()
            if k.isupper() and k != "RENDER_MODULES" and not callable(v)
        )
        h.update(repr(consts).encode())
    return h.hexdigest()


def _previous_pages(site_dir: Path, version: str) -> dict[str, list]:
    """The previous site's {agency_id: [input digest, charts drawn]}, if made by this code."""
    try:
        manifest = json.loads((site_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no previous site, or one from before the manifest
    return manifest.get("pages", {}) if manifest.get("version") == version else {}


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
    dbt_target_dir: Path | Callable[[], Path | None] | None = None,
    cache_dir: Path | None = None,
) -> dict:
    """Write the whole site beside site_dir, then swap it in. Returns a summary.

    `dbt_target_dir` holds dbt's docs files, or is a function that returns that folder once it
    is ready: it is called after the pages are written, so `dbt docs generate` can run in its
    own process while this one renders."""
    package = json.loads((exports_dir / "datapackage.json").read_text(encoding="utf-8"))
    sums = read_sums(exports_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(site_dir)
    out = site_dir.parent / f".{site_dir.name}.tmp-{os.getpid()}"
    out.mkdir()
    try:
        for rel in [*sums, "SHA256SUMS"]:
            _link_or_copy(exports_dir / rel, out / "downloads" / rel)
        summary = _write_pages(exports_dir, out, package, sums, catalog_path, cache_dir, site_dir)
        docs = dbt_target_dir() if callable(dbt_target_dir) else dbt_target_dir
        for name in DBT_DOCS_FILES if docs else ():
            if (docs / name).exists():
                (out / "dbt-docs").mkdir(exist_ok=True)
                shutil.copy2(docs / name, out / "dbt-docs" / name)
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
        "ORDER BY 2, 4, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13"  # a total order: builds agree
    ).fetchall()
    return _by_agency(rows, keep_id=False)


def _by_agency(rows: list[tuple], keep_id: bool = True) -> dict[str, list[tuple]]:
    """Rows whose first column is the agency_id, grouped by it, each group in query order."""
    groups: dict[str, list[tuple]] = {}
    for r in rows:
        groups.setdefault(r[0], []).append(r if keep_id else r[1:])
    return groups


def _write_pages(exports_dir, out, package, sums, catalog_path, cache_dir, site_dir) -> dict:
    catalog_dir = catalog_path.parent if catalog_path else None
    version = render_version()
    previous = _previous_pages(site_dir, version)
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
                "FROM dim_document ORDER BY fiscal_year, doc_kind, source_id, sha256"
            ).fetchall()
        )
        rows = {c: chart_rows(con, c, tables) for c in CHARTS}
        indicators = _indicators(con) if "fct_performance" in tables else {}
    pages.write(out / "index.html", "首页", pages.index_body(package, sums, agencies))
    pages.write(out / "dictionary.html", "数据字典", pages.dictionary_body(package))
    built: dict[str, list] = {}
    charts_drawn = 0
    new_pages, old_pages = out / "agencies", site_dir / "agencies"
    for agency in agencies:
        aid = agency[0]
        # the sources are linked for every page: a report's href depends on its file being there
        reports = [(d, _source_href(d, catalog_dir, cache_dir, out)) for d in docs.get(aid, [])]
        chart_input = [rows[c].get(aid, []) for c in CHARTS]
        own_indicators = indicators.get(aid, [])
        # repr, not str: it tells 1 from '1' and shows a Decimal's scale and a datetime's zone
        digest = hashlib.sha256(
            repr((agency, reports, chart_input, own_indicators)).encode()
        ).hexdigest()
        page = new_pages / f"{aid}.html"
        if aid in built:
            page.unlink()  # a repeated agency_id: the last row's page, as written over before
        before = previous.get(aid)
        if before and before[0] == digest and _reuse(old_pages / page.name, page):
            drawn = before[1]
        else:
            figs = {c: chart_figures(r, c) for c, r in zip(CHARTS, chart_input, strict=True)}
            drawn = sum(1 for f in figs.values() if f)
            hrefs = {d[1]: h for d, h in reports}
            body = pages.agency_body(agency, reports, figs, hrefs, own_indicators)
            pages.write(page, escape(agency[1]), body, depth=1)
        built[aid] = [digest, drawn]
        charts_drawn += drawn
    # last: the manifest describes the pages beside it, so it goes in once they are all there
    (out / MANIFEST).write_text(
        json.dumps({"version": version, "pages": built}, sort_keys=True), encoding="utf-8"
    )
    return {"agencies": len(agencies), "charts": charts_drawn, "downloads": len(sums)}


def _reuse(old: Path, page: Path) -> bool:
    """The previous site's page at `page` (a hard link, so nothing is written); False if the
    previous site has no such file."""
    try:
        _link_or_copy(old, page)
    except FileNotFoundError:
        return False
    return True
