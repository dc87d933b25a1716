"""Every request discovery makes, through cnfiscal.fetch: robots.txt first, the per-host rate
limit, timeouts, size cap, capped HTTP redirects and http/https only, as for the reports.

Pages (lists, articles) go through a cache of their own under warehouse/discovery (so a night
re-reads them with conditional GETs); documents go through the pipeline's source cache, in
the batch folder the ingest will look in (cnfiscal.ingest.cache_root), so the ingest that
follows gets a 304 instead of downloading them again. All share one rate limiter. Script and
meta-refresh redirects on stub pages are followed here, a few hops."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnfiscal.discover.pages import Page, parse_page
from cnfiscal.discover.robots import Robots
from cnfiscal.discover.urls import entry_id, normalize, scheme_of
from cnfiscal.fetch import FetchConfig, FetchResult, HostRateLimiter, SourceCache
from cnfiscal.readers.dispatch import sniff_format

MAX_PAGE_REDIRECTS = 3


@dataclass
class Got:
    url: str  # the address asked for
    final_url: str  # after HTTP and page redirects: the base of relative links
    data: bytes
    fmt: str  # sniff_format of the bytes: html, pdf, docx, xlsx, ole, zip, txt, …
    sha256: str
    page: Page | None = None  # parsed, when fmt is html
    source_url: str = ""  # the address that serves these bytes (after page redirects only)


@dataclass
class Refused:
    reason: str
    detail: str
    url: str


class Net:
    def __init__(self, pages_root: Path, cache_dir: Path, config: FetchConfig):
        self.config = config
        self.limiter = HostRateLimiter(config.per_host_interval_s)
        self.pages = SourceCache(pages_root, config, self.limiter)
        self.cache_dir = cache_dir
        self._documents: dict[Path, SourceCache] = {}
        self.robots = Robots(self.pages)
        self.fetches = 0

    @property
    def requests(self) -> int:
        return self.fetches + self.robots.requests

    def flush(self) -> None:
        self.pages.flush()
        for cache in self._documents.values():
            cache.flush()

    def _document_cache(self, url: str) -> SourceCache:
        from cnfiscal.ingest import cache_root

        root = cache_root(self.cache_dir, entry_id(url))
        if root not in self._documents:
            self._documents[root] = SourceCache(root, self.config, self.limiter)
        return self._documents[root]

    def _get(self, cache: SourceCache, url: str) -> FetchResult | Refused:
        if scheme_of(url) not in ("http", "https"):
            return Refused("scheme_not_allowed", f"{scheme_of(url)}: links are not followed", url)
        refusal = self.robots.refusal(url)
        if refusal:
            return Refused(*refusal, url)
        self.fetches += 1
        result = cache.fetch(url)
        # A failed fetch hands back the last good copy ("cached"); for discovery the address
        # is down tonight, whatever it served before.
        if result.status in ("failed", "cached") or result.content is None:
            issue = next((i for i in reversed(result.issues) if i.severity == "error"), None)
            code = issue.code if issue else "fetch_failed"
            detail = issue.message if issue else "no content"
            if result.http_status:
                detail = f"HTTP {result.http_status}: {detail}"
            return Refused(code, detail, url)
        return result

    def document(self, url: str) -> Got | Refused:
        result = self._get(self._document_cache(url), url)
        if isinstance(result, Refused):
            return result
        return Got(
            url,
            result.final_url or url,
            result.content,
            sniff_format(result.content),
            result.sha256,
        )

    def page(self, url: str) -> Got | Refused:
        """A page, parsed when it is HTML; stub pages that move the browser on by script or
        meta refresh are followed (a loop, or one computed by script, is refused)."""
        seen = {normalize(url)}
        current = url
        for _ in range(MAX_PAGE_REDIRECTS + 1):
            result = self._get(self.pages, current)
            if isinstance(result, Refused):
                if current != url:
                    result.detail += f" (after a page redirect to {current})"
                return Refused(result.reason, result.detail, url)
            final = result.final_url or current
            fmt = sniff_format(result.content)
            got = Got(url, final, result.content, fmt, result.sha256, source_url=current)
            if fmt != "html":
                return got
            got.page = parse_page(result.content, final)
            stub = got.page.stub
            if stub == "js_redirect":
                return Refused("js_redirect", "the page moves on by a script address", url)
            if stub == "bot_challenge":
                return Refused("bot_challenge", "a cookie challenge for robots", url)
            if stub == "script_page":
                return Refused("script_page", "a near-empty page filled in by script", url)
            if stub != "redirect":
                return got
            target = got.page.redirect
            if normalize(target) in seen:
                return Refused("redirect_loop", f"page redirect loop back to {target}", url)
            seen.add(normalize(target))
            current = target
        return Refused("too_many_redirects", f"more than {MAX_PAGE_REDIRECTS} page redirects", url)
