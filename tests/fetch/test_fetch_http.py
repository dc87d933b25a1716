"""Downloading over HTTP against a real loopback server: retries, timeouts, caps, bytes intact."""

from __future__ import annotations

import gzip
import hashlib
import socket
import time

from cnfiscal.fetch import SourceCache

BODY = "2024年部门预算公开说明".encode()


def codes(result) -> list[str]:
    return [issue.code for issue in result.issues]


def test_retries_after_500s_then_succeeds(server, make_config, tmp_path):
    calls = []

    def flaky(h):
        calls.append(1)
        if len(calls) <= 2:
            server.reply(h, 500, b"busy")
        else:
            server.reply(h, 200, BODY, {"Content-Type": "text/html"})

    server.routes["/flaky"] = flaky
    result = SourceCache(tmp_path, make_config(retries=3)).fetch(server.url("/flaky"))
    assert result.status == "fetched"
    assert result.content == BODY
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()
    assert result.http_status == 200
    assert result.content_type == "text/html"
    assert result.issues == []
    assert result.fetched_at.tzinfo is not None
    assert len(server.hits("/flaky")) == 3


def test_always_500_fails_after_bounded_retries(server, make_config, tmp_path):
    server.routes["/down"] = lambda h: server.reply(h, 503, b"down")
    started = time.monotonic()
    result = SourceCache(tmp_path, make_config(retries=2)).fetch(server.url("/down"))
    assert time.monotonic() - started < 8
    assert result.status == "failed"
    assert result.content is None and result.sha256 is None
    assert result.http_status == 503
    assert codes(result) == ["fetch_http_error"]
    assert result.issues[0].severity == "error"
    assert len(server.hits("/down")) == 3  # one try plus two retries


def test_429_honours_retry_after_then_succeeds(server, make_config, tmp_path):
    calls = []

    def limited(h):
        calls.append(1)
        if len(calls) == 1:
            server.reply(h, 429, b"", {"Retry-After": "0"})
        else:
            server.reply(h, 200, BODY)

    server.routes["/limited"] = limited
    result = SourceCache(tmp_path, make_config()).fetch(server.url("/limited"))
    assert result.status == "fetched" and result.content == BODY


def test_404_is_not_retried(server, make_config, tmp_path):
    result = SourceCache(tmp_path, make_config(retries=3)).fetch(server.url("/missing"))
    assert result.status == "failed"
    assert result.http_status == 404
    assert codes(result) == ["fetch_not_found"]
    assert len(server.hits("/missing")) == 1


def test_slow_response_times_out(server, make_config, tmp_path):
    def slow(h):
        time.sleep(3)
        server.reply(h, 200, BODY)

    server.routes["/slow"] = slow
    config = make_config(timeout_s=0.3, retries=1)
    started = time.monotonic()
    result = SourceCache(tmp_path, config).fetch(server.url("/slow"))
    assert time.monotonic() - started < 2.5  # well before the server would answer
    assert result.status == "failed"
    assert codes(result) == ["fetch_timeout"]
    assert len(server.hits("/slow")) == 2


def test_slow_drip_body_is_cut_by_the_total_deadline(server, make_config, tmp_path):
    # Each byte arrives within the read timeout, so only the deadline can stop it.
    def drip(h):
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(1000):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.05)

    server.routes["/drip"] = drip
    config = make_config(timeout_s=0.5, total_deadline_s=1.0, retries=5)
    started = time.monotonic()
    result = SourceCache(tmp_path, config).fetch(server.url("/drip"))
    assert time.monotonic() - started < 5  # the full body would take 50 s
    assert result.status == "failed"
    assert codes(result) == ["fetch_timeout"]


def test_truncated_body_fails(server, make_config, tmp_path):
    server.routes["/short"] = lambda h: server.reply(h, 200, b"only ten b", content_length=100)
    result = SourceCache(tmp_path, make_config(retries=1)).fetch(server.url("/short"))
    assert result.status == "failed"
    assert result.content is None
    assert codes(result) == ["fetch_truncated"]
    assert len(server.hits("/short")) == 2  # a cut connection is worth one more try


def test_gbk_body_with_wrong_charset_comes_through_unchanged(server, make_config, tmp_path):
    gbk = "<html><body>某某局2024年部门预算</body></html>".encode("gbk")
    headers = {"Content-Type": "text/html; charset=utf-8"}
    server.routes["/gbk"] = lambda h: server.reply(h, 200, gbk, headers)
    result = SourceCache(tmp_path, make_config()).fetch(server.url("/gbk"))
    assert result.status == "fetched"
    assert result.content == gbk  # decoding is the reader's job
    assert result.content_type == "text/html; charset=utf-8"


def test_gzip_encoded_body_is_decoded(server, make_config, tmp_path):
    packed = gzip.compress(BODY * 50)
    headers = {"Content-Encoding": "gzip"}
    server.routes["/gz"] = lambda h: server.reply(h, 200, packed, headers)
    result = SourceCache(tmp_path, make_config()).fetch(server.url("/gz"))
    assert result.status == "fetched"
    assert result.content == BODY * 50


def test_declared_size_over_cap_fails_before_download(server, make_config, tmp_path):
    server.routes["/big"] = lambda h: server.reply(h, 200, b"x" * 5000)
    result = SourceCache(tmp_path, make_config(max_bytes=1000)).fetch(server.url("/big"))
    assert result.status == "failed"
    assert codes(result) == ["fetch_too_large"]
    assert len(server.hits("/big")) == 1  # not worth retrying


def test_undeclared_size_over_cap_is_aborted_while_streaming(server, make_config, tmp_path):
    def endless(h):
        # HTTP/1.0 without Content-Length: the body runs until the server closes.
        h.send_response(200)
        h.end_headers()
        for _ in range(200):
            h.wfile.write(b"y" * 10_000)

    server.routes["/endless"] = endless
    result = SourceCache(tmp_path, make_config(max_bytes=50_000)).fetch(server.url("/endless"))
    assert result.status == "failed"
    assert codes(result) == ["fetch_too_large"]


def test_connection_refused_fails_after_retries(make_config, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed on exit: nothing listens there
    started = time.monotonic()
    result = SourceCache(tmp_path, make_config(retries=2)).fetch(f"http://127.0.0.1:{port}/x")
    assert time.monotonic() - started < 8
    assert result.status == "failed"
    assert codes(result) == ["fetch_connection_error"]
