"""Publishing the analysts' copy of the warehouse.

The copy is written beside its destination first and swapped in with os.replace, so a run
that dies half-way leaves the previous published file whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb


def publish_database(build_db: Path, published_db: Path) -> Path:
    """Copy the build file over the published one atomically (after a checkpoint)."""
    with duckdb.connect(str(build_db)) as con:
        con.execute("CHECKPOINT")
    published_db.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=published_db.parent, prefix=".publish-", suffix=".duckdb")
    os.close(fd)
    try:
        shutil.copyfile(build_db, tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; analysts must be able to read it
        os.replace(tmp, published_db)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return published_db
