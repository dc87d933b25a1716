"""Per-host rate limiting. Only lower bounds on gaps are asserted: a busy machine makes gaps
longer, never shorter."""

from __future__ import annotations

import threading
import time

from cnfiscal.fetch import HostRateLimiter, SourceCache


def test_sequential_requests_to_one_host_are_spaced(server, make_config, tmp_path):
    server.routes["/r"] = lambda h: server.reply(h, 200, b"ok")
    cache = SourceCache(tmp_path, make_config(per_host_interval_s=0.2))
    for _ in range(3):
        assert cache.fetch(server.url("/r")).status == "fetched"
    times = [t for t, path, _ in server.log if path == "/r"]
    assert len(times) == 3
    assert all(b - a >= 0.15 for a, b in zip(times, times[1:], strict=False))


def test_concurrent_requests_share_the_limiter(server, make_config, tmp_path):
    for n in range(4):
        server.routes[f"/c{n}"] = lambda h: server.reply(h, 200, b"ok")
    cache = SourceCache(tmp_path, make_config(per_host_interval_s=0.2))
    threads = [threading.Thread(target=cache.fetch, args=(server.url(f"/c{n}"),)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    times = sorted(t for t, _, _ in server.log)
    assert len(times) == 4
    assert all(b - a >= 0.15 for a, b in zip(times, times[1:], strict=False))


def test_limiter_keeps_hosts_independent_and_respects_deadline():
    limiter = HostRateLimiter(30.0)
    assert limiter.acquire("a.gov.cn")
    started = time.monotonic()
    assert limiter.acquire("b.gov.cn")  # another host: no wait
    # The next slot for host a is 30 s away, past this deadline: refused, not slept.
    assert not limiter.acquire("a.gov.cn", deadline=time.monotonic() + 1.0)
    assert time.monotonic() - started < 10


def test_rate_limit_wait_past_the_deadline_fails_fast(server, make_config, tmp_path):
    server.routes["/w"] = lambda h: server.reply(h, 200, b"ok")
    cache = SourceCache(tmp_path, make_config(per_host_interval_s=30.0, total_deadline_s=1.0))
    assert cache.fetch(server.url("/w")).status == "fetched"
    started = time.monotonic()
    result = cache.fetch(server.url("/w"), force=True)
    assert time.monotonic() - started < 10
    assert result.status == "cached"  # the earlier copy stands in
    assert [i.code for i in result.issues] == ["fetch_timeout"]
