"""The two ingest steps the pipeline runs before dbt, as plain functions.

1. `fetch_sources`: fetch every catalog entry (with the HTTP cache), keep each version's bytes in
   a content-addressed folder, and record how each fetch went.
2. `parse_sources`: parse the versions not yet parsed by this parser version and land them in
   the raw schema. Unchanged reports are skipped, so a nightly run only touches what changed.

Each step opens its own DuckDB connection and closes it before returning: DuckDB allows one
writer, and nothing may hold the file between steps.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cnfiscal.catalog import Catalog, CatalogEntry
from cnfiscal.extract import PARSER_VERSION, extract_bytes
from cnfiscal.fetch import FetchConfig, FetchResult, SourceCache
from cnfiscal.warehouse.load import (
    FetchRecord,
    document_id,
    ensure_schema,
    parsed_versions,
    record_fetches,
    replace_document,
    retire_missing_sources,
)

# Opens a DuckDB connection for one step (DuckDBResource.get_connection, or a path's connect).
Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def connect_path(path: Path) -> Connect:
    return lambda: duckdb.connect(str(path))


class ContentStore:
    """Bytes of every fetched version, named by their sha256 (written once, atomically)."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        target = self.path(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)
        return sha

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()


@dataclass
class FetchSummary:
    run_id: str
    attempted: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


def _record(entry: CatalogEntry, result: FetchResult, sha: str | None) -> FetchRecord:
    message = "; ".join(f"{i.code}: {i.message}" for i in result.issues) or None
    return FetchRecord(
        source_id=entry.id,
        location=entry.location,
        status=result.status,
        sha256=sha,
        size_bytes=len(result.content) if result.content is not None else None,
        http_status=result.http_status,
        etag=result.etag,
        last_modified=result.last_modified,
        fetched_at=result.fetched_at,
        message=message,
    )


def fetch_sources(
    catalog: Catalog,
    connect: Connect,
    cache_dir: Path,
    run_id: str,
    config: FetchConfig | None = None,
    force: bool = False,
) -> FetchSummary:
    cache = SourceCache(cache_dir, config)
    # Same layout as the cache's own object folder, so a fetched version is stored once.
    store = ContentStore(cache_dir / "objects")
    summary = FetchSummary(run_id=run_id)
    records = []
    for entry in catalog.entries:
        result = cache.fetch(entry.location, base_dir=catalog.base_dir, force=force)
        sha = store.put(result.content) if result.content is not None else None
        records.append(_record(entry, result, sha))
        summary.attempted += 1
        summary.by_status[result.status] = summary.by_status.get(result.status, 0) + 1
        if result.status in ("failed", "cached"):
            summary.failed.append(entry.id)
    with connect() as con:
        ensure_schema(con)
        record_fetches(con, run_id, records)
    return summary


@dataclass
class ParseSummary:
    parsed: list[str] = field(default_factory=list)
    skipped: int = 0
    retired: int = 0
    facts: int = 0
    issues: int = 0


def parse_sources(
    catalog: Catalog, connect: Connect, cache_dir: Path, force: bool = False
) -> ParseSummary:
    store = ContentStore(cache_dir / "objects")
    hints = {e.id: e.hints for e in catalog.entries}
    summary = ParseSummary()
    with connect() as con:
        ensure_schema(con)
        # The newest version each catalog source has been fetched as (a failed fetch with no
        # copy leaves the previous version current).
        fetched = con.execute(
            "SELECT source_id, location, sha256, size_bytes, fetched_at FROM raw.fetches "
            "WHERE sha256 IS NOT NULL "
            "QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY fetched_at DESC) = 1 "
            "ORDER BY source_id"
        ).fetchall()
        live = {e.id for e in catalog.entries}
        fetched = [row for row in fetched if row[0] in live]
        done = parsed_versions(con)
        for source_id, location, sha, size, fetched_at in fetched:
            doc_id = document_id(source_id, sha)
            if not force and done.get(doc_id) == PARSER_VERSION:
                current = con.execute(
                    "SELECT is_current FROM raw.documents WHERE document_id = ?", [doc_id]
                ).fetchall()
                if current and current[0][0]:
                    summary.skipped += 1
                    continue
            content = store.get(sha)
            extraction = extract_bytes(content, Path(location).name, hints.get(source_id))
            replace_document(
                con,
                source_id=source_id,
                location=location,
                sha256=sha,
                size_bytes=size,
                fetched_at=fetched_at,
                parsed_at=datetime.now(UTC),
                parser_version=PARSER_VERSION,
                extraction=extraction,
            )
            summary.parsed.append(doc_id)
            summary.facts += len(extraction.facts)
            summary.issues += len(extraction.issues)
        summary.retired = retire_missing_sources(
            con, [e.id for e in catalog.entries], datetime.now(UTC)
        )
    return summary
