"""Fetch + parse into a real DuckDB file: incremental, versioned, parallel, scoped retirement."""

from pathlib import Path

import duckdb

from cnfiscal.catalog import batch_of, load_catalog, select_batches
from cnfiscal.ingest import connect_path, fetch_sources, parse_sources
from cnfiscal.publish import publish_database, refresh_published_fetch_log
from cnfiscal.warehouse.state import build_fingerprint, published_fingerprint


def _ingest(catalog, db: Path, cache: Path, run: str, **kw):
    fetch_sources(catalog, connect_path(db), cache, run)
    return parse_sources(catalog, connect_path(db), cache, **kw)


def _rows(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_changed_report_becomes_a_new_version(corpus, tmp_path):
    db, cache = tmp_path / "b.duckdb", tmp_path / "cache"
    catalog = load_catalog(corpus / "catalog.yaml")
    first = _ingest(catalog, db, cache, "r1")
    assert len(first.parsed) == 5 and first.skipped == 0
    assert _ingest(catalog, db, cache, "r2").parsed == []  # unchanged: nothing re-parsed

    entry = catalog.entries[2]
    seed = corpus / entry.location
    seed.write_text(seed.read_text(encoding="utf-8") + "\n本报告已更正。\n", encoding="utf-8")
    third = _ingest(catalog, db, cache, "r3")
    assert len(third.parsed) == 1 and third.skipped == 4
    versions = _rows(
        db,
        "select document_id, is_current, valid_to is null from raw.documents "
        f"where source_id = '{entry.id}' order by valid_from",
    )
    assert [v[1:] for v in versions] == [(False, False), (True, True)]
    old, new = versions[0][0], versions[1][0]
    counts = dict(_rows(db, "select document_id, count(*) from raw.facts group by 1"))
    assert counts[old] > 0 and counts[new] > 0  # the old version's facts stay, as history
    assert _rows(db, "select count(*) from raw.documents where is_current")[0][0] == 5


def test_parallel_parse_loads_the_same_rows(corpus, tmp_path, monkeypatch):
    catalog = load_catalog(corpus / "catalog.yaml")
    sql = (
        "select document_id, fact_seq, statement, item, year, measure, value from raw.facts "
        "order by 1, 2"
    )
    results = []
    monkeypatch.setattr("cnfiscal.ingest.POOL_MIN_REPORTS", 2)  # use the pool on five seeds
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.duckdb"
        # load_batch=2 exercises several load transactions
        _ingest(catalog, db, tmp_path / f"c{workers}", "r", workers=workers, load_batch=2)
        results.append(_rows(db, sql))
    assert results[0] == results[1] and len(results[0]) > 100


def test_force_reparses_and_batch_run_retires_only_its_batch(corpus, tmp_path):
    db, cache = tmp_path / "b.duckdb", tmp_path / "cache"
    catalog = load_catalog(corpus / "catalog.yaml")
    _ingest(catalog, db, cache, "r1")
    assert len(_ingest(catalog, db, cache, "r2", force=True).parsed) == 5

    dropped = catalog.entries[0]
    others = [e for e in catalog.entries if batch_of(e.id) != batch_of(dropped.id)]
    shrunk = type(catalog)(catalog.path, catalog.entries[1:], [])
    # A run over another batch must not retire a source it does not cover.
    if others:
        other_batch = batch_of(others[0].id)
        part = select_batches(shrunk, [other_batch])
        assert _ingest(part, db, cache, "r3", batches=[other_batch]).retired == 0
    part = select_batches(shrunk, [batch_of(dropped.id)])
    assert _ingest(part, db, cache, "r4", batches=[batch_of(dropped.id)]).retired == 1
    assert _rows(db, "select count(*) from raw.documents where is_current")[0][0] == 4


def test_failed_fetch_is_recorded_and_last_copy_stays(corpus, tmp_path):
    db, cache = tmp_path / "b.duckdb", tmp_path / "cache"
    catalog = load_catalog(corpus / "catalog.yaml")
    _ingest(catalog, db, cache, "r1")
    (corpus / catalog.entries[1].location).unlink()
    second = _ingest(catalog, db, cache, "r2")
    assert second.parsed == []
    status = _rows(
        db,
        f"select status, sha256 is not null from raw.fetches where run_id = 'r2' "
        f"and source_id = '{catalog.entries[1].id}'",
    )
    assert status == [("cached", True)]
    assert _rows(db, "select count(*) from raw.documents where is_current")[0][0] == 5


def test_fingerprint_tracks_the_published_copy(corpus, tmp_path):
    db, cache, pub = tmp_path / "b.duckdb", tmp_path / "cache", tmp_path / "pub.duckdb"
    catalog = load_catalog(corpus / "catalog.yaml")
    _ingest(catalog, db, cache, "r1")
    assert published_fingerprint(pub) is None
    publish_database(db, pub)
    with duckdb.connect(str(db)) as con:
        assert build_fingerprint(con) == published_fingerprint(pub)
    _ingest(catalog, db, cache, "r2")  # nothing new: still the published state
    with duckdb.connect(str(db)) as con:
        assert build_fingerprint(con) == published_fingerprint(pub)
    refresh_published_fetch_log(db, pub)
    assert _rows(pub, "select count(distinct run_id) from raw.fetches")[0][0] == 2
    seed = corpus / catalog.entries[0].location
    seed.write_text(seed.read_text(encoding="utf-8") + "\n更正。", encoding="utf-8")
    _ingest(catalog, db, cache, "r3")
    with duckdb.connect(str(db)) as con:
        assert build_fingerprint(con) != published_fingerprint(pub)


def test_object_damaged_in_place_is_not_parsed(corpus, tmp_path):
    """The cache trusts an object of the right size; the parser checks its hash."""
    db, cache = tmp_path / "b.duckdb", tmp_path / "cache"
    catalog = load_catalog(corpus / "catalog.yaml")
    fetch_sources(catalog, connect_path(db), cache, "r1")
    objects = sorted(p for p in cache.rglob("objects/*/*") if p.is_file())
    victim = objects[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, different bytes
    victim.write_bytes(bytes(data))
    parse_sources(catalog, connect_path(db), cache)
    damaged = _rows(
        db,
        "select d.sha256, d.fact_count from raw.parse_issues i join raw.documents d "
        "using (document_id) where i.code = 'cached_object_damaged'",
    )
    assert damaged == [(victim.name, 0)]
    assert _rows(db, "select count(*) from raw.documents where fact_count > 0")[0][0] == 4


def test_versions_to_parse_from_tonights_rows_match_the_whole_log(tmp_path):
    """With the run id, the newest version per source comes from the run's rows (and later
    ones) and only the sources it could not fetch fresh from older nights: the same answer as
    reading every night's log."""
    from datetime import UTC, datetime, timedelta

    from cnfiscal.catalog import Catalog, CatalogEntry
    from cnfiscal.extract import PARSER_VERSION
    from cnfiscal.ingest import versions_to_parse
    from cnfiscal.warehouse.load import ensure_schema

    night = datetime(2026, 3, 1, 2, tzinfo=UTC)
    sha = {v: v * 64 for v in "abcdefgh"}
    fetches = [  # (run, source, status, version, days before tonight)
        ("r1", "s1", "fetched", "a", 2),
        ("r2", "s1", "not_modified", "a", 1),
        ("r3", "s1", "fetched", "b", 0),  # changed tonight: parse b
        ("r2", "s2", "fetched", "c", 1),
        ("r3", "s2", "not_modified", "c", 0),  # unchanged and loaded: skip
        ("r1", "s3", "fetched", "d", 2),
        ("r2", "s3", "fetched", "e", 1),  # fetched, never parsed (the run died)...
        ("r3", "s3", "failed", None, 0),  # ...and gone tonight: e, from the older night
        ("r1", "s4", "fetched", "f", 2),
        ("r3", "s4", "cached", "f", 2),  # served from the cache, loaded: skip
        ("r2", "s5", "fetched", "g", 1),  # not fetched tonight (another batch's run)
        ("r3", "s6", "not_modified", "c", 0),
        ("r4", "s6", "fetched", "h", -0.01),  # a later run already saw a newer version
    ]
    loaded = {("s1", "a"), ("s2", "c"), ("s3", "d"), ("s4", "f"), ("s5", "g"), ("s6", "c")}
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_schema(con)
        for run, source, status, version, days in fetches:
            at = night - timedelta(days=days)
            con.execute(
                "insert into raw.fetches (run_id, source_id, location, status, sha256, "
                "fetched_at) values (?, ?, ?, ?, ?, ?)",
                [run, source, f"{source}.txt", status, sha.get(version), at],
            )
        for source, version in loaded:
            con.execute(
                "insert into raw.documents (document_id, source_id, location, sha256, "
                "fetched_at, parsed_at, valid_from, parser_version, fact_count, error_count, "
                "is_current) values (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, true)",
                [f"{source}@{sha[version][:12]}", source, f"{source}.txt", sha[version]]
                + [night] * 3
                + [PARSER_VERSION],
            )
        ids = ["s1", "s2", "s3", "s4", "s5", "s6"]
        catalog = Catalog(tmp_path / "catalog.csv", [CatalogEntry(i, f"{i}.txt") for i in ids], [])

        def plan(**kw):
            todo, skipped = versions_to_parse(con, catalog, tmp_path / "cache", **kw)
            return [(t.source_id, t.sha256) for t in todo], skipped

        whole = plan()
        assert whole == ([("s1", sha["b"]), ("s3", sha["e"]), ("s6", sha["h"])], 3)
        assert plan(run_id="r3") == whole
        assert plan(run_id="no such run") == whole
        assert plan(run_id="r3", force=True) == plan(force=True)
        # Nothing left behind for the next call on this connection.
        assert not con.execute("select * from duckdb_tables() where temporary").fetchall()


def test_fetch_log_republish_rewrites_only_runs_that_differ(corpus, tmp_path):
    db, cache, pub = tmp_path / "b.duckdb", tmp_path / "cache", tmp_path / "pub.duckdb"
    catalog = load_catalog(corpus / "catalog.yaml")
    _ingest(catalog, db, cache, "r1")
    publish_database(db, pub)
    _ingest(catalog, db, cache, "r2")
    fetch_sources(catalog, connect_path(db), cache, "r3")
    with duckdb.connect(str(pub)) as con:  # the published copy drifted: r1 edited, r9 extra
        con.execute("update raw.fetches set message = 'old' where run_id = 'r1'")
        con.execute("insert into raw.fetches select * replace ('r9' as run_id) from raw.fetches")
    refresh_published_fetch_log(db, pub)
    everything = "select * from raw.fetches order by run_id, source_id"
    assert _rows(pub, everything) == _rows(db, everything)
    assert _rows(pub, "select count(distinct run_id) from raw.fetches")[0][0] == 3
    totals = "select * from raw.fetch_runs order by run_id"
    assert _rows(pub, totals) == _rows(db, totals)
    assert [r[0] for r in _rows(pub, totals)] == ["r1", "r2", "r3"]


def test_the_transform_fingerprint_ignores_dbt_s_user_id_file(tmp_path):
    from cnfiscal.warehouse.state import transform_fingerprint

    (tmp_path / "dbt_project" / "models").mkdir(parents=True)
    (tmp_path / "dbt_project" / "models" / "m.sql").write_text("select 1", encoding="utf-8")
    (tmp_path / "dbt_project" / "models" / "m.yml").write_text("version: 2", encoding="utf-8")
    before = transform_fingerprint(tmp_path)
    (tmp_path / "dbt_project" / ".user.yml").write_text("id: 1234", encoding="utf-8")
    assert transform_fingerprint(tmp_path) == before
    (tmp_path / "dbt_project" / "models" / "m.yml").write_text("version: 2\n", encoding="utf-8")
    assert transform_fingerprint(tmp_path) != before
