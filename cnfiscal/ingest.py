"""The two ingest steps the pipeline runs before dbt, as plain functions.

1. `fetch_sources`: fetch every catalog entry (with the HTTP cache), keep each version's bytes in
   a content-addressed folder, and record how each fetch went.
2. `parse_sources`: parse the versions not yet parsed by this parser version, in a process pool,
   and land them in the raw schema in batches from this (the only writing) process. Unchanged
   reports are skipped, so a nightly run only touches what changed. Its three parts
   (`versions_to_parse`, `parse_todos` on shards from `shard_todos`, `load_parsed`) are also
   separate, so the parsing can run as separate steps, on Celery workers, that never open the
   warehouse.

Both take the catalog already narrowed to the batches a run covers (catalog.select_batches).
Each step opens its own DuckDB connection and closes it before returning: DuckDB allows one
writer, and nothing may hold the file between steps.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from cnfiscal.catalog import Catalog, CatalogEntry, batch_of
from cnfiscal.extract import PARSER_VERSION, extract_bytes
from cnfiscal.fetch import FetchConfig, FetchResult, SourceCache, object_path
from cnfiscal.fetch.cache import flush_all
from cnfiscal.fetch.local import LocalPaths
from cnfiscal.model import DocumentMeta, Extraction, ParseIssue
from cnfiscal.warehouse.load import (
    FetchRecord,
    ParsedVersion,
    ensure_schema,
    record_fetches,
    replace_documents,
    retire_missing_sources,
)

# Opens a DuckDB connection for one step (DuckDBResource.get_connection, or a path's connect).
Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def connect_path(path: Path) -> Connect:
    return lambda: duckdb.connect(str(path))


def cache_root(cache_dir: Path, source_id: str) -> Path:
    """One fetch cache per batch: each keeps its JSON index in memory during a run and writes
    it once at the end, so the index one run rewrites stays small and runs on different
    batches (partitions) don't contend for it."""
    return batch_cache_root(cache_dir, batch_of(source_id))


def batch_cache_root(cache_dir: Path, batch: str) -> Path:
    return cache_dir / "fetch" / batch


@dataclass
class FetchSummary:
    run_id: str
    attempted: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a cache index not written
    timing_s: dict[str, float] = field(default_factory=dict)  # fetch, flush, record


