"""Get each catalog entry's bytes: local paths, file:// and http(s) URLs, with a cache of the
last good copy so a failed fetch falls back to the previous version instead of losing it."""

from cnfiscal.fetch.cache import SourceCache
from cnfiscal.fetch.ratelimit import HostRateLimiter
from cnfiscal.fetch.types import FetchConfig, FetchResult

__all__ = ["FetchConfig", "FetchResult", "HostRateLimiter", "SourceCache"]
