"""The local reports behind the pages' 原文 links: sources/<source_id><suffix> in the site, a hard
link (a copy where links are not possible) to the version the figures were read from.

That version is the fetch cache's object for the document's sha256 when the cache is at hand:
the file at the location may have changed since, and linking the catalog's own file would touch
its ctime, which the fetch cache reads as a possible change (and so re-reads every file the next
night). Without the object, the file at the location; a report with neither gets no link.

A night looks at the file system only for reports it cannot vouch for: a report the tree's
record (manifest.SOURCES) shows linked to its fetched object, under the same source, sha256,
path and cache, keeps its file unlooked-at; objects are named by their content and the fetch
cache never deletes one. Every other report (new, changed, linked to a catalog file, or without
a file last time) is stat'ed: whether its file is there decides its link, as in a full build,
and a catalog file is linked again when its identity (inode, size, mtime) changed.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import duckdb
import pyarrow as pa

from cnfiscal.catalog import batch_of
from cnfiscal.fetch.cache import object_name
from cnfiscal.ingest import cache_root

SOURCES = "sources"

# The reports listed on some page whose location is a file: the path it names (file:// dropped,
# relative to the catalog's folder, trailing slashes dropped as pathlib does), the name of its
# copy (<source_id> and the path's suffix as pathlib reads it: from the last dot of the last
# part, that dot neither its first nor its last character), and the key the tree's record
# knows it by.
_LOCAL_SQL = r"""
CREATE OR REPLACE TEMP TABLE local_docs AS
SELECT document_id, source_id, sha256, path,
       source_id || regexp_extract(path, '[^/](\.[^./]+)$', 1) AS name,
       hash(source_id, sha256, path, $cache) AS key
FROM (
  SELECT document_id, source_id, sha256,
         coalesce(nullif(rtrim(CASE WHEN $base IS NOT NULL AND NOT starts_with(p, '/')
                                    THEN $base || '/' || p ELSE p END, '/'), ''), '/') AS path
  FROM (
    SELECT document_id, source_id, sha256,
           CASE WHEN starts_with(location, 'file://') THEN location[8:] ELSE location END AS p
    FROM docs
    WHERE agency_id IN (SELECT agency_id FROM dim_agency)
      AND NOT (starts_with(location, 'http://') OR starts_with(location, 'https://'))
  )
)
"""
# Each report's link: the URL as is, its copy in sources/, or none.
HREF_SQL = f"""
CASE WHEN starts_with(location, 'http://') OR starts_with(location, 'https://') THEN location
     WHEN f.name IS NOT NULL THEN '../{SOURCES}/' || f.name ELSE '' END
"""
_CHECKED = {
    "document_id": pa.string(),
    "src": pa.string(),
    "object": pa.bool_(),
    "ino": pa.uint64(),
    "dev": pa.uint64(),
    "size": pa.int64(),
    "mtime_ns": pa.int64(),
}


def _regular(path: str) -> os.stat_result | None:
    """The file's stat if it is a regular file (as Path.is_file: missing, or anything else
    in the way, is no file)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _varchar(value: Path | None) -> str:
    if value is None:
        return "NULL::VARCHAR"
    return "'" + str(value).replace("'", "''") + "'::VARCHAR"


