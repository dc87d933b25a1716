"""The incremental site build: a page whose inputs did not change is hard-linked from the
previous site, and the result is still, file for file, the site a full build writes.

Real exports of the small warehouse (tests/exports), real builds; "reused" is read off the
inode a page shares with the previous site's page."""

import csv
import functools
import http.server
import os
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

import duckdb
import pytest

from cnfiscal.exports import export_marts
from cnfiscal.settings import REPO_ROOT
from cnfiscal.site import build, pages
from cnfiscal.site.build import MANIFEST, build_site, render_version
from tests.exports.conftest import small_db  # noqa: F401  (the fixture)
from tests.exports.test_site_build import PERFORMANCE_DDL, _site


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _inodes(site: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (site / "agencies").glob("*.html")}


def _rebuild(small_db, tmp_path) -> Path:  # noqa: F811
    """Export the changed warehouse and build over the previous site (the report file of the
    first build stays where it is)."""
    site, _ = _site(small_db, tmp_path, report=None)
    return site


def _full(tmp_path) -> Path:
    """A full build of the same exports into a new empty folder."""
    site = Path(tempfile.mkdtemp(prefix="full-", dir=tmp_path)) / "site"
    build_site(tmp_path / "exports", site, tmp_path / "catalog.yaml")
    return site


def _served(site: Path) -> Path:
    """The tree site_dir points at now."""
    return (site.parent / os.readlink(site)).resolve()


def _sql(small_db, *statements):  # noqa: F811
    with duckdb.connect(str(small_db[0])) as con:
        for s in statements:
            con.execute(s)


# Each changes what agency a2's page shows, and nothing of a1's.
CHANGES = {
    "fact": [
        "update marts.fct_fiscal_facts set amount_wan_yuan = 8, value = 8, "
        "evidence = '支出预算8万元。' where document_id = 'e19@z'"
    ],
    "agency_row": [
        "update marts.dim_agency set agency_name = '某区财政局（更名）' where agency_id = 'a2'"
    ],
    "document_row": [
        "update marts.dim_document set fetched_at = '2024-06-03 08:00:00+00' "
        "where document_id = 'e19@z'"
    ],
    "indicator": [
        PERFORMANCE_DDL,
        "insert into marts.fct_performance values ('e19@z', 'a2', 2019, 'budget', '满意率', "
        "'满意率', 95, '%', null, '满意率目标95%。')",
    ],
    "report_file_gone": [],  # no row changes: the link to the local report goes
}


@pytest.mark.parametrize("change", CHANGES)
def test_incremental_build_equals_full_build(small_db, tmp_path, change):  # noqa: F811
    site, _ = _site(small_db, tmp_path)
    before, old_a2 = _inodes(site), (site / "agencies" / "a2.html").read_bytes()
    _sql(small_db, *CHANGES[change])
    if change == "report_file_gone":
        (tmp_path / "seeds" / "e19.txt").unlink()
    site = _rebuild(small_db, tmp_path)

    assert _tree(site) == _tree(_full(tmp_path))
    after = _inodes(site)
    assert after["a1.html"] == before["a1.html"]  # unchanged: linked, not rendered
    assert after["a2.html"] != before["a2.html"]
    assert (site / "agencies" / "a2.html").read_bytes() != old_a2


def test_new_and_removed_agencies(small_db, tmp_path):  # noqa: F811
    site, _ = _site(small_db, tmp_path)
    _sql(
        small_db,
        "delete from marts.fct_fiscal_facts where agency_id = 'a2'",
        "delete from marts.dim_document where agency_id = 'a2'",
        "delete from marts.dim_agency where agency_id = 'a2'",
        "insert into marts.dim_agency values ('a3', '某县教育局', '某县', 2020, 2020, 1)",
        "insert into marts.dim_document values ('f20@w', 'a3-budget-2020', 'a3', '某县教育局', "
        "'某县', 2020, 'budget', 'https://example.gov.cn/a3.pdf', 'dd', '2024-05-04 08:00:00+00')",
    )
    site = _rebuild(small_db, tmp_path)

    assert sorted(_inodes(site)) == ["a1.html", "a3.html"]
    assert "某县教育局" in (site / "agencies" / "a3.html").read_text(encoding="utf-8")
    with open(site / MANIFEST, encoding="utf-8", newline="") as fh:
        assert [r["agency_id"] for r in csv.DictReader(fh)] == ["a1", "a3"]
    assert _tree(site) == _tree(_full(tmp_path))

    # and in the tree of the build before (updated in place): a2's page goes there too
    _sql(
        small_db,
        "update marts.dim_agency set agency_name = '某县教育局（新）' where agency_id = 'a3'",
    )
    site = _rebuild(small_db, tmp_path)
    assert sorted(_inodes(site)) == ["a1.html", "a3.html"]
    assert _tree(site) == _tree(_full(tmp_path))