def _record(entry: CatalogEntry, result: FetchResult) -> FetchRecord:
    issues = result.issues
    message = "; ".join(f"{i.code}: {i.message}" for i in issues) if issues else None
    return FetchRecord(
        source_id=entry.id,
        location=entry.location,
        status=result.status,
        # An empty source has nothing to parse: no version.
        sha256=result.sha256 if result.ok and result.size else None,
        size_bytes=result.size if result.ok else None,
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
    caches: dict[str, SourceCache] = {}  # by batch
    paths = LocalPaths()  # one run: each catalog folder resolved once, for every batch
    summary = FetchSummary(run_id=run_id)
    records = []
    started = time.perf_counter()
    base_dir = catalog.base_dir
    try:
        for entry in catalog.entries:
            batch = batch_of(entry.id)
            cache = caches.get(batch)
            if cache is None:
                root = batch_cache_root(cache_dir, batch)
                cache = caches[batch] = SourceCache(root, config, paths=paths)
            result = cache.fetch(entry.location, base_dir=base_dir, force=force)
            # The cache keeps every version's bytes by sha256; parsing reads them from there.
            # Only fresh bytes can be missing from it (a failed cache write); a not_modified or
            # cached result was served from the store.
            if result.status == "fetched" and result.content:
                cache.keep_object(result.sha256, result.content)
            records.append(_record(entry, result))
            summary.attempted += 1
            summary.by_status[result.status] = summary.by_status.get(result.status, 0) + 1
            if result.status in ("failed", "cached"):
                summary.failed.append(entry.id)
    finally:
        fetched = time.perf_counter()
        # Even on an exception: what was fetched keeps its validators. An index that cannot be
        # written only costs the next run a re-fetch, so it is a warning, not a failure.
        for cache, exc in flush_all(caches.values()).items():
            summary.warnings.append(f"fetch cache index {cache.root} not written: {exc}")
    flushed = time.perf_counter()
    with connect() as con:
        ensure_schema(con)
        record_fetches(con, run_id, records)
    summary.timing_s = {
        "fetch": round(fetched - started, 3),
        "flush": round(flushed - fetched, 3),
        "record": round(time.perf_counter() - flushed, 3),
    }
    return summary


def fetch_log(connect: Connect, run_id: str, catalog: Catalog) -> FetchSummary:
    """The summary of a fetch already recorded under `run_id` (by the `cnfiscal run` launcher),
    read back from raw.fetches. Raises if an entry of the catalog was not fetched in that run.
    Counted in SQL: only the failed sources' ids come back to Python."""
    with connect() as con:
        ensure_schema(con)
        con.register("_catalog_ids", _ids_table([e.id for e in catalog.entries]))
        try:
            counts = con.execute(
                "SELECT f.status, count(*) FROM raw.fetches f JOIN _catalog_ids c"
                " USING (source_id) WHERE f.run_id = ? GROUP BY f.status",
                [run_id],
            ).fetchall()
            failed = con.execute(
                "SELECT f.source_id FROM raw.fetches f JOIN _catalog_ids c USING (source_id)"
                " WHERE f.run_id = ? AND f.status IN ('failed', 'cached') ORDER BY 1",
                [run_id],
            ).fetchall()
        finally:
            con.unregister("_catalog_ids")
    summary = FetchSummary(run_id=run_id)
    summary.by_status = {status: n for status, n in sorted(counts)}
    summary.attempted = sum(summary.by_status.values())
    summary.failed = [sid for (sid,) in failed]
    missing = len({e.id for e in catalog.entries}) - summary.attempted
    if missing:
        raise RuntimeError(f"run {run_id} has no fetch record for {missing} catalog entries")
    return summary


@dataclass
class ParseSummary:
    parsed: list[str] = field(default_factory=list)
    skipped: int = 0
    retired: int = 0
    facts: int = 0
    issues: int = 0


@dataclass(frozen=True)
class _Todo:
    source_id: str
    location: str
    sha256: str
    size_bytes: int | None
    fetched_at: datetime
    object_path: str
    hints: dict


def _parse(todo: _Todo) -> tuple[_Todo, Extraction, datetime]:
    """Runs in a worker: reads the bytes itself so only the result crosses processes."""
    content = Path(todo.object_path).read_bytes()
    if hashlib.sha256(content).hexdigest() != todo.sha256:
        # The fetch cache trusts a stored object of the right size; one damaged in place is
        # caught here rather than parsed as the version it claims to be.
        issue = ParseIssue(
            "error",
            "cached_object_damaged",
            f"stored copy of {todo.sha256[:12]} does not match its hash; run with --force",
        )
        extraction = Extraction(document=DocumentMeta(), issues=[issue], format="unknown")
    else:
        extraction = extract_bytes(content, Path(todo.location).name, todo.hints)
    return todo, extraction, datetime.now(UTC)


POOL_MIN_REPORTS = 64


def _parsed(todos: list[_Todo], workers: int) -> Iterator[tuple[_Todo, Extraction, datetime]]:
    # Starting spawned workers (each imports the extractor) costs seconds: not worth it for
    # the handful of reports a nightly run usually has.
    if workers <= 1 or len(todos) < POOL_MIN_REPORTS:
        yield from map(_parse, todos)
        return
    # spawn: the caller may be a threaded Dagster process, where fork is unsafe.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        # map() submits everything up front, but results are small next to the reports.
        yield from pool.map(_parse, todos, chunksize=8)


def versions_to_parse(
    con, catalog: Catalog, cache_dir: Path, force: bool = False, run_id: str | None = None
) -> tuple[list[_Todo], int]:
    """Versions to parse: each live source's newest fetched version, unless that version is
    already loaded, current, and parsed by this parser version. `run_id`, the run that just
    fetched the catalog, spares reading every earlier run's fetch log (see _newest_versions).
    Returns the versions to parse and the number skipped; only the former reach Python."""
    hints = {e.id: e.hints for e in catalog.entries}
    con.register("_live", _ids_table(list(hints)))
    try:
        _newest_versions(con, run_id)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _versions AS SELECT n.*,"
            " coalesce(d.parser_version = ? AND d.is_current, false) AS done"
            " FROM _newest n LEFT JOIN raw.documents d"
            " ON d.document_id = n.source_id || '@' || left(n.sha256, 12)",
            [PARSER_VERSION],
        )
        rows = con.execute(
            "SELECT source_id, location, sha256, size_bytes, fetched_at FROM _versions"
            " WHERE ? OR NOT done ORDER BY source_id",
            [force],
        ).fetchall()
        (total,) = con.execute("SELECT count(*) FROM _versions").fetchone()
    finally:
        con.execute("DROP TABLE IF EXISTS _newest")
        con.execute("DROP TABLE IF EXISTS _versions")
        con.unregister("_live")
    todo = []
    for sid, loc, sha, size, fetched_at in rows:
        obj = object_path(cache_root(cache_dir, sid), sha)
        todo.append(_Todo(sid, loc, sha, size, fetched_at, str(obj), hints.get(sid) or {}))
    return todo, total - len(todo)


_NEWEST = (
    "SELECT source_id, arg_max(location, fetched_at) AS location,"
    " arg_max(sha256, fetched_at) AS sha256, arg_max(size_bytes, fetched_at) AS size_bytes,"
    " max(fetched_at) AS fetched_at FROM raw.fetches"
    " WHERE sha256 IS NOT NULL AND source_id IN ({ids}){since} GROUP BY source_id"
)


