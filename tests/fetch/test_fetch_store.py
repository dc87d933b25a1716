"""The cache's index in memory (one write per flush, merged across instances and processes),
stat-based no-change for local files, and lazy verification of cached objects."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from cnfiscal.catalog import CatalogEntry, load_catalog
from cnfiscal.fetch import SourceCache, object_path
from cnfiscal.ingest import cache_root, connect_path, fetch_sources

DOC = "某某区财政局2024年部门预算".encode("gbk")
ROOT = Path(__file__).resolve().parents[2]


def old_file(path: Path, data: bytes, age_s: float = 3600) -> Path:
    """A file last modified well in the past, as a catalog's reports are (a file modified in
    the last seconds is always re-read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    past = time.time() - age_s
    os.utime(path, (past, past))
    return path


def index_of(root: Path) -> dict:
    return json.loads((root / "index.json").read_text(encoding="utf-8"))


def codes(result) -> list[str]:
    return [issue.code for issue in result.issues]


# -- stat-based no-change ----------------------------------------------------------------------


def test_unchanged_file_is_not_modified_without_reading(make_config, tmp_path):
    path = old_file(tmp_path / "a.html", DOC)
    cache = SourceCache(tmp_path / "cache", make_config())
    first = cache.fetch(str(path))
    assert first.status == "fetched" and first.content == DOC and first.size == len(DOC)
    second = cache.fetch(str(path))
    assert second.status == "not_modified"
    assert second.content is None  # not read: the bytes are in the cache's object store
    assert second.ok and second.sha256 == first.sha256 and second.size == len(DOC)
    assert object_path(tmp_path / "cache", second.sha256).read_bytes() == DOC
    assert second.issues == []


def test_touched_file_is_read_again_and_keeps_its_sha(make_config, tmp_path):
    path = old_file(tmp_path / "a.html", DOC)
    cache = SourceCache(tmp_path / "cache", make_config())
    first = cache.fetch(str(path))
    later = time.time() - 1800
    os.utime(path, (later, later))  # same bytes, new mtime
    again = cache.fetch(str(path))
    assert again.status == "fetched" and again.content == DOC
    assert again.sha256 == first.sha256
    # ...and the new stat is recorded: the next fetch needs no read.
    assert cache.fetch(str(path)).status == "not_modified"


def test_changed_bytes_of_the_same_size_are_seen_through_the_mtime(make_config, tmp_path):
    path = old_file(tmp_path / "a.txt", b"total 100")
    cache = SourceCache(tmp_path / "cache", make_config())
    first = cache.fetch(str(path))
    old_file(path, b"total 900", age_s=1800)  # same size, different bytes, different mtime
    second = cache.fetch(str(path))
    assert second.status == "fetched" and second.content == b"total 900"
    assert second.sha256 != first.sha256 == hashlib.sha256(b"total 100").hexdigest()


def test_replaced_file_with_the_same_mtime_is_read_again(make_config, tmp_path):
    path = old_file(tmp_path / "a.txt", b"total 100")
    cache = SourceCache(tmp_path / "cache", make_config())
    cache.fetch(str(path))
    st = path.stat()
    tmp = old_file(tmp_path / "new.txt", b"total 900")
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime, new inode
    os.replace(tmp, path)
    second = cache.fetch(str(path))
    assert second.status == "fetched" and second.content == b"total 900"


