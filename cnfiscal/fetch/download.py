"""One HTTP(S) source: redirects followed by hand, bounded retries with backoff, a streamed
body under a size cap, and a total deadline so a bad server cannot hang the pipeline."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from cnfiscal.fetch.ratelimit import HostRateLimiter
from cnfiscal.fetch.types import FetchConfig, fetch_error
from cnfiscal.model import ParseIssue

REDIRECTS = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024


@dataclass
class HttpOutcome:
    status: str  # "fetched" | "not_modified" | "failed"
    final_url: str
    content: bytes | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    issue: ParseIssue | None = None


class _AttemptFailed(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        retryable: bool,
        http_status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.http_status = http_status
        self.retry_after = retry_after


class _Session(requests.Session):
    """requests, even with allow_redirects=False, reads a redirect's whole body (unbounded)
    to prepare `Response.next`. We follow redirects ourselves from the Location header, so
    tell requests there is never one to resolve."""

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


@dataclass
class _Redirect:
    status: int
    target: str


def host_key(url: str) -> str:
    # Politeness is owed to the machine, so http and https (and any port) share one slot.
    return (urlsplit(url).hostname or "").lower()


def http_get(
    url: str,
    config: FetchConfig,
    limiter: HostRateLimiter,
    etag: str | None = None,
    last_modified: str | None = None,
    rng: random.Random | None = None,
) -> HttpOutcome:
    """GET `url`. Sends If-None-Match / If-Modified-Since when validators are given."""
    headers = {"User-Agent": config.user_agent, "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + config.total_deadline_s
    # A session per source: requests.Session is not documented as thread-safe, and the
    # pipeline may fetch from several threads sharing one SourceCache.
    with _Session() as session:
        return _run(session, url, headers, config, limiter, deadline, rng or random.Random())


def _run(session, url, headers, config, limiter, deadline, rng) -> HttpOutcome:
    current = urldefrag(url).url
    seen = {current}
    hops = 0
    failures = 0
    last_status: int | None = None

    def fail(code: str, message: str) -> HttpOutcome:
        return HttpOutcome(
            "failed", current, http_status=last_status, issue=fetch_error(code, message, current)
        )

    while True:
        if time.monotonic() >= deadline:
            return fail("fetch_timeout", f"total deadline of {config.total_deadline_s}s reached")
        if not limiter.acquire(host_key(current), deadline):
            return fail("fetch_timeout", "rate-limit wait would pass the total deadline")
        try:
            result = _attempt(session, current, headers, config, deadline)
        except _AttemptFailed as err:
            last_status = err.http_status
            tries = failures + 1
            if err.retryable and failures < config.retries:
                delay = _backoff(config, failures, err.retry_after, rng)
                if time.monotonic() + delay < deadline:
                    failures += 1
                    time.sleep(delay)
                    continue
                return fail(err.code, f"{err.message}; no time left to retry after {tries} tries")
            suffix = f" (after {tries} tries)" if tries > 1 else ""
            return fail(err.code, err.message + suffix)
        if isinstance(result, HttpOutcome):
            return result
        last_status = result.status
        try:
            target = urldefrag(urljoin(current, result.target)).url
            scheme = urlsplit(target).scheme.lower()
        except ValueError:
            return fail("fetch_bad_location", f"malformed redirect target: {result.target!r}")
        if scheme not in ("http", "https"):
            return fail("fetch_scheme_not_allowed", f"redirect to a disallowed scheme: {target}")
        if target in seen:
            return fail("fetch_redirect_loop", f"redirect loop back to {target}")
        hops += 1
        if hops > config.max_redirects:
            return fail("fetch_too_many_redirects", f"more than {config.max_redirects} redirects")
        seen.add(target)
        current = target


def _attempt(session, url, headers, config, deadline) -> HttpOutcome | _Redirect:
    budget = max(0.01, min(config.timeout_s, deadline - time.monotonic()))
    attempt_deadline = time.monotonic() + budget
    try:
        resp = session.get(
            url, headers=headers, stream=True, allow_redirects=False, timeout=(budget, budget)
        )
    except requests.Timeout as exc:
        raise _AttemptFailed("fetch_timeout", f"no response within {budget:.1f}s", True) from exc
    except requests.exceptions.SSLError as exc:
        raise _AttemptFailed("fetch_tls_error", f"TLS error: {exc}", False) from exc
    except requests.ConnectionError as exc:
        raise _AttemptFailed("fetch_connection_error", f"connection failed: {exc}", True) from exc
    except requests.RequestException as exc:
        raise _AttemptFailed("fetch_bad_location", f"request not possible: {exc}", False) from exc

    with resp:
        code = resp.status_code
        meta = {
            "final_url": url,
            "http_status": code,
            "etag": resp.headers.get("ETag"),
            "last_modified": resp.headers.get("Last-Modified"),
            "content_type": resp.headers.get("Content-Type"),
        }
        if code in REDIRECTS and resp.headers.get("Location"):
            return _Redirect(code, resp.headers["Location"])
        if code == 304:
            return HttpOutcome("not_modified", **meta)
        if code in (408, 429) or code >= 500:
            raise _AttemptFailed(
                "fetch_http_error",
                f"HTTP {code}",
                True,
                code,
                _retry_after(resp.headers.get("Retry-After")),
            )
        if code in (404, 410):
            raise _AttemptFailed("fetch_not_found", f"HTTP {code}", False, code)
        if not 200 <= code < 300:
            raise _AttemptFailed("fetch_http_error", f"HTTP {code}", False, code)
        try:
            body = _read_body(resp, config.max_bytes, attempt_deadline)
        except _AttemptFailed as err:
            err.http_status = code
            raise
        return HttpOutcome("fetched", content=body, **meta)


def _read_body(resp: requests.Response, max_bytes: int, attempt_deadline: float) -> bytes:
    declared = _int_or_none(resp.headers.get("Content-Length"))
    if declared is not None and declared > max_bytes:
        raise _AttemptFailed(
            "fetch_too_large", f"Content-Length {declared} is over the {max_bytes}-byte cap", False
        )
    raw = resp.raw
    buf = bytearray()
    try:
        while True:
            # read1 does at most one socket read, each bounded by the read timeout, so this
            # check keeps a slow-drip server within about one timeout of the attempt budget.
            if time.monotonic() > attempt_deadline:
                raise _AttemptFailed("fetch_timeout", "body download took too long", True)
            chunk = raw.read1(CHUNK, decode_content=True)
            if not chunk:
                break
            buf += chunk
            if len(buf) > max_bytes:
                raise _AttemptFailed(
                    "fetch_too_large", f"body is over the {max_bytes}-byte cap", False
                )
    except ReadTimeoutError as exc:
        raise _AttemptFailed("fetch_timeout", "body stalled past the read timeout", True) from exc
    except ProtocolError as exc:
        # urllib3 raises this for IncompleteRead (short body) and connections cut mid-body.
        got = raw.tell()
        raise _AttemptFailed(
            "fetch_truncated", f"body cut off after {got} of {declared} bytes: {exc}", True
        ) from exc
    except DecodeError as exc:
        raise _AttemptFailed("fetch_decode_error", f"bad Content-Encoding: {exc}", False) from exc
    except OSError as exc:
        raise _AttemptFailed("fetch_connection_error", f"read failed: {exc}", True) from exc
    # raw.tell() counts bytes on the wire (before gzip decoding), which is what Content-Length
    # describes.
    if declared is not None and raw.tell() < declared:
        raise _AttemptFailed(
            "fetch_truncated", f"body has {raw.tell()} of {declared} declared bytes", True
        )
    return bytes(buf)


def _backoff(config: FetchConfig, failures: int, retry_after: float | None, rng) -> float:
    delay = min(config.backoff_cap_s, config.backoff_s * (2**failures))
    delay *= rng.uniform(0.5, 1.0)  # jitter so parallel fetches don't retry in lockstep
    if retry_after is not None:
        delay = max(delay, min(retry_after, config.backoff_cap_s))
    return delay


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
