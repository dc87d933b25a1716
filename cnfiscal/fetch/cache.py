"""SourceCache: the last good copy of every source, so a failed fetch never loses data."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import hashlib
import json
import os
import random
import stat
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cnfiscal.checksums import sha256_file
from cnfiscal.fetch.download import http_get
from cnfiscal.fetch.local import LocalPaths, read_local
from cnfiscal.fetch.ratelimit import HostRateLimiter
from cnfiscal.fetch.types import FetchConfig, FetchResult, fetch_error
from cnfiscal.model import ParseIssue

INDEX = "index.json"
# A file whose mtime is this close to the moment it was read may still change within the
# filesystem's timestamp granularity without its mtime moving ("racily clean" in git's terms):
# its stat is not recorded, so the next run reads it again.
RACY_NS = 2_000_000_000


class SourceCache:
    """Last good copy of each source on disk (content-addressed by sha256) plus its validators
    (ETag, Last-Modified; for local files their size, mtime, ctime and inode) in a small JSON
    index.

    The index is read once per instance and updated in memory; `flush()` (or leaving a `with`
    block) writes it back once, atomically (tmp file + fsync + os.replace) under a file lock,
    merged with what is on disk so several processes sharing a root keep each other's entries.
    Safe to share between threads.

    Crash safety: objects are written whole (tmp file + os.replace) before their entry goes
    into the in-memory index; `flush()` fsyncs them (in a few threads, so the filesystem can
    commit them together) before it replaces the index file, whole. So the index on disk only
    ever names objects that are durable. A crash before `flush()` leaves the previous index:
    what is lost is the new entries, i.e. validators and file stats. The next run then has no
    entry (or an older one) for those sources: it reads the file or GETs the URL
    unconditionally and hashes the bytes, which gives the same result. An object the crash left
    behind unsynced is named by no index entry, so it is not trusted: it is hashed before being
    reused (see _write_object). Losing a flush costs time, never correctness.
    """

    def __init__(
        self,
        root: Path,
        config: FetchConfig | None = None,
        limiter: HostRateLimiter | None = None,
        paths: LocalPaths | None = None,
    ):
        self.root = Path(root)
        self._objects = str(self.root / "objects")
        self.config = config or FetchConfig()
        # Caches that fetch from the same hosts share one limiter (discovery: pages and
        # documents), so politeness is per host, not per cache.
        self.limiter = limiter or HostRateLimiter(self.config.per_host_interval_s)
        # ...and caches that read the same catalog share its resolved folders (fetch_sources).
        self.paths = paths or LocalPaths()
        self._lock = threading.Lock()
        self._rng = random.Random()
        self._index: dict[str, Any] | None = None  # loaded on first use
        self._dirty: dict[str, Any] = {}  # entries changed since the last flush
        self._index_notes: list[ParseIssue] = []  # reported once, with the first fetch
        self._trusted: set[str] = set()  # shas named by the index or written here
        self._unsynced: list[Path] = []  # objects written since the last flush, not fsynced
        self._on_disk: tuple | None = None  # the index file as last read or written (_identity)
        self._dirs: set[Path] = set()  # object folders known to exist
        (self.root / "objects").mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> SourceCache:
        return self

    def __exit__(self, *exc_info) -> None:
        self.flush()

    def fetch(
        self, location: str, base_dir: Path | None = None, force: bool = False
    ) -> FetchResult:
        """Never raises: any failure comes back as status "failed" (or "cached") with issues.
        `force` ignores validators and file stats: every source is read and hashed again."""
        try:
            return self._fetch(location, base_dir, force)
        except Exception as exc:  # a bug here must not stop the whole pipeline run
            issue = fetch_error("fetch_internal_error", f"{type(exc).__name__}: {exc}")
            return _failed(location, [issue])

    def _fetch(self, location: str, base_dir: Path | None, force: bool) -> FetchResult:
        loc = self.paths.classify(location, base_dir)
        if loc.kind == "bad":
            return _failed(location, [loc.issue])
        entry, notes = self._lookup(loc.key)

        if loc.kind == "local":
            recorded = entry.get("stat") if not force else None
            if recorded and recorded == _stat_key(loc.st or _stat(loc.path)):
                return self._unchanged_file(location, loc.key, entry, notes)
            started = time.time_ns()
            data, issue, st = read_local(loc.path, self.config.max_bytes)
            if issue is not None:
                return self._fallback(location, issue, entry, None, loc.key, notes)
            trusted = st.st_size == len(data) and st.st_mtime_ns < started - RACY_NS
            meta = {"final_url": loc.key, "stat": _stat_key(st) if trusted else None}
            return self._keep(location, loc.key, data, meta, notes, force)
        return self._fetch_http(location, loc.key, entry, notes, force)

    def _fetch_http(self, location, key, entry, notes, force) -> FetchResult:
        conditional = bool(entry) and not force
        out = http_get(
            key,
            self.config,
            self.limiter,
            etag=entry.get("etag") if conditional else None,
            last_modified=entry.get("last_modified") if conditional else None,
            rng=self._rng,
        )
        meta = {
            "http_status": out.http_status,
            "etag": out.etag,
            "last_modified": out.last_modified,
            "final_url": out.final_url,
            "content_type": out.content_type,
        }
        if out.status == "fetched":
            return self._keep(location, key, out.content, meta, notes, force)
        if out.status == "not_modified":
            if not conditional:
                issue = fetch_error("fetch_http_error", "HTTP 304 to an unconditional request")
                return self._fallback(location, issue, entry, 304, out.final_url, notes)
            cached = self._verified(entry)
            if cached is None:
                # The 304 points at bytes we no longer have: ask again, unconditionally, and
                # rewrite the object (force: the damaged copy has the right size).
                notes.append(_damaged())
                return self._fetch_http(location, key, {}, notes, force=True)
            return self._confirm(location, key, entry, cached, meta, notes)
        return self._fallback(location, out.issue, entry, out.http_status, out.final_url, notes)

    # -- the index (in memory; see flush) ----------------------------------------------------

    def _lookup(self, key: str) -> tuple[dict[str, Any], list[ParseIssue]]:
        """The index entry for `key` (a copy), if its object is on disk with the recorded size,
        and any warnings. The object's bytes are not read or verified here (see _verified)."""
        with self._lock:
            self._ensure_index()
            entry = dict(self._index.get(key) or {})
            notes, self._index_notes = self._index_notes, []
        sha = entry.get("sha256")
        if not sha:
            return {}, notes
        try:
            size = os.stat(self._object_file(sha)).st_size
        except (OSError, TypeError):
            size = None
        if size != entry.get("size"):
            notes.append(_damaged())
            return {}, notes
        return entry, notes

    def _put(self, key: str, entry: dict[str, Any]) -> None:
        with self._lock:
            self._ensure_index()
            self._index[key] = entry
            self._dirty[key] = entry

    def _ensure_index(self) -> None:  # under self._lock
        if self._index is None:
            self._index, self._index_notes = self._load_index()
            self._trusted.update(_shas(self._index))

    def flush(self) -> None:
        """Write the entries changed since the last flush to the index file, merged with the
        file's current content (another process may have flushed since we read it). Raises
        OSError if the index cannot be written; the entries stay pending for another try.
        Several caches at once: flush_all."""
        failed = flush_all([self])
        if failed:
            raise failed[self]

    def _merged(self) -> dict[str, Any]:  # under self._lock and the index file's lock
        """The index to write: ours, and what other processes flushed since we read it. If the
        file is the one we last read or wrote, ours already holds all of it: no re-read."""
        if self._index is not None and _identity(self.root / INDEX) == self._on_disk:
            return self._index
        index, _ = self._read_index()
        for key, entry in self._dirty.items():
            if not _newer(index.get(key), entry):
                index[key] = entry
        return index

    def _load_index(self) -> tuple[dict[str, Any], list[ParseIssue]]:
        with open(self.root / "index.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_SH)
            return self._read_index()

    def _read_index(self) -> tuple[dict[str, Any], list[ParseIssue]]:
        """The index file's entries (and notes), remembering which file that was."""
        try:
            with open(self.root / INDEX, encoding="utf-8") as fh:
                self._on_disk = _identity_of(os.fstat(fh.fileno()))
                text = fh.read()
        except FileNotFoundError:
            self._on_disk = None
            return {}, []
        try:
            index = json.loads(text)
        except ValueError:
            index = None
        if not isinstance(index, dict):
            issue = ParseIssue("warning", "fetch_cache_damaged", "cache index unreadable; ignored")
            return {}, [issue]
        return index, []

    # -- the store ---------------------------------------------------------------------------

    def _keep(self, location, key, data: bytes, meta: dict, notes, verify: bool) -> FetchResult:
        now = datetime.now(UTC)
        sha = hashlib.sha256(data).hexdigest()
        fields = {name: meta.get(name) for name in FIELDS}
        entry = {"sha256": sha, "size": len(data), "fetched_at": now.isoformat()}
        entry |= _stored(fields, key)
        if meta.get("stat"):
            entry["stat"] = meta["stat"]
        issues = list(notes)
        try:
            self._write_object(sha, data, verify)
        except OSError as exc:  # the bytes are good; only the next run loses its fallback
            issues.append(
                ParseIssue("warning", "fetch_cache_write_failed", f"cache not updated: {exc}")
            )
        else:
            self._put(key, entry)  # only once its object is on disk
        return FetchResult(
            location, "fetched", data, sha, now, issues=issues, size=len(data), **fields
        )

    def _confirm(self, location, key, entry, cached: bytes, meta, notes) -> FetchResult:
        now = datetime.now(UTC)
        entry = dict(entry)
        entry["fetched_at"] = now.isoformat()
        # A 304 may carry fresh validators; keep the old ones otherwise.
        for name in ("etag", "last_modified"):
            if meta[name]:
                entry[name] = meta[name]
        self._put(key, entry)
        fields = _fields(entry, key) | {"http_status": 304, "final_url": meta["final_url"]}
        return FetchResult(
            location,
            "not_modified",
            cached,
            entry["sha256"],
            now,
            issues=list(notes),
            size=entry["size"],
            **fields,
        )

    def _unchanged_file(self, location, key, entry, notes) -> FetchResult:
        """A local file whose stat matches the one recorded when its bytes were hashed: the
        cached object (present, right size) is its content; nothing is read. The index is not
        touched either, so a no-change run writes nothing (its fetched_at stays the last read)."""
        return FetchResult(
            location,
            "not_modified",
            None,
            entry["sha256"],
            datetime.now(UTC),
            issues=list(notes),
            size=entry["size"],
            **_fields(entry, key),
        )

    def _fallback(self, location, issue, entry, http_status, final_url, notes) -> FetchResult:
        """A failed fetch: hand back the last good copy, verified, if there is one."""
        issues = [*notes]
        cached = self._verified(entry) if entry else None
        if entry and cached is None:
            issues.append(_damaged())
        issues.append(issue)
        if cached is None:
            result = _failed(location, issues)
            result.http_status, result.final_url = http_status, final_url
            return result
        issue.message += f"; using the copy fetched at {entry.get('fetched_at')}"
        fields = _fields(entry, None) | {"http_status": http_status, "final_url": final_url}
        when = _parse_time(entry.get("fetched_at"))
        return FetchResult(
            location,
            "cached",
            cached,
            entry["sha256"],
            when,
            issues=issues,
            size=len(cached),
            **fields,
        )

    def _verified(self, entry: dict[str, Any]) -> bytes | None:
        """The entry's cached bytes if they still hash to its sha256 (checked only when they
        are handed back: a 304 or a fallback), else None."""
        sha = entry.get("sha256")
        try:
            data = self._object_path(sha).read_bytes()
        except (OSError, TypeError):
            return None
        return data if hashlib.sha256(data).hexdigest() == sha else None

    def _object_path(self, sha: str) -> Path:
        return object_path(self.root, sha)

    def _object_file(self, sha: str) -> str:
        # _object_path as a plain string: checked once per source per run, so no Path object.
        return f"{self._objects}/{sha[:2]}/{sha}"

    def keep_object(self, sha: str, data: bytes) -> Path:
        """Make sure the bytes of `sha` are on disk (a failed cache write may have left them
        out) and return their path."""
        path = self._object_path(sha)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, data)
        return path

    def _write_object(self, sha: str, data: bytes, verify: bool = False) -> None:
        path = self._object_path(sha)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            size = None
        if size == len(data):
            # Content-addressed: an object the index names (so synced by a flush) or that this
            # instance wrote, of the right size, is these bytes unless damaged in place, which
            # _verified catches when it is handed back. Any other (e.g. left unsynced by a
            # crash), or any under `verify` (force), is hashed first.
            with self._lock:
                trusted = sha in self._trusted
            if (trusted and not verify) or sha256_file(path) == sha:
                with self._lock:
                    self._trusted.add(sha)
                return
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        _atomic_write(path, data, sync=False)  # synced by flush(), before the index names it
        with self._lock:
            self._trusted.add(sha)
            self._unsynced.append(path)


