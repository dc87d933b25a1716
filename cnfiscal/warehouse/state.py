"""What the published copy was built from, so a run can tell whether rebuilding would change it.

The fingerprint covers the raw inputs (which report versions are current, parsed by which
parser version) and the code that turns raw into marts, checks and exports. If both match the
published copy's, dbt / checks / exports / publish would reproduce the same file, so a nightly
run with nothing new skips them. Comparing with the *published* copy (not the last run) means a
run that died after parsing still rebuilds and publishes next time.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from pathlib import Path

import duckdb

from cnfiscal.settings import REPO_ROOT

# Everything downstream of raw whose change must trigger a rebuild.
TRANSFORM_GLOBS = [
    ("dbt_project", "**/*.sql"),
    ("dbt_project", "**/*.yml"),
    ("dbt_project", "**/*.csv"),
    ("cnfiscal/vocab", "*.csv"),
    ("expectations", "*.json"),
    ("cnfiscal/quality", "*.py"),
    ("cnfiscal", "exports.py"),
    ("cnfiscal", "publish.py"),
    ("cnfiscal/warehouse", "lake.py"),
]


# dbt's own output and packages, not the project's code; .user.yml is the anonymous id dbt
# writes on its first run in a checkout (so a fresh checkout's first night is not a rebuild).
SKIPPED_DIRS = {"target", "dbt_packages", "logs"}
SKIPPED_FILES = {".user.yml"}


def transform_fingerprint(root: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256()
    for folder, pattern in TRANSFORM_GLOBS:
        for path in _matching(root / folder, pattern):
            rel = path.relative_to(root)
            if SKIPPED_DIRS & set(rel.parts) or rel.name in SKIPPED_FILES:
                continue
            digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _matching(folder: Path, pattern: str) -> list[Path]:
    """sorted(folder.glob(pattern)), but a recursive pattern does not walk into SKIPPED_DIRS:
    dbt's target/ holds some 2,000 compiled files, and this runs a few times a night."""
    if not pattern.startswith("**/"):
        return sorted(folder.glob(pattern))
    name = pattern.removeprefix("**/")
    found = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        found += [Path(top, f) for f in files if fnmatch.fnmatchcase(f, name)]
    return sorted(found)


def raw_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    # Status is left out: a quality gate may set it after this is computed.
    row = con.execute(
        "SELECT count(*), coalesce(md5(string_agg(document_id || '|' || parser_version, ','"
        " ORDER BY document_id)), '') FROM raw.documents WHERE is_current"
    ).fetchall()[0]
    return f"{row[0]}:{row[1][:16]}"


def build_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return f"{raw_fingerprint(con)}/{transform_fingerprint()}"


def record_build_state(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Stamp the build file just before it is copied out as the published one."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE OR REPLACE TABLE meta.build_state AS "
        "SELECT ?::VARCHAR AS fingerprint, now() AS published_at",
        [fingerprint],
    )


def published_fingerprint(published_db: Path) -> str | None:
    """The published copy's stamp; None if there is none or it cannot be read (→ rebuild)."""
    if not published_db.exists():
        return None
    try:
        with duckdb.connect(str(published_db), read_only=True) as con:
            rows = con.execute("SELECT fingerprint FROM meta.build_state").fetchall()
    except duckdb.Error:
        return None
    return rows[0][0] if rows else None


def needs_full_refresh(build_db: Path) -> bool:
    """Whether the incremental marts must be rebuilt from scratch: the transform code (dbt
    models, vocabulary, checks) differs from the one the build file was last published with,
    or there is no such stamp. Incremental runs replace only changed reports' rows, so rows
    built by other code would otherwise stay."""
    stamp = published_fingerprint(build_db)
    return stamp is None or stamp.rpartition("/")[2] != transform_fingerprint()
