"""Rewrite a DuckDB file without its free blocks.

DuckDB reuses the blocks that deleted rows and dropped tables leave, but never gives them back:
a file keeps its largest size. The fetch log's compaction (fetch_log.py) and the migration of
an older warehouse can leave most of a long-lived file free (a year of nights at 100,000
reports: 4.5 GB, 86 % free; 622 MB once rewritten), and the published copy is a byte copy of
the build file, free blocks included. `COPY FROM DATABASE` writes the same catalog and rows
into a new file, which is then renamed over the old one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cnfiscal.publish import file_identity


@dataclass
class Compacted:
    path: Path
    bytes_before: int
    bytes_after: int


def compact_build(path: Path) -> Compacted:
    """Compact the build file, holding its write lock throughout: a run that starts meanwhile
    cannot open it (and says so), and none can be writing when the copy is taken."""
    before = path.stat().st_size
    tmp = _tmp_path(path)
    with duckdb.connect(str(path)) as con:
        con.execute("CHECKPOINT")
        _copy_into(con, tmp)
        os.replace(tmp, path)  # the old file's lock is still held here
    return Compacted(path, before, path.stat().st_size)


def compact_published(path: Path) -> Compacted:
    """Compact a published copy, which only the publish step writes, always by renaming a whole
    new file over it: read it read-only (analysts may be reading it too), and swap the
    compacted file in only if the published one is still the one read."""
    before = file_identity(path)
    tmp = _tmp_path(path)
    with duckdb.connect() as con:
        # under its own name: the views it holds name their catalog (the file's stem)
        con.execute(f"ATTACH '{path}' AS \"{path.stem}\" (READ_ONLY)")
        con.execute(f'USE "{path.stem}"')
        _copy_into(con, tmp)
    if file_identity(path) != before:
        tmp.unlink()
        raise RuntimeError(f"{path} was published again while it was being compacted; not swapped")
    os.chmod(tmp, 0o644)  # analysts read it
    os.replace(tmp, path)
    return Compacted(path, before[2], path.stat().st_size)


def _tmp_path(path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.compact-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    return tmp


def _copy_into(con: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    (source,) = con.execute("SELECT current_database()").fetchone()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"ATTACH '{tmp}' AS compacted")
    try:
        con.execute(f'COPY FROM DATABASE "{source}" TO compacted')
        con.execute("DETACH compacted")
    except BaseException:
        con.execute("DETACH DATABASE IF EXISTS compacted")
        tmp.unlink(missing_ok=True)
        raise