def flush_all(caches: Iterable[SourceCache]) -> dict[SourceCache, OSError]:
    """Flush several caches (one run's batches) together. Returns those whose index could not
    be written, with the error; their entries stay pending for another try.

    A flush makes files durable before the index names them: first the new objects, then the
    new index file, which replaces the old one only once synced. Caches flushed one by one pay
    that twice each (64 rounds of fsyncs for a 100,000-report catalog, over 1 s on a 1 %-changed
    night); together, all their new objects are synced in one go, then all their new index
    files, each with one syncfs when there are many. The index is written compact (the C JSON
    encoder; an indented dump is the pure-Python one, about 3x slower)."""
    caches = sorted(set(caches), key=lambda c: str(c.root))  # one lock order for everyone
    failed: dict[SourceCache, OSError] = {}
    with contextlib.ExitStack() as held:
        for cache in caches:
            held.enter_context(cache._lock)
        try:  # the objects first: an index must name durable ones
            _fsync_groups([(c.root, c._unsynced) for c in caches])
        except OSError as exc:
            return {c: exc for c in caches if c._unsynced or c._dirty}
        for cache in caches:
            cache._unsynced = []
        # Two instances on one root take turns: a second lock on the same file would wait on
        # our own first one.
        rounds: list[dict[Path, SourceCache]] = []
        for cache in (c for c in caches if c._dirty):
            free = next((r for r in rounds if cache.root not in r), None)
            if free is None:
                rounds.append(free := {})
            free[cache.root] = cache
        for turn in rounds:
            failed.update(_write_indexes(list(turn.values())))
    return failed


