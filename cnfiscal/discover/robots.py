"""robots.txt, read once per site and run through the discovery page cache (so a night
re-reads it with a conditional GET). RFC 9309: a robots.txt that is missing (4xx) allows
everything; one that cannot be reached (5xx, timeout, refused) forbids everything until it
can. A Crawl-delay slows the host's rate limit, up to a cap."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from cnfiscal.fetch import SourceCache
from cnfiscal.fetch.download import host_key

MAX_CRAWL_DELAY_S = 30.0


class Robots:
    def __init__(self, cache: SourceCache):
        self.cache = cache
        self.agent = cache.config.user_agent
        self._sites: dict[str, tuple[RobotFileParser | None, str]] = {}
        self.requests = 0

    def _site(self, url: str) -> tuple[RobotFileParser | None, str]:
        parts = urlsplit(url)
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        if origin in self._sites:
            return self._sites[origin]
        result = self.cache.fetch(origin + "/robots.txt")
        self.requests += 1
        if result.status in ("fetched", "not_modified", "cached") and result.content is not None:
            parser = RobotFileParser()
            parser.parse(result.content.decode("utf-8", errors="replace").splitlines())
            delay = parser.crawl_delay(self.agent)
            if delay:
                self.cache.limiter.set_interval(host_key(url), min(float(delay), MAX_CRAWL_DELAY_S))
            verdict = (parser, "")
        elif result.http_status is not None and 400 <= result.http_status < 500:
            verdict = (None, "")  # no robots.txt: everything allowed
        else:
            why = result.issues[-1].message if result.issues else "unreachable"
            verdict = (None, f"robots.txt unreachable ({why}): the site is not crawled")
        self._sites[origin] = verdict
        return verdict

    def refusal(self, url: str) -> tuple[str, str] | None:
        """(reason, detail) when `url` must not be fetched, else None."""
        parser, unreachable = self._site(url)
        if unreachable:
            return "robots_unavailable", unreachable
        if parser is not None and not parser.can_fetch(self.agent, url):
            return "robots_disallowed", "robots.txt disallows it"
        return None
