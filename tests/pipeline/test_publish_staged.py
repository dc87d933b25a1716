"""The published copy staged during the exports: swapped in only if the build is still the one
copied, copied afresh otherwise, and never left behind."""

import duckdb

from cnfiscal.publish import STAGED_RECORD, StagedCopy, publish_database
from cnfiscal.warehouse.load import ensure_schema
from cnfiscal.warehouse.state import published_fingerprint


def _build(path, rows):
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)  # the raw tables the build stamp is computed from
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute("CREATE OR REPLACE TABLE marts.t AS SELECT range AS x FROM range(?)", [rows])


def _count(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM marts.t").fetchone()[0]


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".publish"))


def test_a_staged_copy_of_the_unchanged_build_is_swapped_in(tmp_path):
    build, pub = tmp_path / "build" / "b.duckdb", tmp_path / "pub" / "p.duckdb"
    build.parent.mkdir()
    _build(build, 5)
    staged = StagedCopy(build, pub)
    assert staged.finish() is True
    assert (pub.parent / STAGED_RECORD).exists()
    publish_database(build, pub)
    assert _count(pub) == 5
    assert published_fingerprint(pub) is not None  # stamped before it was copied
    assert oct(pub.stat().st_mode & 0o777) == "0o644"
    assert _leftovers(pub.parent) == []


def test_a_build_written_after_staging_is_copied_afresh(tmp_path):
    build, pub = tmp_path / "b.duckdb", tmp_path / "pub" / "p.duckdb"
    _build(build, 5)
    staged = StagedCopy(build, pub)
    assert staged.finish() is True
    _build(build, 7)  # e.g. a step re-run after the exports
    publish_database(build, pub)
    assert _count(pub) == 7
    assert _leftovers(pub.parent) == []


def test_the_build_changing_during_the_copy_drops_it(tmp_path):
    build, pub = tmp_path / "b.duckdb", tmp_path / "pub" / "p.duckdb"
    _build(build, 5)
    staged = StagedCopy(build, pub)
    staged._thread.join()
    _build(build, 9)
    assert staged.finish() is False
    assert _leftovers(pub.parent) == []
    publish_database(build, pub)
    assert _count(pub) == 9


def test_a_copy_kept_from_a_failed_exports_step_is_not_used(tmp_path):
    build, pub = tmp_path / "b.duckdb", tmp_path / "pub" / "p.duckdb"
    _build(build, 5)
    publish_database(build, pub)
    _build(build, 6)
    assert StagedCopy(build, pub).finish(keep=False) is False
    assert _leftovers(pub.parent) == [] and _count(pub) == 5
    # a record whose file is gone (or was never finished) is ignored and removed
    (pub.parent / STAGED_RECORD).write_text('{"file": ".publish-staged-x.duckdb"}')
    publish_database(build, pub)
    assert _count(pub) == 6 and _leftovers(pub.parent) == []
