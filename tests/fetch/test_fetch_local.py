"""Local paths, file:// URLs and locations that must be refused."""

from __future__ import annotations

from cnfiscal.fetch import SourceCache

DOC = "某某区财政局2024年部门预算".encode("gbk")


def codes(result) -> list[str]:
    return [issue.code for issue in result.issues]


def test_relative_path_resolves_against_base_dir(make_config, tmp_path):
    catalog = tmp_path / "catalog"
    (catalog / "docs").mkdir(parents=True)
    (catalog / "docs" / "a.html").write_bytes(DOC)
    cache = SourceCache(tmp_path / "cache", make_config())
    result = cache.fetch("docs/a.html", base_dir=catalog)
    assert result.status == "fetched"
    assert result.content == DOC
    assert result.final_url == (catalog / "docs" / "a.html").as_uri()
    assert result.http_status is None
    # Just written: its mtime is too recent to trust, so it is read and hashed again.
    again = cache.fetch("docs/a.html", base_dir=catalog)
    assert again.status == "fetched" and again.sha256 == result.sha256


def test_file_url(make_config, tmp_path):
    path = tmp_path / "预算 公开.pdf"  # non-ASCII and a space, percent-encoded in the URL
    path.write_bytes(b"%PDF-1.4 fake")
    result = SourceCache(tmp_path / "cache", make_config()).fetch(path.as_uri())
    assert result.status == "fetched" and result.content == b"%PDF-1.4 fake"


def test_missing_local_file_fails(make_config, tmp_path):
    result = SourceCache(tmp_path / "cache", make_config()).fetch(str(tmp_path / "nope.pdf"))
    assert result.status == "failed"
    assert result.content is None
    assert codes(result) == ["fetch_not_found"]
    assert result.issues[0].severity == "error"


def test_local_file_removed_after_good_read_returns_cached_copy(make_config, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(DOC)
    cache = SourceCache(tmp_path / "cache", make_config())
    cache.fetch(str(path))
    path.unlink()
    result = cache.fetch(str(path))
    assert result.status == "cached" and result.content == DOC
    assert codes(result) == ["fetch_not_found"]


def test_local_file_over_the_cap_fails(make_config, tmp_path):
    path = tmp_path / "big.pdf"
    path.write_bytes(b"0" * 2048)
    result = SourceCache(tmp_path / "cache", make_config(max_bytes=1024)).fetch(str(path))
    assert result.status == "failed" and codes(result) == ["fetch_too_large"]


def test_directory_is_not_a_source(make_config, tmp_path):
    result = SourceCache(tmp_path / "cache", make_config()).fetch(str(tmp_path))
    assert result.status == "failed" and codes(result) == ["fetch_read_error"]


def test_disallowed_schemes_are_refused(make_config, tmp_path):
    cache = SourceCache(tmp_path / "cache", make_config())
    for location in (
        "ftp://example.gov.cn/budget.pdf",
        "javascript:alert(1)",
        "data:text/html,hi",
        "mailto:x@example.gov.cn",
        "file://remote-host/share/a.pdf",
    ):
        result = cache.fetch(location)
        assert result.status == "failed", location
        assert codes(result) == ["fetch_scheme_not_allowed"], location
        assert result.content is None


def test_malformed_locations_fail_without_raising(make_config, tmp_path):
    cache = SourceCache(tmp_path / "cache", make_config())
    for location in ("", "   ", "http://[::1/x", "http:///no-host", "http://127.0.0.1:99999/"):
        result = cache.fetch(location)
        assert result.status == "failed", location
        assert codes(result) == ["fetch_bad_location"], location


def test_local_paths_resolve_like_classify(tmp_path):
    """LocalPaths resolves each folder once; its keys, paths and stats must be classify()'s."""
    import os

    from cnfiscal.fetch.local import LocalPaths, classify

    real = tmp_path / "real" / "年度"
    real.mkdir(parents=True)
    (real / "a b.html").write_bytes(DOC)
    (tmp_path / "linked").symlink_to(real)  # a symlinked folder
    (real / "alias.html").symlink_to(real / "a b.html")  # a symlinked file: its target's key
    base = tmp_path / "catalog"
    base.mkdir()
    locations = [
        "../real/年度/a b.html",
        "../linked/a b.html",
        "../linked/alias.html",
        str(real / "a b.html"),
        "../real/./年度//a b.html",
        "../linked/../real/年度/a b.html",
        "../real/年度/missing.pdf",
        "../real/年度",  # a folder: not a source, same error either way
        "../real/年度/",
        (real / "a b.html").as_uri(),
        "  ../real/年度/a b.html  ",
    ]
    paths = LocalPaths()
    for location in locations * 2:  # the second pass uses the resolved folders
        fast, slow = paths.classify(location, base), classify(location, base)
        assert (fast.kind, fast.key, fast.path) == (slow.kind, slow.key, slow.path), location
        if fast.st is not None:
            assert fast.st == os.stat(slow.path), location
    target = (real / "a b.html").as_uri()
    assert paths.classify("../linked/alias.html", base).key == target
    # The plain path took the fast route: its stat came with it.
    assert paths.classify("../linked/a b.html", base).st is not None


def test_local_paths_fetch_the_same_as_a_plain_cache(make_config, tmp_path):
    from cnfiscal.fetch.local import LocalPaths

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.html").write_bytes(DOC)
    shared = LocalPaths()
    one = SourceCache(tmp_path / "c1", make_config(), paths=shared)
    two = SourceCache(tmp_path / "c2", make_config())
    for location in ("docs/a.html", "docs/none.html", "docs"):
        a, b = one.fetch(location, base_dir=tmp_path), two.fetch(location, base_dir=tmp_path)
        assert (a.status, a.sha256, a.final_url, codes(a)) == (
            b.status,
            b.sha256,
            b.final_url,
            codes(b),
        ), location