def test_unchanged_inputs_reuse_every_page_and_a_template_change_renders_them_all(
    small_db,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    site, _ = _site(small_db, tmp_path)
    first = _inodes(site)
    site = _rebuild(small_db, tmp_path)
    assert _inodes(site) == first  # nothing changed: every page linked

    monkeypatch.setitem(pages.CHART_TITLES, "function", "按支出功能分类（新）")
    site = _rebuild(small_db, tmp_path)
    after = _inodes(site)
    assert all(after[name] != ino for name, ino in first.items())
    assert all(
        "按支出功能分类（新）" in p.read_text("utf-8") for p in (site / "agencies").iterdir()
    )
    assert _tree(site) == _tree(_full(tmp_path))


def test_render_version_covers_the_rendering_code(tmp_path, monkeypatch):
    """An edit to a module the pages come from changes the version (so every page is rendered
    again), even with its constants as they were."""
    version = render_version()
    edited = tmp_path / "pages.py"
    source = Path(pages.__file__).read_text(encoding="utf-8")
    edited.write_text(source.replace("<h3>报告</h3>", "<h3>公开报告</h3>"), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != source
    monkeypatch.setattr(pages, "__file__", str(edited))
    assert render_version() != version


def test_render_version_is_the_same_in_every_process():
    """Salted string hashes (set order) or object addresses in it would make every night a
    full build, silently."""
    code = "from cnfiscal.site.build import render_version; print(render_version())"
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert seen == {render_version() + "\n"}


def test_a_repeated_agency_id_never_writes_into_the_previous_sites_page(small_db, tmp_path):  # noqa: F811
    """A page linked from the previous site and then written again in the same build (a
    repeated agency_id, the later row's page wins) must get a file of its own."""
    site, _ = _site(small_db, tmp_path)
    keep = tmp_path / "kept-a1.html"
    keep.hardlink_to(site / "agencies" / "a1.html")
    old = keep.read_bytes()
    # sorts after the original a1 row, whose page is then reused first
    _sql(
        small_db,
        "insert into marts.dim_agency values "
        "('a1', '某市政务服务中心（重复）', '某市', 2018, 2019, 2)",
    )
    site = _rebuild(small_db, tmp_path)

    assert keep.read_bytes() == old
    assert "（重复）" in (site / "agencies" / "a1.html").read_text(encoding="utf-8")
    assert _tree(site) == _tree(_full(tmp_path))


A1_CHANGE = "update marts.fct_fiscal_facts set evidence = '改' where agency_id = 'a1'"


class Injected(Exception):
    pass


def _fail_on_agency_page(write):
    """pages.write that raises on the first agency page it is asked to write, once the build
    has linked another page from the previous site (so the failure hits a half-linked tree)."""

    def failing(path, *args, **kwargs):
        if path.parent.name == "agencies":
            assert any(p.stat().st_nlink > 1 for p in path.parent.glob("*.html"))
            raise Injected(path)
        return write(path, *args, **kwargs)

    return failing


def test_a_failed_build_leaves_the_previous_site_and_the_next_build_is_right(
    small_db,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    site, _ = _site(small_db, tmp_path)
    previous, served = _tree(site), _served(site)
    # a1 changes; a2 (first in region order) is linked before a1's page is written
    _sql(small_db, A1_CHANGE)
    with monkeypatch.context() as m:
        m.setattr(pages, "write", _fail_on_agency_page(pages.write))
        with pytest.raises(Injected):
            _rebuild(small_db, tmp_path)
    assert _served(site) == served and _tree(site) == previous
    assert not list(tmp_path.glob(".site.link-*"))

    site = _rebuild(small_db, tmp_path)
    assert _served(site) != served
    assert _tree(site) == _tree(_full(tmp_path))
    assert '<td class="ev">改</td>' in (site / "agencies" / "a1.html").read_text("utf-8")


def test_a_build_never_writes_into_the_tree_it_replaces(small_db, tmp_path):  # noqa: F811
    """The spare tree is updated in place and shares files (hard links) with the served one: a
    page rendered, removed or relinked there, the index and downloads written anew, must leave
    the served tree as it was, over builds that alternate between the two trees."""
    site, _ = _site(small_db, tmp_path)
    changes = [
        [A1_CHANGE],
        ["update marts.dim_agency set agency_name = '某区财政局（更名）' where agency_id = 'a2'"],
        [
            "delete from marts.fct_fiscal_facts where agency_id = 'a2'",
            "delete from marts.dim_document where agency_id = 'a2'",
            "delete from marts.dim_agency where agency_id = 'a2'",
        ],
        ["update marts.fct_fiscal_facts set evidence = '又改' where agency_id = 'a1'"],
    ]
    for statements in changes:
        served, before = _served(site), _tree(site)
        _sql(small_db, *statements)
        site = _rebuild(small_db, tmp_path)
        assert _served(site) != served
        assert _tree(served) == before  # the tree just replaced: untouched
        assert _tree(site) == _tree(_full(tmp_path))


KILLED = """
import os, sys
from pathlib import Path
from cnfiscal.site import build, pages

def killed(path, *args, **kwargs):
    if path.parent.name == "agencies":
        if sys.argv[2] == "after-writing":
            write(path, *args, **kwargs)
        else:
            assert any(p.stat().st_nlink > 1 for p in path.parent.glob("*.html"))
        os._exit(9)  # no cleanup, as if killed
    return write(path, *args, **kwargs)

write, pages.write = pages.write, killed
tmp = Path(sys.argv[1])
build.build_site(tmp / "exports", tmp / "site", tmp / "catalog.yaml")
"""


def _killed_build(small_db, tmp_path, when: str) -> None:  # noqa: F811
    export_marts(small_db[0], tmp_path / "exports", manifest_path=small_db[1])
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(tmp_path), when], cwd=REPO_ROOT, capture_output=True
    )
    assert done.returncode == 9, done.stderr.decode()


def test_a_killed_build_leaves_the_previous_site_and_the_next_build_is_right(
    small_db,  # noqa: F811
    tmp_path,
):
    site, _ = _site(small_db, tmp_path)
    previous, served = _tree(site), _served(site)
    _sql(small_db, A1_CHANGE)
    _killed_build(small_db, tmp_path, "before-writing")
    assert _served(site) == served and _tree(site) == previous
    (spare,) = [p for p in tmp_path.glob(".site-*") if p.resolve() != served]
    assert any(p.stat().st_nlink > 1 for p in spare.rglob("*.html"))  # killed half-way

    site = _rebuild(small_db, tmp_path)  # clears the leftovers (recover), old pages untouched
    assert not list(tmp_path.glob(".site.link-*"))
    assert _tree(site) == _tree(_full(tmp_path))
    assert build.MANIFEST in {p.name for p in site.iterdir()}


def test_a_page_written_by_a_killed_build_is_not_taken_for_the_one_before(
    small_db,  # noqa: F811
    tmp_path,
):
    """The spare tree's manifest drops the pages a build is about to change before it changes
    them: killed after writing a1's new page, the tree must not be read as holding a1's old
    page (which the data, reverted, asks for again)."""
    _site(small_db, tmp_path)
    site = _rebuild(small_db, tmp_path)  # both trees hold the same site now
    _sql(small_db, "create table keep as select * from marts.fct_fiscal_facts", A1_CHANGE)
    _killed_build(small_db, tmp_path, "after-writing")
    _sql(
        small_db,
        "delete from marts.fct_fiscal_facts",
        "insert into marts.fct_fiscal_facts select * from keep",
    )
    site = _rebuild(small_db, tmp_path)
    assert "改" not in (site / "agencies" / "a1.html").read_text("utf-8")
    assert _tree(site) == _tree(_full(tmp_path))


def test_a_site_of_the_single_tree_layout_becomes_the_two_trees(small_db, tmp_path):  # noqa: F811
    """Before the two trees site_dir was a folder, rebuilt whole each night: the first build
    with this code replaces it with the link (its pages are rendered: their digests were
    another kind) and leaves no folder of it behind."""
    old = tmp_path / "site"
    (old / "agencies").mkdir(parents=True)
    (old / "agencies" / "a1.html").write_text("old page", encoding="utf-8")
    (old / "agencies" / "gone.html").write_text("an agency since removed", encoding="utf-8")
    (old / ".build-manifest.json").write_text('{"version": "x", "pages": {}}', encoding="utf-8")
    site, summary = _site(small_db, tmp_path)
    assert site.is_symlink() and summary["rendered"] == 2
    assert _tree(site) == _tree(_full(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == [
        ".site-a",
        ".site.lock",
    ]


def _serve(directory: str):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_a_server_given_the_site_path_follows_each_swap(small_db, tmp_path):  # noqa: F811
    """http.server over warehouse/site (the link) serves the new site once it is swapped in,
    its relative links included; one started inside the tree (`cd site`) keeps the old one."""
    site, _ = _site(small_db, tmp_path)
    by_path, by_path_url = _serve(str(site))
    inside, inside_url = _serve(str(_served(site)))
    try:
        page = _get(f"{by_path_url}/agencies/a2.html")
        assert 'href="../sources/a2-budget-2019.txt"' in page
        assert _get(f"{by_path_url}/sources/a2-budget-2019.txt").startswith("某区财政局")
        assert "../style.css" in page and _get(f"{by_path_url}/style.css")
        _sql(small_db, CHANGES["agency_row"][0])
        _rebuild(small_db, tmp_path)
        assert "某区财政局（更名）" in _get(f"{by_path_url}/agencies/a2.html")
        assert "某区财政局（更名）" not in _get(f"{inside_url}/agencies/a2.html")
    finally:
        by_path.shutdown()
        inside.shutdown()


def test_an_unreadable_record_makes_the_spare_tree_again(small_db, tmp_path):  # noqa: F811
    site, _ = _site(small_db, tmp_path)
    site = _rebuild(small_db, tmp_path)  # both trees built
    (spare,) = [p for p in tmp_path.glob(".site-?") if p.resolve() != _served(site)]
    for record in (build.MANIFEST, ".build-sources.csv"):
        (spare / record).write_bytes(b'\x00"broken,\n')
    site, summary = _site(small_db, tmp_path, report=None)
    assert summary["pages_linked"] == 2 and summary["sources_linked"] == 1
    assert _tree(site) == _tree(_full(tmp_path))
