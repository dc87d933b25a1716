"""The fetch settings and the result handed to the pipeline for one catalog entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cnfiscal.model import ParseIssue

STATUSES = ("fetched", "not_modified", "cached", "failed")


@dataclass
class FetchConfig:
    timeout_s: float = 20.0  # connect+read per attempt
    total_deadline_s: float = 60.0  # all attempts, redirects and backoff for one source
    retries: int = 3  # on 5xx, 429, timeouts, connection errors
    backoff_s: float = 0.5  # exponential with jitter, capped
    max_bytes: int = 100 * 1024 * 1024
    max_redirects: int = 5
    per_host_interval_s: float = 1.0  # minimum gap between requests to one host
    user_agent: str = "cnfiscal/0.1 (+open budget data)"
    backoff_cap_s: float = 30.0  # longest single wait between attempts


@dataclass
class FetchResult:
    """One source's fetch. `sha256` names the bytes to parse; they are always in the cache's
    object store (`object_path(root, sha256)`) when the result is ok, so `content` is only a
    convenience: the bytes when this fetch had them in hand (a download, a file read, a 304 or
    a fallback, both verified against the sha), None for a local file whose stat matched the
    cache (not_modified without reading it). Use `ok` and `size`, not `content`, to tell
    whether there is something to parse and how big it is."""

    location: str
    status: str  # "fetched" | "not_modified" | "cached" | "failed"
    content: bytes | None  # the bytes, when read (see above); None when failed
    sha256: str | None
    fetched_at: datetime  # UTC; for "cached", when the returned copy was last fetched/confirmed
    http_status: int | None
    etag: str | None
    last_modified: str | None
    final_url: str | None
    content_type: str | None
    issues: list[ParseIssue] = field(default_factory=list)
    size: int | None = None  # bytes behind sha256

    @property
    def ok(self) -> bool:
        """True when there are bytes to parse (fresh, confirmed or the last good copy)."""
        return self.sha256 is not None and self.status != "failed"


def fetch_error(code: str, message: str, quote: str = "") -> ParseIssue:
    return ParseIssue(severity="error", code=code, message=message, quote=quote)
