"""Redirects are followed by hand: capped in count, loops caught, schemes checked."""

from __future__ import annotations

import time

from cnfiscal.fetch import SourceCache


def redirect(server, path, target, status=302):
    server.routes[path] = lambda h: server.reply(h, status, b"", {"Location": target})


def test_redirect_chain_under_the_cap_succeeds(server, make_config, tmp_path):
    redirect(server, "/old", server.url("/moved"), 301)
    redirect(server, "/moved", "/again", 307)  # relative Location
    redirect(server, "/again", "final?x=1", 302)  # relative to /again's folder
    server.routes["/final"] = lambda h: server.reply(h, 200, b"report")
    result = SourceCache(tmp_path, make_config(max_redirects=3)).fetch(server.url("/old"))
    assert result.status == "fetched"
    assert result.content == b"report"
    assert result.final_url == server.url("/final?x=1")
    assert result.location == server.url("/old")


def test_redirect_loop_is_detected_quickly(server, make_config, tmp_path):
    redirect(server, "/a", "/b")
    redirect(server, "/b", "/a")
    started = time.monotonic()
    result = SourceCache(tmp_path, make_config(max_redirects=50)).fetch(server.url("/a"))
    assert time.monotonic() - started < 5
    assert result.status == "failed"
    assert [i.code for i in result.issues] == ["fetch_redirect_loop"]
    assert len(server.log) == 2


def test_endless_distinct_redirects_stop_at_the_cap(server, make_config, tmp_path):
    for n in range(20):
        redirect(server, f"/hop{n}", f"/hop{n + 1}")
    result = SourceCache(tmp_path, make_config(max_redirects=4)).fetch(server.url("/hop0"))
    assert result.status == "failed"
    assert [i.code for i in result.issues] == ["fetch_too_many_redirects"]
    assert result.http_status == 302
    assert len(server.log) == 5  # the original request plus four followed redirects


def test_redirect_to_a_disallowed_scheme_fails(server, make_config, tmp_path):
    redirect(server, "/ftp", "ftp://127.0.0.1/report.pdf")
    result = SourceCache(tmp_path, make_config()).fetch(server.url("/ftp"))
    assert result.status == "failed"
    assert [i.code for i in result.issues] == ["fetch_scheme_not_allowed"]


def test_malformed_redirect_target_fails_cleanly(server, make_config, tmp_path):
    redirect(server, "/bad", "http://[::1/broken")
    result = SourceCache(tmp_path, make_config()).fetch(server.url("/bad"))
    assert result.status == "failed"
    assert [i.code for i in result.issues] == ["fetch_bad_location"]


def test_redirect_body_is_not_downloaded(server, make_config, tmp_path):
    # A redirect whose body never ends must not hold up following its Location.
    def dripping_redirect(h):
        h.send_response(302)
        h.send_header("Location", "/here")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"z")
            h.wfile.flush()
            time.sleep(0.1)

    server.routes["/drip302"] = dripping_redirect
    server.routes["/here"] = lambda h: server.reply(h, 200, b"arrived")
    started = time.monotonic()
    result = SourceCache(tmp_path, make_config()).fetch(server.url("/drip302"))
    assert time.monotonic() - started < 5  # reading that body would take 10 s
    assert result.status == "fetched" and result.content == b"arrived"