def test_just_written_file_is_not_trusted_by_stat(make_config, tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(DOC)  # mtime: now, within the racy window
    cache = SourceCache(tmp_path / "cache", make_config())
    assert cache.fetch(str(path)).status == "fetched"
    assert cache.fetch(str(path)).status == "fetched"


def test_missing_object_means_the_file_is_read_again(make_config, tmp_path):
    path = old_file(tmp_path / "a.txt", DOC)
    cache = SourceCache(tmp_path / "cache", make_config())
    first = cache.fetch(str(path))
    blob = object_path(tmp_path / "cache", first.sha256)
    blob.unlink()
    second = cache.fetch(str(path))
    assert second.status == "fetched" and second.content == DOC
    assert "fetch_cache_damaged" in codes(second)
    assert blob.read_bytes() == DOC  # written again


def test_stray_object_not_named_by_the_index_is_hashed_before_reuse(make_config, tmp_path):
    # e.g. an object a crash left unsynced: right size, wrong bytes, and no index entry.
    sha = hashlib.sha256(DOC).hexdigest()
    blob = object_path(tmp_path / "cache", sha)
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"\0" * len(DOC))
    result = SourceCache(tmp_path / "cache", make_config()).fetch(
        str(old_file(tmp_path / "a", DOC))
    )
    assert result.status == "fetched" and result.sha256 == sha
    assert blob.read_bytes() == DOC


def test_force_reads_and_rehashes_everything(make_config, tmp_path):
    path = old_file(tmp_path / "a.txt", DOC)
    cache = SourceCache(tmp_path / "cache", make_config())
    first = cache.fetch(str(path))
    blob = object_path(tmp_path / "cache", first.sha256)
    blob.write_bytes(b"x" * len(DOC))  # damaged in place, same size
    forced = cache.fetch(str(path), force=True)
    assert forced.status == "fetched" and forced.content == DOC
    assert blob.read_bytes() == DOC  # a forced fetch re-hashes the object and repairs it


# -- the index: written once, survives instances, merges, crash-safe ----------------------------


