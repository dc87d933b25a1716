"""The site's sources/ across builds: what is looked at again each night, what is linked again,
and that the result stays the one a full build writes. Real exports of the small warehouse, a
real fetch cache folder, real builds (some killed in a subprocess)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from cnfiscal.exports import export_marts
from cnfiscal.fetch import object_path
from cnfiscal.ingest import cache_root
from cnfiscal.settings import REPO_ROOT
from cnfiscal.site.build import build_site, read_package
from tests.exports.conftest import small_db  # noqa: F401  (the fixture)

SOURCE = "a2-budget-2019"  # the fixture's one local report (a1's other one has no file)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _object(cache: Path, sha: str, text: str) -> Path:
    path = object_path(cache_root(cache, SOURCE), sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _build(small_db, tmp_path, cache: Path | None) -> tuple[Path, dict]:  # noqa: F811
    db, manifest = small_db
    export_marts(db, tmp_path / "exports", manifest_path=manifest)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("sources: []\n", encoding="utf-8")
    site = tmp_path / "site"
    return site, build_site(tmp_path / "exports", site, catalog, cache_dir=cache)


def _full(tmp_path, cache: Path | None) -> Path:
    site = Path(tempfile.mkdtemp(prefix="full-", dir=tmp_path)) / "site"
    build_site(tmp_path / "exports", site, tmp_path / "catalog.yaml", cache_dir=cache)
    return site


def _set_sha(small_db, sha: str) -> None:  # noqa: F811
    with duckdb.connect(str(small_db[0])) as con:
        con.execute(f"update marts.dim_document set sha256 = '{sha}' where source_id = '{SOURCE}'")


def _report(tmp_path, text: str) -> Path:
    (tmp_path / "seeds").mkdir(exist_ok=True)
    report = tmp_path / "seeds" / "e19.txt"
    report.write_text(text, encoding="utf-8")
    return report


def test_a_report_linked_to_its_fetched_object_is_not_looked_at_again(small_db, tmp_path):  # noqa: F811
    cache = tmp_path / "cache"
    _object(cache, "cc", "第一版")
    for _ in range(2):  # each tree's first build looks at both reports and links the one file
        site, first = _build(small_db, tmp_path, cache)
        assert first["sources_checked"] == 2 and first["sources_linked"] == 1
    for _ in range(2):
        site, again = _build(small_db, tmp_path, cache)
        # the report without a file is looked for again; the fetched one is vouched for
        assert again["sources_checked"] == 1 and again["sources_linked"] == 0
    assert (site / "sources" / f"{SOURCE}.txt").read_text("utf-8") == "第一版"

    _object(cache, "dd", "第二版")  # re-fetched: another version, another object
    _set_sha(small_db, "dd")
    site, changed = _build(small_db, tmp_path, cache)
    assert changed["sources_checked"] == 2 and changed["sources_linked"] == 1
    assert (site / "sources" / f"{SOURCE}.txt").read_text("utf-8") == "第二版"
    assert _tree(site) == _tree(_full(tmp_path, cache))


def test_a_catalog_file_replaced_is_linked_again(small_db, tmp_path):  # noqa: F811
    """Without the fetch cache the catalog's file is linked, and stat'ed every night: a file
    replaced by another (a new inode, as an editor's save or a download does) is linked again,
    an untouched one is not."""
    report = _report(tmp_path, "旧文件")
    _build(small_db, tmp_path, None)
    _build(small_db, tmp_path, None)  # the second tree
    site, same = _build(small_db, tmp_path, None)
    assert same["sources_checked"] == 2 and same["sources_linked"] == 0

    new = tmp_path / "new.txt"
    new.write_text("新文件", encoding="utf-8")
    os.replace(new, report)
    for _ in range(2):  # both trees take the new file
        site, replaced = _build(small_db, tmp_path, None)
        assert replaced["sources_linked"] == 1
        assert (site / "sources" / f"{SOURCE}.txt").read_text("utf-8") == "新文件"
        assert _tree(site) == _tree(_full(tmp_path, None))


def test_a_source_gone_from_the_reports_goes_from_both_trees(small_db, tmp_path):  # noqa: F811
    _report(tmp_path, "某区财政局2019年部门预算")
    _build(small_db, tmp_path, None)
    _build(small_db, tmp_path, None)
    with duckdb.connect(str(small_db[0])) as con:
        con.execute(
            f"update marts.dim_document set location = 'https://example.gov.cn/e19.pdf' "
            f"where source_id = '{SOURCE}'"
        )
    for _ in range(2):
        site, _ = _build(small_db, tmp_path, None)
        assert not (site / "sources" / f"{SOURCE}.txt").exists()
        assert _tree(site) == _tree(_full(tmp_path, None))


KILLED = """
import os, sys
from pathlib import Path
from cnfiscal.site import build, sources

def killed(src, dst):
    link(src, dst)
    if "/sources/" in str(dst):
        os._exit(9)  # no cleanup, as if killed

link, sources.link_or_copy = sources.link_or_copy, killed
tmp = Path(sys.argv[1])
build.build_site(tmp / "exports", tmp / "site", tmp / "catalog.yaml", cache_dir=tmp / "cache")
"""


def test_a_source_linked_by_a_killed_build_is_not_taken_for_the_one_before(
    small_db,  # noqa: F811
    tmp_path,
):
    """The spare tree's record says which object each file links; a build killed after linking
    another must leave that file untrusted, or reverting the report would keep the wrong one."""
    cache = tmp_path / "cache"
    _object(cache, "cc", "第一版")
    _object(cache, "dd", "第二版")
    _build(small_db, tmp_path, cache)
    _build(small_db, tmp_path, cache)  # both trees link the first version
    _set_sha(small_db, "dd")
    export_marts(small_db[0], tmp_path / "exports", manifest_path=small_db[1])
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(tmp_path)], cwd=REPO_ROOT, capture_output=True
    )
    assert done.returncode == 9, done.stderr.decode()

    _set_sha(small_db, "cc")  # back to the first version
    site, _ = _build(small_db, tmp_path, cache)
    assert (site / "sources" / f"{SOURCE}.txt").read_text("utf-8") == "第一版"
    assert _tree(site) == _tree(_full(tmp_path, cache))


def test_the_package_is_read_as_written_or_whole(small_db, tmp_path):  # noqa: F811
    """read_package skips the descriptor's sources list by its layout (indent=1); another
    layout is read whole, with the same result."""
    import json

    db, manifest = small_db
    export_marts(db, tmp_path / "exports", manifest_path=manifest)
    path = tmp_path / "exports" / "datapackage.json"
    whole = json.loads(path.read_text(encoding="utf-8"))
    wanted = {"resources": whole["resources"], "licenses": whole["licenses"]}
    assert read_package(path) == wanted
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(whole, ensure_ascii=False), encoding="utf-8")
    assert {k: read_package(compact)[k] for k in wanted} == wanted