def find(con: duckdb.DuckDBPyConnection, catalog_dir: Path | None, cache_dir: Path | None) -> int:
    """Tables source_files(document_id, name), the reports with a file to link and its name in
    sources/ (dim_document is keyed on document_id), and source_want: one row per file
    sources/ must hold, with its record and, where it must be linked again, `src`. Reads the
    tree's record from table tree_sources (manifest.read). Returns how many reports were
    stat'ed."""
    # as constants, not parameters: DuckDB folds them then (0.07 s against 0.16-0.2 s at
    # 100,000 reports); typed, so the keys hash as with VARCHAR parameters
    con.execute(
        _LOCAL_SQL.replace("$base", _varchar(catalog_dir)).replace("$cache", _varchar(cache_dir))
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE vouched AS SELECT d.document_id, d.name, d.key "
        "FROM local_docs d JOIN tree_sources m ON m.name = d.name AND m.key = d.key "
        "WHERE m.object AND NOT m.dirty"
    )
    rows = con.execute(
        "SELECT document_id, source_id, sha256, path FROM local_docs "
        "WHERE document_id NOT IN (SELECT document_id FROM vouched)"
    ).fetchall()
    checked: dict[str, list] = {c: [] for c in _CHECKED}
    roots: dict[str, str] = {}  # batch -> its cache root
    for document_id, source_id, sha256, path in rows:
        st, src, is_object = None, path, False
        if cache_dir is not None and sha256:
            batch = batch_of(source_id)
            root = roots.get(batch)
            if root is None:
                root = roots[batch] = str(cache_root(cache_dir, source_id))
            src = f"{root}/{object_name(sha256)}"
            st = _regular(src)
            is_object = st is not None
        if st is None:
            src = path
            st = _regular(path)
        if st is not None:
            for column, value in zip(
                _CHECKED,
                (document_id, src, is_object, st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns),
                strict=True,
            ):
                checked[column].append(value)
    con.register("checked", pa.table({c: pa.array(v, _CHECKED[c]) for c, v in checked.items()}))
    con.execute(
        """CREATE OR REPLACE TEMP TABLE source_want AS
        SELECT d.name, d.key, c.object,
               CASE WHEN NOT c.object THEN c.ino END AS ino,
               CASE WHEN NOT c.object THEN c.dev END AS dev,
               CASE WHEN NOT c.object THEN c.size END AS size,
               CASE WHEN NOT c.object THEN c.mtime_ns END AS mtime_ns,
               c.src, d.document_id
        FROM local_docs d JOIN checked c USING (document_id)
        UNION ALL
        SELECT name, key, true, NULL, NULL, NULL, NULL, NULL, document_id FROM vouched"""
    )
    con.unregister("checked")
    # two reports of one source (not in dim_document, keyed on source_id too): the last wins
    con.execute(
        "CREATE OR REPLACE TEMP TABLE source_files AS SELECT document_id, name FROM source_want"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE source_want AS SELECT * FROM source_want "
        "QUALIFY row_number() OVER (PARTITION BY name ORDER BY document_id DESC) = 1"
    )
    return len(rows)


def changes() -> str:
    """A query of the tree's sources/ files to link again (name, src) and to remove (name,
    NULL): those whose record differs from what is wanted, or is dirty, or is wanted no more."""
    return """
    SELECT w.name, w.src FROM source_want w LEFT JOIN tree_sources m USING (name)
    WHERE w.src IS NOT NULL AND (m.name IS NULL OR m.dirty
          OR (m.key, m.object, m.ino, m.dev, m.size, m.mtime_ns)
             IS DISTINCT FROM (w.key, w.object, w.ino, w.dev, w.size, w.mtime_ns))
    UNION ALL
    SELECT name, NULL FROM tree_sources WHERE name NOT IN (SELECT name FROM source_want)
    """


def record() -> str:
    """The query of the tree's new record (manifest.SOURCES columns)."""
    return "SELECT * FROM source_want"


def apply(tree: Path, changed: list[tuple[str, str | None]]) -> int:
    """Link (or copy) and remove the files `changes()` named; returns how many were linked."""
    folder = tree / SOURCES
    folder.mkdir(exist_ok=True)
    linked = 0
    for name, src in changed:
        target = folder / name
        if src is None:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        else:
            link_or_copy(src, target)
            linked += 1
    return linked


def link_or_copy(src: str | Path, dst: str | Path) -> None:
    """dst as a hard link to src (a copy where links are not possible).

    An existing dst is replaced, never written into: it may be a link to another file (the
    other site tree's page, a fetch cache object), and copying over it would change that file."""
    try:
        os.link(src, dst)
    except FileNotFoundError:
        parent = os.path.dirname(dst)
        if os.path.isdir(parent):
            raise  # src is missing
        os.makedirs(parent)
        link_or_copy(src, dst)
    except FileExistsError:
        os.unlink(dst)
        link_or_copy(src, dst)
    except OSError:  # another filesystem, or links not allowed
        shutil.copy2(src, dst)
