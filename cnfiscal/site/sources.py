"""The local reports behind the pages' 原文 links: sources/<source_id><suffix> in the site, a hard
link (a copy where links are not possible) to the version the figures were read from.

That version is the fetch cache's object for the document's sha256 when the cache is at hand:
the file at the location may have changed since, and linking the catalog's own file would touch
its ctime, which the fetch cache reads as a possible change (and so re-reads every file the next
night). Without the object, the file at the location; a report with neither gets no link.

The paths are made in DuckDB and only stat'ed here, with plain strings, not pathlib: this runs
for every report every night.
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


def _regular(path: str) -> os.stat_result | None:
    """The file's stat if it is a regular file (as Path.is_file: missing, or anything else
    in the way, is no file)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


# The reports listed on some page whose location is a file: the path it names (file:// dropped,
# relative to the catalog's folder, trailing slashes dropped as pathlib does) and the name of
# its copy: <source_id> and the path's suffix as pathlib reads it (from the last dot of the last
# part, that dot neither its first nor its last character).
_LOCAL_SQL = r"""
CREATE OR REPLACE TEMP TABLE local_docs AS
SELECT document_id, source_id, sha256, path,
       source_id || regexp_extract(path, '[^/](\.[^./]+)$', 1) AS name
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


def find(
    con: duckdb.DuckDBPyConnection, catalog_dir: Path | None, cache_dir: Path | None
) -> dict[str, tuple[str, os.stat_result]]:
    """Table source_files(document_id, name): the reports that have a file to link, and its
    name in sources/ (dim_document is keyed on document_id). Returns the files sources/ must
    hold, {name: (path of the file to link, its stat)}. One stat per report (two without its
    fetched object): whether the file is there decides the link, as in a full build."""
    con.execute(_LOCAL_SQL, {"base": str(catalog_dir) if catalog_dir else None})
    rows = con.execute("SELECT source_id, sha256, path, name FROM local_docs").fetchall()
    roots: dict[str, str] = {}  # batch -> its cache root
    found: list[bool] = []
    files: dict[str, tuple[str, os.stat_result]] = {}
    for source_id, sha256, path, name in rows:
        st = None
        if cache_dir is not None and sha256:
            batch = batch_of(source_id)
            root = roots.get(batch)
            if root is None:
                root = roots[batch] = str(cache_root(cache_dir, source_id))
            src = f"{root}/{object_name(sha256)}"
            st = _regular(src)
        if st is None:
            st = _regular(path)
            src = path
        if st is None:
            found.append(False)
        else:
            found.append(True)
            files[name] = (src, st)
    con.register("found", pa.table({"found": pa.array(found, pa.bool_())}))
    con.execute(
        "CREATE TEMP TABLE source_files AS SELECT document_id, name "
        "FROM local_docs POSITIONAL JOIN found WHERE found"
    )
    con.unregister("found")
    return files


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


def sync(tree: Path, files: dict[str, tuple[str, os.stat_result]]) -> int:
    """Make tree/sources hold exactly `files`, touching only what differs: a file already linked
    to its source (same inode; for copies, same size and mtime) stays. Returns how many files
    were linked or copied."""
    folder = tree / SOURCES
    folder.mkdir(exist_ok=True)
    here = os.stat(folder).st_dev
    with os.scandir(folder) as entries:
        have = {e.name: e.inode() for e in entries}
    for name in have.keys() - files.keys():
        target = folder / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    linked = 0
    for name, (src, st) in files.items():
        inode = have.get(name)
        if inode is not None:
            if st.st_dev == here and inode == st.st_ino:
                continue
            if st.st_dev != here:  # a copy of a file on another filesystem
                mine = _regular(f"{folder}/{name}")
                if mine and (mine.st_size, mine.st_mtime_ns) == (st.st_size, st.st_mtime_ns):
                    continue
        link_or_copy(src, f"{folder}/{name}")
        linked += 1
    return linked
