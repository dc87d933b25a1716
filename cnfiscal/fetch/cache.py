"""SourceCache: the last good copy of every source, so a failed fetch never loses data."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import random
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cnfiscal.checksums import sha256_file
from cnfiscal.fetch.download import http_get
from cnfiscal.fetch.local import classify, read_local
from cnfiscal.fetch.ratelimit import HostRateLimiter
from cnfiscal.fetch.types import FetchConfig, FetchResult, fetch_error
from cnfiscal.model import ParseIssue

INDEX = "index.json"


class SourceCache:
    """Last good copy of each source on disk (content-addressed by sha256) plus its validators
    (ETag, Last-Modified) in a small JSON index written atomically (tmp file + os.replace).

    Safe to share between threads; the index update also takes a file lock, so several
    processes (e.g. parallel pipeline steps) can use the same root.
    """

    def __init__(self, root: Path, config: FetchConfig | None = None):
        self.root = Path(root)
        self.config = config or FetchConfig()
        self.limiter = HostRateLimiter(self.config.per_host_interval_s)
        self._lock = threading.Lock()
        self._rng = random.Random()
        (self.root / "objects").mkdir(parents=True, exist_ok=True)

    def fetch(
        self, location: str, base_dir: Path | None = None, force: bool = False
    ) -> FetchResult:
        """Never raises: any failure comes back as status "failed" (or "cached") with issues."""
        try:
            return self._fetch(location, base_dir, force)
        except Exception as exc:  # a bug here must not stop the whole pipeline run
            issue = fetch_error("fetch_internal_error", f"{type(exc).__name__}: {exc}")
            return _failed(location, [issue])

    def _fetch(self, location: str, base_dir: Path | None, force: bool) -> FetchResult:
        loc = classify(location, base_dir)
        if loc.kind == "bad":
            return _failed(location, [loc.issue])
        entry, cached, notes = self._last_good(loc.key)

        if loc.kind == "local":
            data, issue = read_local(loc.path, self.config.max_bytes)
            if issue is not None:
                return _fallback(location, issue, entry, cached, None, loc.key, notes)
            return self._keep(location, loc.key, data, {"final_url": loc.key}, notes)

        use_validators = cached is not None and not force
        out = http_get(
            loc.key,
            self.config,
            self.limiter,
            etag=entry.get("etag") if use_validators else None,
            last_modified=entry.get("last_modified") if use_validators else None,
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
            return self._keep(location, loc.key, out.content, meta, notes)
        if out.status == "not_modified":
            if not use_validators:
                issue = fetch_error("fetch_http_error", "HTTP 304 to an unconditional request")
                return _fallback(location, issue, entry, cached, 304, out.final_url, notes)
            return self._confirm(location, loc.key, entry, cached, meta, notes)
        return _fallback(location, out.issue, entry, cached, out.http_status, out.final_url, notes)

    # -- the store ---------------------------------------------------------------------------

    def _keep(self, location, key, data: bytes, meta: dict, notes) -> FetchResult:
        now = datetime.now(UTC)
        sha = hashlib.sha256(data).hexdigest()
        entry = {
            "sha256": sha,
            "size": len(data),
            "fetched_at": now.isoformat(),
            "http_status": meta.get("http_status"),
            "etag": meta.get("etag"),
            "last_modified": meta.get("last_modified"),
            "final_url": meta.get("final_url"),
            "content_type": meta.get("content_type"),
        }
        issues = list(notes)
        try:
            self._write_object(sha, data)
            self._update_index(key, entry)
        except OSError as exc:  # the bytes are good; only the next run loses its fallback
            issues.append(
                ParseIssue("warning", "fetch_cache_write_failed", f"cache not updated: {exc}")
            )
        return FetchResult(location, "fetched", data, sha, now, issues=issues, **_fields(entry))

    def _confirm(self, location, key, entry, cached, meta, notes) -> FetchResult:
        now = datetime.now(UTC)
        entry = dict(entry)
        entry["fetched_at"] = now.isoformat()
        # A 304 may carry fresh validators; keep the old ones otherwise.
        for name in ("etag", "last_modified"):
            entry[name] = meta[name] or entry.get(name)
        issues = list(notes)
        try:
            self._update_index(key, entry)
        except OSError as exc:
            issues.append(
                ParseIssue("warning", "fetch_cache_write_failed", f"cache not updated: {exc}")
            )
        fields = _fields(entry) | {"http_status": 304, "final_url": meta["final_url"]}
        return FetchResult(
            location, "not_modified", cached, entry["sha256"], now, issues=issues, **fields
        )

    def _last_good(self, key: str) -> tuple[dict[str, Any], bytes | None, list[ParseIssue]]:
        """The index entry and its verified bytes; a missing or damaged copy counts as none."""
        index, notes = self._read_index()
        entry = index.get(key) or {}
        sha = entry.get("sha256")
        if not sha:
            return {}, None, notes
        try:
            data = self._object_path(sha).read_bytes()
        except OSError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            notes.append(
                ParseIssue("warning", "fetch_cache_damaged", "cached copy missing or damaged")
            )
            return {}, None, notes
        return entry, data, notes

    def _object_path(self, sha: str) -> Path:
        return object_path(self.root, sha)

    def keep_object(self, sha: str, data: bytes) -> Path:
        """Make sure the bytes of `sha` are on disk (a failed cache write may have left them
        out) and return their path."""
        path = self._object_path(sha)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, data)
        return path

    def _write_object(self, sha: str, data: bytes) -> None:
        path = self._object_path(sha)
        if path.is_file() and path.stat().st_size == len(data) and sha256_file(path) == sha:
            return  # content-addressed: already there (and not damaged)
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data)

    def _read_index(self) -> tuple[dict[str, Any], list[ParseIssue]]:
        try:
            text = (self.root / INDEX).read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}, []
        try:
            index = json.loads(text)
        except ValueError:
            index = None
        if not isinstance(index, dict):
            issue = ParseIssue("warning", "fetch_cache_damaged", "cache index unreadable; ignored")
            return {}, [issue]
        return index, []

    def _update_index(self, key: str, entry: dict[str, Any]) -> None:
        # Re-read under the locks so concurrent writers (threads or processes) don't drop
        # each other's entries.
        with self._lock, open(self.root / "index.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            index, _ = self._read_index()
            index[key] = entry
            text = json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True)
            _atomic_write(self.root / INDEX, text.encode("utf-8"))


def object_path(root: Path, sha: str) -> Path:
    """Where a cache rooted at `root` keeps the bytes whose sha256 is `sha`."""
    return root / "objects" / sha[:2] / sha


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fields(entry: dict[str, Any]) -> dict[str, Any]:
    names = ("http_status", "etag", "last_modified", "final_url", "content_type")
    return {name: entry.get(name) for name in names}


def _failed(location: str, issues: list[ParseIssue]) -> FetchResult:
    return FetchResult(
        location, "failed", None, None, datetime.now(UTC), None, None, None, None, None, issues
    )


def _fallback(location, issue, entry, cached, http_status, final_url, notes) -> FetchResult:
    """A failed fetch: hand back the last good copy if there is one, with the error."""
    issues = [*notes, issue]
    if cached is None:
        result = _failed(location, issues)
        result.http_status, result.final_url = http_status, final_url
        return result
    issue.message += f"; using the copy fetched at {entry.get('fetched_at')}"
    fields = _fields(entry) | {"http_status": http_status, "final_url": final_url}
    when = _parse_time(entry.get("fetched_at"))
    return FetchResult(location, "cached", cached, entry["sha256"], when, issues=issues, **fields)


def _parse_time(text: str | None) -> datetime:
    try:
        when = datetime.fromisoformat(text) if text else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        return datetime.now(UTC)
    return when
