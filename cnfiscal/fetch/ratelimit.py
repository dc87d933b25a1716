"""Per-host politeness: a minimum gap between the starts of requests to the same host."""

from __future__ import annotations

import threading
import time


class HostRateLimiter:
    """Thread-safe. Each caller reserves the next free slot for its host under a lock, then
    sleeps outside it, so concurrent callers queue in order without blocking other hosts."""

    def __init__(self, interval_s: float):
        self.interval_s = max(0.0, interval_s)
        self._lock = threading.Lock()
        self._next_free: dict[str, float] = {}
        self._intervals: dict[str, float] = {}  # hosts that asked for a longer gap

    def set_interval(self, host: str, interval_s: float) -> None:
        """A longer gap for one host (a robots.txt Crawl-delay); never shorter than the
        default."""
        with self._lock:
            self._intervals[host] = max(self.interval_s, interval_s)

    def acquire(self, host: str, deadline: float | None = None) -> bool:
        """Wait for this host's next slot. Returns False (without reserving) if the slot
        would start after `deadline` (a time.monotonic() value)."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_free.get(host, now))
            if deadline is not None and slot > deadline:
                return False
            self._next_free[host] = slot + self._intervals.get(host, self.interval_s)
        wait = slot - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        return True