def test_index_is_written_once_on_flush_and_survives_a_new_instance(make_config, tmp_path):
    root = tmp_path / "cache"
    paths = [old_file(tmp_path / f"d{n}.txt", f"doc {n}".encode()) for n in range(5)]
    with SourceCache(root, make_config()) as cache:
        for path in paths:
            assert cache.fetch(str(path)).status == "fetched"
        assert not (root / "index.json").exists()  # nothing written per fetch
    index = index_of(root)
    assert {path.as_uri() for path in paths} == set(index)
    before = (root / "index.json").stat()

    with SourceCache(root, make_config()) as again:
        results = [again.fetch(str(path)) for path in paths]
    assert [r.status for r in results] == ["not_modified"] * 5
    # A no-change pass changes no entry, so the index is not rewritten at all.
    after = (root / "index.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_concurrent_flushes_merge_entries(make_config, tmp_path):
    root = tmp_path / "cache"
    a, b = SourceCache(root, make_config()), SourceCache(root, make_config())
    # Both load the (empty) index before either flushes.
    a.fetch(str(old_file(tmp_path / "first.txt", b"first")))
    b.fetch(str(old_file(tmp_path / "second.txt", b"second")))
    a.fetch(str(old_file(tmp_path / "third.txt", b"third")))
    a.flush()
    b.flush()
    assert set(index_of(root)) == {
        (tmp_path / name).as_uri() for name in ("first.txt", "second.txt", "third.txt")
    }


def test_flush_all_writes_every_cache_and_keeps_other_writers_entries(make_config, tmp_path):
    from cnfiscal.fetch.cache import flush_all

    docs = [old_file(tmp_path / "src" / f"d{n}.txt", f"doc {n}".encode()) for n in range(6)]
    roots = [tmp_path / "cache" / name for name in ("b00", "b01")]
    ours = [SourceCache(root, make_config()) for root in roots]
    for n, path in enumerate(docs[:4]):
        ours[n % 2].fetch(str(path))
    # Another process flushes into b00 after ours read it; a second instance of ours shares
    # b01 (its lock is taken in turn, not twice at once).
    other = SourceCache(roots[0], make_config())
    other.fetch(str(docs[4]))
    other.flush()
    twin = SourceCache(roots[1], make_config())
    twin.fetch(str(docs[5]))
    assert flush_all([*ours, twin]) == {}
    assert set(index_of(roots[0])) == {docs[0].as_uri(), docs[2].as_uri(), docs[4].as_uri()}
    assert set(index_of(roots[1])) == {docs[1].as_uri(), docs[3].as_uri(), docs[5].as_uri()}
    assert not list((tmp_path / "cache").rglob("*.tmp"))
    # Flushed: a new instance trusts every stat.
    for root, names in zip(roots, ([0, 2, 4], [1, 3, 5]), strict=True):
        again = SourceCache(root, make_config())
        assert {again.fetch(str(docs[n])).status for n in names} == {"not_modified"}


def test_flush_all_reports_an_unwritable_index_and_keeps_its_entries(make_config, tmp_path):
    from cnfiscal.fetch.cache import flush_all

    path = old_file(tmp_path / "a.txt", DOC)
    good, bad = SourceCache(tmp_path / "good", make_config()), SourceCache(tmp_path / "bad")
    good.fetch(str(path))
    bad.fetch(str(path))
    (tmp_path / "bad" / "index.json").mkdir()  # something in the way of bad's index
    failed = flush_all([good, bad])
    assert set(failed) == {bad} and isinstance(failed[bad], OSError)
    assert set(index_of(tmp_path / "good")) == {path.as_uri()}
    (tmp_path / "bad" / "index.json").rmdir()
    bad.flush()  # still pending: written on the next try
    assert set(index_of(tmp_path / "bad")) == {path.as_uri()}
    assert not list(tmp_path.rglob("*.tmp"))


def test_index_entry_of_a_local_file_keeps_only_what_it_needs(make_config, tmp_path):
    path = old_file(tmp_path / "a.txt", DOC)
    root = tmp_path / "cache"
    with SourceCache(root, make_config()) as cache:
        cache.fetch(str(path))
    assert set(index_of(root)[path.as_uri()]) == {"sha256", "size", "fetched_at", "stat"}
    result = SourceCache(root, make_config()).fetch(str(path))
    assert result.status == "not_modified" and result.final_url == path.as_uri()
    assert (result.etag, result.http_status, result.content_type) == (None, None, None)


def _run_py(code: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env)


FETCH_AND_FLUSH = """
    import sys
    from cnfiscal.fetch import SourceCache
    root, *paths = sys.argv[1:]
    cache = SourceCache(root)
    for path in paths:
        assert cache.fetch(path).status == "fetched"
    cache.flush()
"""


def test_two_processes_flushing_keep_each_others_entries(tmp_path):
    root = tmp_path / "cache"
    groups = [
        [str(old_file(tmp_path / f"p{p}" / f"d{n}.txt", f"{p}/{n}".encode())) for n in range(40)]
        for p in range(2)
    ]
    procs = [_run_py(FETCH_AND_FLUSH, str(root), *paths) for paths in groups]
    assert [proc.wait(timeout=60) for proc in procs] == [0, 0]
    assert set(index_of(root)) == {Path(p).as_uri() for paths in groups for p in paths}


CRASH_BEFORE_FLUSH = """
    import os, sys
    from cnfiscal.fetch import SourceCache
    root, path, url = sys.argv[1:]
    cache = SourceCache(root)
    assert cache.fetch(path).status == "fetched"
    assert cache.fetch(url).status == "fetched"
    os._exit(3)  # dies without flushing (or any cleanup)
"""


def test_crash_before_flush_only_loses_validators(server, make_config, tmp_path):
    server.routes["/e"] = lambda h: server.reply(h, 200, DOC, {"ETag": '"v1"'})
    root = tmp_path / "cache"
    path = old_file(tmp_path / "a.txt", b"local report")
    proc = _run_py(CRASH_BEFORE_FLUSH, str(root), str(path), server.url("/e"))
    assert proc.wait(timeout=60) == 3
    assert not (root / "index.json").exists()

    cache = SourceCache(root, make_config())
    local, remote = cache.fetch(str(path)), cache.fetch(server.url("/e"))
    # No validators survived: the file is read and the URL asked unconditionally; same bytes.
    assert local.status == "fetched" and local.content == b"local report"
    assert local.sha256 == hashlib.sha256(b"local report").hexdigest()
    assert "If-None-Match" not in server.hits("/e")[-1]
    assert remote.status == "fetched" and remote.content == DOC
    assert local.issues == [] and remote.issues == []
    cache.flush()
    assert cache.fetch(str(path)).status == "not_modified"


def test_cache_dropped_without_flush_next_instance_refetches(server, make_config, tmp_path):
    server.routes["/e"] = lambda h: server.reply(h, 200, DOC, {"ETag": '"v1"'})
    root = tmp_path / "cache"
    with SourceCache(root, make_config()) as cache:
        cache.fetch(server.url("/e"))
    dropped = SourceCache(root, make_config())
    server.routes["/e"] = lambda h: server.reply(h, 200, b"v2", {"ETag": '"v2"'})
    assert dropped.fetch(server.url("/e")).content == b"v2"
    del dropped  # no flush: the index still holds v1's entry

    cache = SourceCache(root, make_config())
    result = cache.fetch(server.url("/e"))
    assert server.hits("/e")[-1].get("If-None-Match") == '"v1"'  # the old validator
    assert result.status == "fetched" and result.content == b"v2"  # ...and the right bytes


# -- lazy verification --------------------------------------------------------------------------


def test_damaged_object_is_caught_on_local_fallback(make_config, tmp_path):
    path = old_file(tmp_path / "a.txt", DOC)
    cache = SourceCache(tmp_path / "cache", make_config())
    first = cache.fetch(str(path))
    object_path(tmp_path / "cache", first.sha256).write_bytes(b"x" * len(DOC))
    path.unlink()
    result = cache.fetch(str(path))
    assert result.status == "failed" and result.content is None and not result.ok
    assert codes(result) == ["fetch_cache_damaged", "fetch_not_found"]


def test_damaged_object_is_caught_on_http_fallback(server, make_config, tmp_path):
    state = {"up": True}
    server.routes["/s"] = lambda h: server.reply(h, 200 if state["up"] else 500, DOC)
    cache = SourceCache(tmp_path, make_config(retries=1))
    first = cache.fetch(server.url("/s"))
    object_path(tmp_path, first.sha256).write_bytes(b"x" * len(DOC))
    state["up"] = False
    result = cache.fetch(server.url("/s"))
    assert result.status == "failed" and result.sha256 is None
    assert codes(result) == ["fetch_cache_damaged", "fetch_http_error"]


def test_intact_object_is_handed_back_on_fallback(make_config, tmp_path):
    path = old_file(tmp_path / "a.txt", DOC)
    cache = SourceCache(tmp_path / "cache", make_config())
    cache.fetch(str(path))
    path.unlink()
    result = cache.fetch(str(path))
    assert result.status == "cached" and result.content == DOC and result.size == len(DOC)


# -- fetch_sources --------------------------------------------------------------------------------


def _catalog(tmp_path: Path, n: int):
    rows = ["id,location"]
    for i in range(n):
        old_file(tmp_path / "docs" / f"r{i}.txt", f"report {i}".encode())
        rows.append(f"src-{i:03d},docs/r{i}.txt")
    (tmp_path / "catalog.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return load_catalog(tmp_path / "catalog.csv")


def _fetch_rows(db: Path, run: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select source_id, status, sha256, size_bytes from raw.fetches where run_id = ? "
            "order by source_id",
            [run],
        ).fetchall()


def test_fetch_sources_flushes_every_batch_and_records_not_modified(tmp_path):
    catalog = _catalog(tmp_path, 12)
    db, cache = tmp_path / "w.duckdb", tmp_path / "cache"
    first = fetch_sources(catalog, connect_path(db), cache, "r1")
    assert first.by_status == {"fetched": 12} and first.warnings == []
    roots = {cache_root(cache, e.id) for e in catalog.entries}
    assert len(roots) > 1
    for root in roots:
        keys = {(tmp_path / e.location).resolve().as_uri() for e in catalog.entries}
        assert set(index_of(root)) <= keys and index_of(root)

    second = fetch_sources(catalog, connect_path(db), cache, "r2")
    assert second.by_status == {"not_modified": 12}
    before, after = _fetch_rows(db, "r1"), _fetch_rows(db, "r2")
    # A stat-confirmed file records the same version (sha and size) as when it was read.
    assert [(sid, sha, size) for sid, _, sha, size in before] == [
        (sid, sha, size) for sid, _, sha, size in after
    ]
    assert all(sha and size for _, _, sha, size in after)


def test_fetch_sources_flushes_even_when_recording_fails(tmp_path):
    catalog = _catalog(tmp_path, 4)
    cache = tmp_path / "cache"

    def broken_connect():
        raise RuntimeError("warehouse unavailable")

    with pytest.raises(RuntimeError):
        fetch_sources(catalog, broken_connect, cache, "r1")
    again = fetch_sources(catalog, connect_path(tmp_path / "w.duckdb"), cache, "r2")
    assert again.by_status == {"not_modified": 4}
    assert all(sha for _, _, sha, _ in _fetch_rows(tmp_path / "w.duckdb", "r2"))


def test_a_big_batch_is_made_durable_with_one_syncfs(make_config, tmp_path, monkeypatch):
    """A cold fetch writes thousands of objects: they are synced with one syncfs of the cache's
    filesystem (real call), not file by file, before the index names them."""
    from cnfiscal.fetch import cache as cache_module

    calls: list[Path] = []
    real_syncfs = cache_module._syncfs
    per_file: list[Path] = []
    real_fsync_one = cache_module._fsync_one

    def counting_syncfs(folder: Path) -> bool:
        calls.append(folder)
        return real_syncfs(folder)

    def counting_fsync(path: Path) -> None:
        per_file.append(path)
        real_fsync_one(path)

    monkeypatch.setattr(cache_module, "_syncfs", counting_syncfs)
    monkeypatch.setattr(cache_module, "_fsync_one", counting_fsync)
    root = tmp_path / "cache"
    n = cache_module.SYNCFS_MIN + 6
    paths = [old_file(tmp_path / "src" / f"d{i}.txt", f"report {i}".encode()) for i in range(n)]
    with SourceCache(root, make_config()) as cache:
        shas = [cache.fetch(str(path)).sha256 for path in paths]
    # One syncfs for the objects; the one new index file is fsynced on its own.
    assert len(calls) == 1 and per_file == [p for p in per_file if p.name.startswith(".index")]
    index = index_of(root)
    assert len(index) == n
    assert all(
        object_path(root, sha).read_bytes() == f"report {i}".encode() for i, sha in enumerate(shas)
    )

    # A small batch keeps per-file fsyncs: syncfs would flush the whole filesystem for it.
    calls.clear()
    per_file.clear()
    old_file(tmp_path / "src" / "d0.txt", b"changed", age_s=7200)
    with SourceCache(root, make_config()) as cache:
        cache.fetch(str(paths[0]))
    assert not calls and len(per_file) == 2  # the new object, then the new index file
    assert per_file[0].parent.parent == root / "objects" and per_file[1].parent == root


def test_fetch_log_reads_back_the_summary_of_a_recorded_fetch(tmp_path):
    from cnfiscal.ingest import fetch_log

    catalog = _catalog(tmp_path, 6)
    (tmp_path / catalog.entries[1].location).unlink()  # never fetched: failed
    db, cache = tmp_path / "w.duckdb", tmp_path / "cache"
    fetched = fetch_sources(catalog, connect_path(db), cache, "r1")
    logged = fetch_log(connect_path(db), "r1", catalog)
    assert (logged.attempted, logged.by_status, logged.failed) == (
        fetched.attempted,
        fetched.by_status,
        fetched.failed,
    )
    assert logged.by_status == {"failed": 1, "fetched": 5}
    grown = type(catalog)(catalog.path, [*catalog.entries, CatalogEntry("new", "x.txt")], [])
    with pytest.raises(RuntimeError, match="no fetch record for 1 catalog entries"):
        fetch_log(connect_path(db), "r1", grown)