def _write_indexes(caches: list[SourceCache]) -> dict[SourceCache, OSError]:
    """Write the merged index of each cache (distinct roots, their locks held), sync the new
    files together, then swap each in; all under the index files' locks."""
    failed: dict[SourceCache, OSError] = {}
    pending: list[tuple[SourceCache, dict[str, Any], Path]] = []
    with contextlib.ExitStack() as locks:
        for cache in caches:
            try:
                lock_file = locks.enter_context(open(cache.root / "index.lock", "a"))
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                index = cache._merged()
                text = json.dumps(index, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                tmp = _write_tmp(cache.root / INDEX, text.encode("utf-8"))
            except OSError as exc:
                failed[cache] = exc
                continue
            pending.append((cache, index, tmp))
        try:
            _fsync_groups([(cache.root, [tmp]) for cache, _, tmp in pending])
        except OSError as exc:
            for cache, _, tmp in pending:
                failed[cache] = exc
                _unlink_quietly(tmp)
            return failed
        for cache, index, tmp in pending:
            try:
                os.replace(tmp, cache.root / INDEX)
            except OSError as exc:
                failed[cache] = exc
                _unlink_quietly(tmp)
                continue
            cache._on_disk = _identity(cache.root / INDEX)
            cache._index = index
            cache._trusted.update(_shas(index))
            cache._dirty = {}
    return failed


def _identity(path: Path) -> tuple | None:
    """Which file is at `path` (None: none): a replaced index is a new inode."""
    try:
        return _identity_of(os.stat(path))
    except OSError:  # none, or unknown: the next flush reads the file again
        return None


def _identity_of(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def object_path(root: Path, sha: str) -> Path:
    """Where a cache rooted at `root` keeps the bytes whose sha256 is `sha`."""
    return root / object_name(sha)


def object_name(sha: str) -> str:
    """object_path below the root, as text: cheap to build for every report at once."""
    return f"objects/{sha[:2]}/{sha}"


def _atomic_write(path: Path, data: bytes, sync: bool = True) -> None:
    tmp = _write_tmp(path, data, sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _write_tmp(path: Path, data: bytes, sync: bool = False) -> Path:
    """`data` in a new temporary file beside `path`, to be renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
    except BaseException:
        _unlink_quietly(Path(tmp))
        raise
    return Path(tmp)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# What an index entry keeps about the response besides sha256, size, fetched_at and stat.
FIELDS = ("http_status", "etag", "last_modified", "final_url", "content_type")


def _stored(fields: dict[str, Any], key: str) -> dict[str, Any]:
    """The fields worth writing into an entry: a local file has none, and a final URL is
    mostly the key itself. The index of 100,000 entries is read whole on every run."""
    return {
        name: value
        for name, value in fields.items()
        if value is not None and not (name == "final_url" and value == key)
    }


def _fields(entry: dict[str, Any], key: str | None) -> dict[str, Any]:
    """The entry's FIELDS, None where left out (see _stored); the final URL defaults to `key`."""
    return {
        "http_status": entry.get("http_status"),
        "etag": entry.get("etag"),
        "last_modified": entry.get("last_modified"),
        "final_url": entry.get("final_url", key),
        "content_type": entry.get("content_type"),
    }


def _failed(location: str, issues: list[ParseIssue]) -> FetchResult:
    return FetchResult(
        location, "failed", None, None, datetime.now(UTC), None, None, None, None, None, issues
    )


def _fsync_one(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # removed since: an index entry for it reads as "missing"
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_all(paths: list[Path]) -> None:
    """Make many just-written files durable. Raises the first OSError.

    A big batch (a cold fetch writes thousands of objects) takes one syncfs(2) of the cache's
    filesystem: it commits every dirty file and directory entry in one journal flush, ~6x
    faster than even concurrent fsyncs at 10,000 small files, and it covers the renames too.
    Small batches, and systems without syncfs, fsync file by file; concurrent fsyncs let the
    filesystem commit them together (about 5x faster than one by one)."""
    if len(paths) >= SYNCFS_MIN and _syncfs(paths[0].parent):
        return
    if len(paths) < 4:
        for path in paths:
            _fsync_one(path)
        return
    with ThreadPoolExecutor(max_workers=min(16, len(paths))) as pool:
        for _ in pool.map(_fsync_one, paths):
            pass


def _fsync_groups(groups: list[tuple[Path, list[Path]]]) -> None:
    """_fsync_all over the files of several caches, `(root, files)` each, in one go per
    filesystem (syncfs covers one filesystem). Raises the first OSError."""
    by_device: dict[int, list[Path]] = {}
    for root, files in groups:
        if files:
            by_device.setdefault(os.stat(root).st_dev, []).extend(files)
    for files in by_device.values():
        _fsync_all(files)


SYNCFS_MIN = 64  # below this, per-file fsyncs cost less than flushing the whole filesystem
_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _syncfs(folder: Path) -> bool:
    """syncfs(2) on the filesystem holding `folder`; False where there is none (not Linux) so
    the caller fsyncs file by file. Since Linux 5.8 it reports writeback errors."""
    call = getattr(_LIBC, "syncfs", None)
    if call is None:
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        if call(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"syncfs: {os.strerror(err)}", str(folder))
    finally:
        os.close(fd)
    return True


def _shas(index: dict[str, Any]) -> set[str]:
    return {e["sha256"] for e in index.values() if isinstance(e, dict) and e.get("sha256")}


def _damaged() -> ParseIssue:
    return ParseIssue("warning", "fetch_cache_damaged", "cached copy missing or damaged")


def _stat(path: str | None) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, TypeError):
        return None


def _stat_key(st: os.stat_result | None) -> list[int] | None:
    """What must match for a local file to count as unchanged (a list: it survives JSON)."""
    if st is None or not stat.S_ISREG(st.st_mode):
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _newer(on_disk: dict[str, Any] | None, ours: dict[str, Any]) -> bool:
    """True if the entry another process flushed was fetched after ours (keep it)."""
    if not isinstance(on_disk, dict) or not on_disk.get("fetched_at"):
        return False
    return _parse_time(on_disk.get("fetched_at")) > _parse_time(ours.get("fetched_at"))


def _parse_time(text: str | None) -> datetime:
    try:
        when = datetime.fromisoformat(text) if text else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        return datetime.now(UTC)
    return when
