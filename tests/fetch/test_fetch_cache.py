"""Conditional GETs against the cache, fallback to the last good copy, and the on-disk layout."""

from __future__ import annotations

import hashlib
import json
import threading

from cnfiscal.fetch import SourceCache

V1 = "第一版".encode()
V2 = "第二版".encode()


def conditional(server, path, body, etag=None, last_modified=None):
    """A route that answers 304 when the client's validators match."""

    def handle(h):
        headers = {}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        if (etag and h.headers.get("If-None-Match") == etag) or (
            last_modified and h.headers.get("If-Modified-Since") == last_modified
        ):
            server.reply(h, 304, b"", headers)
        else:
            server.reply(h, 200, body, headers)

    server.routes[path] = handle


def test_etag_gives_not_modified_with_cached_bytes(server, make_config, tmp_path):
    conditional(server, "/e", V1, etag='"v1"')
    cache = SourceCache(tmp_path, make_config())
    first = cache.fetch(server.url("/e"))
    assert first.status == "fetched" and first.etag == '"v1"'
    assert "If-None-Match" not in server.hits("/e")[0]

    second = cache.fetch(server.url("/e"))
    assert server.hits("/e")[1].get("If-None-Match") == '"v1"'
    assert second.status == "not_modified"
    assert second.http_status == 304
    assert second.content == V1
    assert second.sha256 == first.sha256
    assert second.issues == []


def test_last_modified_gives_not_modified(server, make_config, tmp_path):
    stamp = "Wed, 01 May 2024 08:00:00 GMT"
    conditional(server, "/lm", V1, last_modified=stamp)
    cache = SourceCache(tmp_path, make_config())
    assert cache.fetch(server.url("/lm")).last_modified == stamp
    second = cache.fetch(server.url("/lm"))
    assert server.hits("/lm")[1].get("If-Modified-Since") == stamp
    assert second.status == "not_modified" and second.content == V1


def test_force_skips_validators(server, make_config, tmp_path):
    conditional(server, "/f", V1, etag='"v1"')
    cache = SourceCache(tmp_path, make_config())
    cache.fetch(server.url("/f"))
    forced = cache.fetch(server.url("/f"), force=True)
    assert "If-None-Match" not in server.hits("/f")[1]
    assert forced.status == "fetched" and forced.content == V1


def test_validators_survive_a_new_cache_object(server, make_config, tmp_path):
    conditional(server, "/p", V1, etag='"v1"')
    with SourceCache(tmp_path, make_config()) as cache:  # leaving the block flushes the index
        cache.fetch(server.url("/p"))
    again = SourceCache(tmp_path, make_config()).fetch(server.url("/p"))
    assert again.status == "not_modified" and again.content == V1


def test_changed_content_is_fetched_and_indexed(server, make_config, tmp_path):
    versions = [V1]
    server.routes["/c"] = lambda h: server.reply(
        h, 200, versions[-1], {"ETag": f'"{len(versions)}"'}
    )
    cache = SourceCache(tmp_path, make_config())
    first = cache.fetch(server.url("/c"))
    versions.append(V2)
    second = cache.fetch(server.url("/c"))
    assert second.status == "fetched" and second.content == V2
    assert second.sha256 != first.sha256

    cache.flush()
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert index[server.url("/c")]["sha256"] == hashlib.sha256(V2).hexdigest()
    assert index[server.url("/c")]["etag"] == '"2"'
    for body in (V1, V2):  # both versions stay on disk, named by their hash
        sha = hashlib.sha256(body).hexdigest()
        assert (tmp_path / "objects" / sha[:2] / sha).read_bytes() == body
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_404_after_good_fetch_returns_cached_copy(server, make_config, tmp_path):
    server.routes["/gone"] = lambda h: server.reply(h, 200, V1, {"Content-Type": "text/plain"})
    cache = SourceCache(tmp_path, make_config())
    first = cache.fetch(server.url("/gone"))
    del server.routes["/gone"]
    result = cache.fetch(server.url("/gone"))
    assert result.status == "cached"
    assert result.content == V1
    assert result.sha256 == first.sha256
    assert result.http_status == 404
    assert result.content_type == "text/plain"
    assert result.fetched_at == first.fetched_at  # when the returned copy was fetched
    assert [(i.severity, i.code) for i in result.issues] == [("error", "fetch_not_found")]


def test_500s_after_good_fetch_return_cached_copy(server, make_config, tmp_path):
    state = {"up": True}
    server.routes["/s"] = lambda h: server.reply(h, 200 if state["up"] else 500, V1)
    cache = SourceCache(tmp_path, make_config(retries=1))
    cache.fetch(server.url("/s"))
    state["up"] = False
    result = cache.fetch(server.url("/s"))
    assert result.status == "cached" and result.content == V1
    assert [i.code for i in result.issues] == ["fetch_http_error"]


def test_damaged_cached_copy_is_not_used_for_validators(server, make_config, tmp_path):
    conditional(server, "/d", V1, etag='"v1"')
    cache = SourceCache(tmp_path, make_config())
    first = cache.fetch(server.url("/d"))
    blob = tmp_path / "objects" / first.sha256[:2] / first.sha256
    blob.write_bytes(b"x" * len(V1))  # same size, wrong bytes
    second = cache.fetch(server.url("/d"))
    # The copy is only checked when a 304 hands it back; it is damaged, so the 304 leaves us
    # with no good bytes and the cache asks again, unconditionally.
    assert server.hits("/d")[1].get("If-None-Match") == '"v1"'
    assert "If-None-Match" not in server.hits("/d")[2]
    assert second.status == "fetched" and second.content == V1
    assert "fetch_cache_damaged" in [i.code for i in second.issues]
    assert blob.read_bytes() == V1  # repaired


def test_corrupt_index_is_ignored_not_fatal(server, make_config, tmp_path):
    server.routes["/i"] = lambda h: server.reply(h, 200, V1)
    (tmp_path / "index.json").write_text("{not json", encoding="utf-8")
    with SourceCache(tmp_path, make_config()) as cache:
        result = cache.fetch(server.url("/i"))
    assert result.status == "fetched" and result.content == V1
    assert [i.code for i in result.issues] == ["fetch_cache_damaged"]
    assert json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))


def test_concurrent_fetches_keep_every_index_entry(server, make_config, tmp_path):
    for n in range(8):
        server.routes[f"/t{n}"] = lambda h, n=n: server.reply(h, 200, f"doc {n}".encode())
    cache = SourceCache(tmp_path, make_config())
    results = {}

    def work(n):
        results[n] = cache.fetch(server.url(f"/t{n}"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert all(results[n].content == f"doc {n}".encode() for n in range(8))
    cache.flush()
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert {server.url(f"/t{n}") for n in range(8)} <= set(index)
