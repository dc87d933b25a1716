"""Compacting a DuckDB file: same catalog and rows, the free blocks gone, and never under a run."""

import os
import subprocess
import sys

import duckdb
import pytest

from cnfiscal.warehouse import compact
from cnfiscal.warehouse.compact import compact_build, compact_published


def _warehouse(path):
    """A file like ours: a keyed table, a view naming its catalog (as dbt's do), and most of
    its rows deleted, which leaves free blocks."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.t (k INTEGER PRIMARY KEY, v VARCHAR NOT NULL)")
        con.execute("INSERT INTO raw.t SELECT range, repeat('x', 200) || range FROM range(300000)")
        con.execute("CHECKPOINT")
        con.execute("DELETE FROM raw.t WHERE k >= 1000")
        con.execute(f'CREATE VIEW raw.v AS SELECT k, v FROM "{path.stem}".raw.t WHERE k < 10')
        con.execute("CHECKPOINT")


def _content(path):
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT * FROM raw.t ORDER BY k").fetchall()
        view = con.execute("SELECT count(*) FROM raw.v").fetchone()[0]
    return rows, view


@pytest.mark.parametrize("compact_file", [compact_build, compact_published])
def test_a_compacted_file_holds_the_same_and_is_smaller(tmp_path, compact_file):
    db = tmp_path / "cnfiscal.duckdb"
    _warehouse(db)
    before = _content(db)
    result = compact_file(db)
    assert result.bytes_after < result.bytes_before / 4
    assert db.stat().st_size == result.bytes_after
    assert _content(db) == before
    assert before[1] == 10
    with duckdb.connect(str(db)) as con, pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO raw.t VALUES (1, 'again')")  # the key came along
    assert [p.name for p in tmp_path.iterdir()] == ["cnfiscal.duckdb"]


def test_the_build_file_is_not_compacted_while_a_run_holds_it(tmp_path):
    db = tmp_path / "cnfiscal.duckdb"
    _warehouse(db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(db)!r}); "
            "print('open', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        inode = db.stat().st_ino
        with pytest.raises(duckdb.IOException):
            compact_build(db)
        assert db.stat().st_ino == inode
    finally:
        holder.communicate("")


def test_a_copy_published_meanwhile_is_kept(tmp_path, monkeypatch):
    db = tmp_path / "cnfiscal.duckdb"
    _warehouse(db)
    newer = tmp_path / "newer.duckdb"
    with duckdb.connect(str(newer)) as con:
        con.execute("CREATE TABLE published_later AS SELECT 1 AS x")
    copy = compact._copy_into

    def publish_during_the_copy(con, tmp):
        copy(con, tmp)
        os.replace(newer, db)  # what the publish step does

    monkeypatch.setattr(compact, "_copy_into", publish_during_the_copy)
    with pytest.raises(RuntimeError, match="published again"):
        compact_published(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT x FROM published_later").fetchall() == [(1,)]
    assert [p.name for p in tmp_path.iterdir()] == ["cnfiscal.duckdb"]
