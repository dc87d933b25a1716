"""raw.agency_names kept up to date incrementally: after every round of new, changed and
removed documents it must hold exactly the rows a full rebuild gives."""

import duckdb
from warehouse_support import _doc

from cnfiscal.warehouse import agency_names
from cnfiscal.warehouse.agency_names import agency_name_rows, refresh_agency_names
from cnfiscal.warehouse.load import ensure_schema


def _table(con) -> list[tuple]:
    return sorted(
        con.execute("select * from raw.agency_names").fetchall(), key=lambda r: tuple(map(str, r))
    )


def _expected(con) -> list[tuple]:
    docs = con.execute("select document_id, agency, region from raw.documents").fetchall()
    return sorted(agency_name_rows(docs), key=lambda r: tuple(map(str, r)))


def _add(con, doc, agency, region):
    con.execute(f"insert into raw.documents values ({', '.join('?' * 20)})",
                _doc(doc, agency, region, 2024, "budget"))  # fmt: skip


def test_refresh_matches_a_full_rebuild_round_after_round(tmp_path, monkeypatch):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    _add(con, "s1@a", "秦皇岛市山海关区政务服务中心", None)
    _add(con, "s2@a", "山海关区人民政府政务服务中心", "130303")
    _add(con, "s3@a", "某某局", None)  # no region anywhere
    _add(con, "s4@a", "  ", None)  # a blank name has no row
    first = refresh_agency_names(con)
    assert first.full and first.added == 3 and _table(con) == _expected(con)
    assert "某某局" in first.without_region_code

    # Nothing changed: nothing resolved, nothing written.
    again = refresh_agency_names(con)
    assert not again.full and (again.added, again.removed, again.resolved) == (0, 0, 0)
    assert _table(con) == _expected(con)

    # A new version of s1 (same name: resolved from the table), a new agency, a re-parse of
    # s2 that reads another name, a document gone.
    _add(con, "s1@b", "秦皇岛市山海关区政务服务中心", None)
    _add(con, "s5@a", "中共上海市普陀区委社会工作部", "310107")
    con.execute("update raw.documents set agency = '北戴河区财政局' where document_id = 's2@a'")
    con.execute("delete from raw.documents where document_id = 's3@a'")
    third = refresh_agency_names(con)
    assert not third.full
    assert (third.added, third.removed, third.resolved) == (3, 2, 2)
    assert _table(con) == _expected(con)
    assert third.rows == len(_expected(con))

    # Another vocabulary: everything resolved again.
    monkeypatch.setattr(agency_names, "vocabulary_stamp", lambda: "another vocabulary")
    fourth = refresh_agency_names(con)
    assert fourth.full and _table(con) == _expected(con)
    con.close()


def test_rows_written_without_refresh_are_rebuilt_by_the_next_one(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    _add(con, "s1@a", "山海关区财政局", "130303")
    refresh_agency_names(con)
    agency_names.write_agency_names(con, [])  # e.g. a test's own rows: no stamp any more
    assert refresh_agency_names(con).full and _table(con) == _expected(con)
    con.close()