def _newest_versions(con, run_id: str | None) -> None:
    """Temp table _newest: each live source's (_live) newest row with a version in raw.fetches,
    which keeps every run's rows, so reading it all grows with the nights run.

    For any time T, a source's newest row is its newest one from T on, if it has one; only the
    others need the rows before T. T is when `run_id` began (its first fresh fetch): every
    source it fetched fresh has a row from T on, and DuckDB's per-row-group min/max of
    fetched_at skips the earlier nights. Only sources without such a row (failed, or served
    from the cache tonight) are looked up in the whole log. Without run_id, or if the run
    fetched nothing fresh, the whole log is read."""
    since = None
    if run_id is not None:
        (since,) = con.execute(
            "SELECT min(fetched_at) FROM raw.fetches WHERE run_id = ?"
            " AND status IN ('fetched', 'not_modified')",
            [run_id],
        ).fetchone()
    if since is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _newest AS "
            + _NEWEST.format(ids="SELECT source_id FROM _live", since="")
        )
        return
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _newest AS "
        + _NEWEST.format(ids="SELECT source_id FROM _live", since=" AND fetched_at >= ?"),
        [since],
    )
    rest = "SELECT source_id FROM _live EXCEPT SELECT source_id FROM _newest"
    (missing,) = con.execute(f"SELECT count(*) FROM ({rest})").fetchone()
    if missing:
        con.execute("INSERT INTO _newest " + _NEWEST.format(ids=rest, since=""))


def _ids_table(ids: list[str]) -> pa.Table:
    return pa.table({"source_id": pa.array(ids, type=pa.string())})


def parse_todos(todos: list[_Todo], spool: Path, workers: int = 1) -> int:
    """Parse report versions without touching the warehouse: what a parse step on another
    process or machine runs. Each version is appended to the `spool` file as it is parsed, so
    a shard of a cold build is never held in memory whole; the one writing process loads the
    file with read_spool. Returns the number of versions written."""
    spool.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with spool.open("wb") as out:
        for item, extraction, at in _parsed(todos, workers):
            pickle.dump(_version(item, extraction, at), out, protocol=pickle.HIGHEST_PROTOCOL)
            n += 1
    return n


def read_spool(spool: Path) -> Iterator[ParsedVersion]:
    """The versions parse_todos wrote, one at a time; the file is removed once read whole."""
    with spool.open("rb") as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                break
    spool.unlink()


def _version(item: _Todo, extraction: Extraction, parsed_at: datetime) -> ParsedVersion:
    return ParsedVersion(
        item.source_id,
        item.location,
        item.sha256,
        item.size_bytes,
        item.fetched_at,
        parsed_at,
        PARSER_VERSION,
        extraction,
    )


def shard_todos(todos: list[_Todo], shards: int) -> list[list[_Todo]]:
    """Split the work into at most `shards` parse steps, whole catalog batches each (a batch
    is a partition), packed largest first onto the lightest shard by bytes to parse. Always
    at least one shard, possibly empty, so the step that loads them always runs."""
    by_batch: dict[str, list[_Todo]] = {}
    for todo in todos:
        by_batch.setdefault(batch_of(todo.source_id), []).append(todo)
    groups = sorted(by_batch.values(), key=_weight, reverse=True)
    packed: list[list[_Todo]] = [[] for _ in range(max(1, min(shards, len(groups))))]
    for group in groups:
        min(packed, key=_weight).extend(group)
    return packed


def _weight(todos: list[_Todo]) -> int:
    # A report of unknown size counts as one byte: it still takes a slot.
    return sum(t.size_bytes or 1 for t in todos)


def load_parsed(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    versions: Iterable[ParsedVersion],
    batches: list[str] | None = None,
    load_batch: int = 250,
) -> ParseSummary:
    """Land parsed versions in the raw schema, `load_batch` per transaction, and retire the
    sources dropped from the batches the run covers (None: the whole catalog)."""
    summary = ParseSummary()
    pending: list[ParsedVersion] = []
    for version in versions:
        pending.append(version)
        summary.facts += len(version.extraction.facts)
        summary.issues += len(version.extraction.issues)
        if len(pending) >= load_batch:
            summary.parsed += replace_documents(con, pending)
            pending = []
    summary.parsed += replace_documents(con, pending)
    scope = None if batches is None else (lambda sid: batch_of(sid) in set(batches))
    summary.retired = retire_missing_sources(
        con, [e.id for e in catalog.entries], datetime.now(UTC), scope
    )
    return summary


def parse_sources(
    catalog: Catalog,
    connect: Connect,
    cache_dir: Path,
    force: bool = False,
    workers: int = 2,
    load_batch: int = 250,
    batches: list[str] | None = None,
) -> ParseSummary:
    """Parse what changed and load it, in this process (parsing in a pool of `workers`).
    `batches` names the catalog batches this run covers (None: the whole catalog), so only
    their dropped sources are retired."""
    with connect() as con:
        ensure_schema(con)
        todo, skipped = versions_to_parse(con, catalog, cache_dir, force)
        parsed = (_version(*p) for p in _parsed(todo, workers))
        summary = load_parsed(con, catalog, parsed, batches, load_batch)
    summary.skipped = skipped
    return summary
