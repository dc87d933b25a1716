"""Get each catalog entry's bytes: local paths, file:// and http(s) URLs, with a cache of the
last good copy so a failed fetch falls back to the previous version instead of losing it.

Error issue codes: fetch_http_error, fetch_not_found, fetch_timeout, fetch_connection_error,
fetch_tls_error, fetch_too_large, fetch_truncated, fetch_decode_error, fetch_redirect_loop,
fetch_too_many_redirects, fetch_scheme_not_allowed, fetch_bad_location, fetch_read_error,
fetch_internal_error. Warnings: fetch_cache_damaged, fetch_cache_write_failed.
"""

from cnfiscal.fetch.cache import SourceCache, object_path
from cnfiscal.fetch.ratelimit import HostRateLimiter
from cnfiscal.fetch.types import FetchConfig, FetchResult

__all__ = ["FetchConfig", "FetchResult", "HostRateLimiter", "SourceCache", "object_path"]
