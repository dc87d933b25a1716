"""The static site under warehouse/site/: downloads, data dictionary, one page per agency.

Reads only the published exports (datapackage.json and the Parquet files), so every number on
the site is one a reader can download. The downloads are hard links into site/downloads/ (a copy
where links are not possible), so `python -m http.server` in site/ serves everything.

Incremental: site_dir is a link to one of two whole trees (slots.py); a build updates the other
one in place and swaps the link. Each tree's .build-manifest.csv records, per agency page, a
digest of everything the page is made from (inputs.py: computed in DuckDB) and its chart count.
A page whose digest matches is kept as it is in the tree being built, or hard-linked from the
served tree; only the others are rendered. Files no page needs any more are removed, the local
reports in sources/ are linked only where their file changed, and the small files (index,
dictionary, downloads, dbt docs) are written anew. The result is the same tree a full build
writes, manifest included.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from hashlib import sha256
from html import escape
from pathlib import Path

import duckdb
import pyarrow as pa

from cnfiscal import model
from cnfiscal.exports import read_sums
from cnfiscal.site import charts, figures, inputs, manifest, pages, slots, sources
from cnfiscal.site.figures import CHARTS, chart_figures
from cnfiscal.site.inputs import AGENCY_COLUMNS, AGENCY_ORDER, SITE_TABLES  # noqa: F401

DBT_DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
MANIFEST = manifest.PAGES
AGENCIES = "agencies"
# Everything that turns an agency's rows into its page (format_decimal lives in model).
RENDER_MODULES = (model, charts, figures, inputs, pages, sources, sys.modules[__name__])


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
    h = sha256(sys.version.encode())
    for mod in RENDER_MODULES:
        h.update(Path(mod.__file__).read_bytes())
        consts = sorted(
            (k, _canon(v))
            for k, v in vars(mod).items()
            if k.isupper() and k != "RENDER_MODULES" and not callable(v)
        )
        h.update(repr(consts).encode())
    return h.hexdigest()


def read_package(path: Path) -> dict:
    """The descriptor's resources and licenses, all the site reads of it. Its `sources` list
    (one entry per report: most of the 24 MB at 100,000 reports) is not decoded: exports.py
    writes the descriptor with indent=1, so a top-level key is the only place a line starts
    with one space and a quote (strings hold no raw newlines). Any other layout is read whole."""
    data = path.read_bytes()
    decoder = json.JSONDecoder()
    out = {}
    for key in ("resources", "licenses"):
        start = data.find(f'\n "{key}": '.encode())
        if start < 0:
            return json.loads(data)
        end = data.find(b'\n "', start + 1)
        text = data[start : end if end > 0 else len(data)].decode("utf-8")
        out[key] = decoder.raw_decode(text, len(key) + 6)[0]
    return out


def build_site(
    exports_dir: Path,
    site_dir: Path,
    catalog_path: Path | None = None,
    dbt_target_dir: Path | Callable[[], Path | None] | None = None,
    cache_dir: Path | None = None,
) -> dict:
    """Bring the spare tree up to date, then point site_dir at it. Returns a summary.

    `dbt_target_dir` holds dbt's docs files, or is a function that returns that folder once it
    is ready: it is called after the pages are written, so `dbt docs generate` can run in its
    own process while this one renders."""
    package = read_package(exports_dir / "datapackage.json")
    sums = read_sums(exports_dir)
    with slots.locked(site_dir):
        slots.recover(site_dir)
        live, tree = slots.trees(site_dir)
        tree.mkdir(exist_ok=True)
        catalog_dir = catalog_path.parent if catalog_path else None
        with duckdb.connect() as con:
            summary = _update_tree(
                con, exports_dir, package, sums, tree, live, catalog_dir, cache_dir
            )
        docs = dbt_target_dir() if callable(dbt_target_dir) else dbt_target_dir
        shutil.rmtree(tree / "dbt-docs", ignore_errors=True)
        for name in DBT_DOCS_FILES if docs else ():
            if (docs / name).exists():
                (tree / "dbt-docs").mkdir(exist_ok=True)
                shutil.copy2(docs / name, tree / "dbt-docs" / name)
        summary["dbt_docs"] = (tree / "dbt-docs" / "index.html").exists()
        slots.publish(tree, site_dir)
    return summary


def _update_tree(con, exports_dir, package, sums, tree, live, catalog_dir, cache_dir) -> dict:
    records = manifest.read(con, "tree", tree)
    manifest.read(con, "live", live, sources=False)  # only its pages are linked from
    tables = inputs.load(con, exports_dir, package)
    checked = sources.find(con, catalog_dir, cache_dir)
    inputs.build_page_tables(con, tables)
    inputs.compute_digests(con, inputs.input_version(con, render_version()))
    plan = _plan_pages(con, tree)
    con.execute(f"CREATE TEMP TABLE source_changes AS {sources.changes()}")
    changed = con.execute("SELECT name, src FROM source_changes ORDER BY name").fetchall()
    pages_touched = bool(plan["link"] or plan["render"] or plan["remove"])
    if pages_touched or changed:  # a crash from here on leaves these unknown: made again next
        manifest.begin(
            con,
            tree,
            f"SELECT '{manifest.PAGE}' AS kind, agency_id AS name FROM page_plan "
            f"WHERE action <> 'keep' UNION ALL SELECT '{manifest.PAGE}', name "
            f"FROM page_removals UNION ALL SELECT '{manifest.SOURCE}', name FROM source_changes",
        )
    pages_dir = tree / AGENCIES
    pages_dir.mkdir(exist_ok=True)
    for name in plan["remove"]:
        _remove(pages_dir / name)
    linked_pages = 0
    for aid in plan["link"]:
        if live is None or not _reuse(live / AGENCIES / f"{aid}.html", pages_dir / f"{aid}.html"):
            plan["render"].append(aid)  # the served tree lost it: made again
        else:
            linked_pages += 1
    charts_of = {
        aid: _render(rows, pages_dir / f"{aid}.html")
        for aid, rows in inputs.page_rows(con, plan["render"], tables).items()
    }
    con.register(
        "rendered",
        pa.table(
            {
                "agency_id": pa.array(list(charts_of), pa.string()),
                "charts": pa.array(list(charts_of.values()), pa.int32()),
            }
        ),
    )
    con.execute(
        "UPDATE page_plan SET charts = r.charts FROM rendered r "
        "WHERE page_plan.agency_id = r.agency_id"
    )
    con.unregister("rendered")
    linked = sources.apply(tree, changed)
    _write_small_files(con, exports_dir, package, sums, tree)
    # once pages and sources are all there: the records describe them (written when they
    # changed, or were not there to read: an empty tree's record is an empty file)
    write_pages = pages_touched or manifest.PAGES not in records
    write_sources = bool(changed) or manifest.SOURCES not in records
    if write_pages or write_sources:
        manifest.commit(
            con,
            tree,
            "SELECT * FROM page_plan" if write_pages else None,
            sources.record() if write_sources else None,
        )
    drawn = con.execute("SELECT coalesce(sum(charts), 0) FROM page_plan").fetchone()[0]
    agencies = con.execute("SELECT count(*) FROM dim_agency").fetchone()[0]
    return {
        "agencies": agencies,
        "charts": int(drawn),
        "downloads": len(sums),
        "rendered": len(charts_of),
        "pages_linked": linked_pages,  # from the served tree
        "sources_checked": checked,
        "sources_linked": linked,
    }


def _plan_pages(con, tree: Path) -> dict[str, list[str]]:
    """Table page_plan(agency_id, digest, action, charts) and the agency ids per action: keep
    (the tree's page is right), link (the served tree's is), render; and `remove`, the file
    names in the tree's agencies/ that no page needs (pages of agencies gone, a crash's
    leftovers; table page_removals)."""
    folder = tree / AGENCIES
    names = [e.name for e in os.scandir(folder)] if folder.is_dir() else []
    con.register("tree_files", pa.table({"name": pa.array(names, pa.string())}))
    con.execute(
        """CREATE TEMP TABLE page_plan AS
        SELECT n.agency_id, n.digest,
          CASE WHEN t.digest = n.digest AND NOT t.dirty AND f.name IS NOT NULL THEN 'keep'
               WHEN l.digest = n.digest AND NOT l.dirty THEN 'link' ELSE 'render' END AS action,
          CASE WHEN t.digest = n.digest AND NOT t.dirty AND f.name IS NOT NULL THEN t.charts
               WHEN l.digest = n.digest AND NOT l.dirty THEN l.charts END AS charts
        FROM page_digest n
        LEFT JOIN tree_pages t USING (agency_id)
        LEFT JOIN tree_files f ON f.name = n.agency_id || '.html'
        LEFT JOIN live_pages l USING (agency_id)"""
    )
    con.execute(
        "CREATE TEMP TABLE page_removals AS SELECT name FROM ("
        "SELECT name FROM tree_files UNION SELECT agency_id || '.html' FROM tree_pages) "
        "WHERE name NOT IN (SELECT agency_id || '.html' FROM page_digest)"
    )
    con.unregister("tree_files")
    out: dict[str, list[str]] = {"link": [], "render": []}
    for aid, action in con.execute(
        "SELECT agency_id, action FROM page_plan WHERE action <> 'keep' ORDER BY agency_id"
    ).fetchall():
        out[action].append(aid)
    out["remove"] = [
        r[0] for r in con.execute("SELECT name FROM page_removals ORDER BY 1").fetchall()
    ]
    return out


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _reuse(old: Path, page: Path) -> bool:
    """The served tree's page at `page` (a hard link, so nothing is written); False if the
    served tree has no such file."""
    try:
        sources.link_or_copy(old, page)
    except FileNotFoundError:
        return False
    return True


def _render(rows: dict, page: Path) -> int:
    """Write one agency's page; returns the number of charts drawn."""
    figs = {c: chart_figures(rows["charts"][c], c) for c in CHARTS}
    hrefs = {d[1]: h for d, h in rows["docs"]}
    agency = rows["agency"]
    body = pages.agency_body(agency, rows["docs"], figs, hrefs, rows["indicators"])
    page.unlink(missing_ok=True)  # it may be a link to the served tree's page: never write into it
    pages.write(page, escape(agency[1]), body, depth=1)
    return sum(1 for f in figs.values() if f)


def _write_small_files(con, exports_dir, package, sums, tree: Path) -> None:
    """Downloads, style, index and dictionary: written anew each night (never into a file that
    may be linked from the other tree)."""
    shutil.rmtree(tree / "downloads", ignore_errors=True)
    for rel in [*sums, "SHA256SUMS"]:
        sources.link_or_copy(exports_dir / rel, tree / "downloads" / rel)
    agencies = con.execute(
        f"SELECT coalesce(string_agg({pages.AGENCY_ROW_SQL}, '' ORDER BY {AGENCY_ORDER}), '') "
        "FROM dim_agency"
    ).fetchone()[0]
    for name, write in (
        ("style.css", lambda p: p.write_text(pages.CSS, encoding="utf-8")),
        ("index.html", lambda p: pages.write(p, "首页", pages.index_body(package, sums, agencies))),
        ("dictionary.html", lambda p: pages.write(p, "数据字典", pages.dictionary_body(package))),
    ):
        (tree / name).unlink(missing_ok=True)
        write(tree / name)
