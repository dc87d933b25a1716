"""The fetch log keeps every row of recent runs and only the informative rows of older ones."""

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from cnfiscal.warehouse import fetch_log
from cnfiscal.warehouse.load import FetchRecord, ensure_schema, record_fetches

START = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
NEWEST = (
    "SELECT source_id, arg_max(sha256, fetched_at) FROM raw.fetches "
    "WHERE sha256 IS NOT NULL GROUP BY 1 ORDER BY 1"
)


def _night(n: int) -> list[FetchRecord]:
    """Night n of three sources: s1 never changes, s2 gets a new version on night 3, s3 fails
    from night 5 on (its last good copy is night 1's)."""
    when = START + timedelta(days=n)

    def row(sid, status, sha):
        return FetchRecord(sid, f"reports/{sid}.txt", status, sha, 10, None, None, None, when, None)

    return [
        row("s1", "fetched" if n == 1 else "not_modified", "a1"),
        row("s2", "fetched" if n in (1, 3) else "not_modified", "b1" if n < 3 else "b2"),
        row(
            "s3",
            "fetched" if n == 1 else "failed" if n >= 5 else "not_modified",
            None if n >= 5 else "c1",
        ),
    ]


def _run_nights(con, nights: int) -> None:
    ensure_schema(con)
    for n in range(1, nights + 1):
        record_fetches(con, f"run{n}", _night(n))


def test_old_runs_lose_only_their_not_modified_rows(monkeypatch):
    monkeypatch.setattr(fetch_log, "KEEP_RUNS", 2)
    with duckdb.connect() as full, duckdb.connect() as con:
        monkeypatch.setattr(fetch_log, "COMPACT_BATCH", 10**6)
        _run_nights(full, 6)  # never compacted: the reference
        monkeypatch.setattr(fetch_log, "COMPACT_BATCH", 3)
        _run_nights(con, 4)
        # two runs past the window of two: not yet a batch of three
        assert (
            con.execute(
                "SELECT count(*) FROM raw.fetch_runs WHERE compacted_at IS NOT NULL"
            ).fetchone()[0]
            == 0
        )
        # night 5 makes three (runs 1-3): compacted together; after night 6 run 4 waits
        for n in (5, 6):
            record_fetches(con, f"run{n}", _night(n))

        kept = con.execute(
            "SELECT run_id, source_id, status FROM raw.fetches ORDER BY 1, 2"
        ).fetchall()
        assert [r for r in kept if r[0] in ("run1", "run2", "run3")] == [
            ("run1", "s1", "fetched"),
            ("run1", "s2", "fetched"),
            ("run1", "s3", "fetched"),
            ("run3", "s2", "fetched"),
        ]
        assert len([r for r in kept if r[0] in ("run4", "run5", "run6")]) == 9
        # no version is lost: each source's newest version is the same as in the full log
        assert con.execute(NEWEST).fetchall() == full.execute(NEWEST).fetchall()
        assert con.execute(NEWEST).fetchall() == [("s1", "a1"), ("s2", "b2"), ("s3", "c1")]

        runs = con.execute(
            "SELECT run_id, attempted, fetched, not_modified, failed, compacted_at IS NOT NULL "
            "FROM raw.fetch_runs ORDER BY run_id"
        ).fetchall()
        assert runs == [
            ("run1", 3, 3, 0, 0, True),
            ("run2", 3, 0, 3, 0, True),
            ("run3", 3, 1, 2, 0, True),
            ("run4", 3, 0, 3, 0, False),
            ("run5", 3, 0, 2, 1, False),
            ("run6", 3, 0, 2, 1, False),
        ]
        assert (
            runs
            == full.execute(
                "SELECT run_id, attempted, fetched, not_modified, failed, run_id <= 'run3' "
                "FROM raw.fetch_runs ORDER BY run_id"
            ).fetchall()
        )


def test_recording_a_run_again_replaces_its_rows_and_totals():
    with duckdb.connect() as con:
        _run_nights(con, 2)
        record_fetches(con, "run2", _night(2)[:2])  # a re-executed step, two of its sources
        assert (
            con.execute("SELECT count(*) FROM raw.fetches WHERE run_id = 'run2'").fetchone()[0] == 3
        )
        assert con.execute(
            "SELECT attempted, not_modified FROM raw.fetch_runs WHERE run_id = 'run2'"
        ).fetchone() == (3, 3)


def test_a_log_of_an_older_version_is_migrated():
    with duckdb.connect() as con:
        # the layout before raw.fetch_runs: a primary key on (run_id, source_id)
        con.execute("CREATE SCHEMA raw")
        con.execute(
            "CREATE TABLE raw.fetches (run_id VARCHAR NOT NULL, source_id VARCHAR NOT NULL, "
            "location VARCHAR NOT NULL, status VARCHAR NOT NULL, sha256 VARCHAR, "
            "size_bytes BIGINT, http_status INTEGER, etag VARCHAR, last_modified VARCHAR, "
            "fetched_at TIMESTAMPTZ NOT NULL, message VARCHAR, PRIMARY KEY (run_id, source_id))"
        )
        for n in (1, 2):
            for r in _night(n):
                con.execute(
                    "INSERT INTO raw.fetches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        f"run{n}",
                        r.source_id,
                        r.location,
                        r.status,
                        r.sha256,
                        r.size_bytes,
                        r.http_status,
                        r.etag,
                        r.last_modified,
                        r.fetched_at,
                        r.message,
                    ],
                )
        before = con.execute("SELECT * FROM raw.fetches ORDER BY run_id, source_id").fetchall()
        ensure_schema(con)
        keys = con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'fetches' "
            "AND constraint_type = 'PRIMARY KEY'"
        ).fetchone()[0]
        assert keys == 0
        assert (
            con.execute("SELECT * FROM raw.fetches ORDER BY run_id, source_id").fetchall() == before
        )
        nulls = con.execute(
            "SELECT is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'fetches' AND column_name = 'status'"
        ).fetchone()[0]
        assert nulls == "NO"  # the NOT NULL constraints come along
        assert con.execute(
            "SELECT run_id, attempted, fetched FROM raw.fetch_runs ORDER BY 1"
        ).fetchall() == [("run1", 3, 3), ("run2", 3, 0)]
        ensure_schema(con)  # again: nothing to do
        assert con.execute("SELECT count(*) FROM raw.fetch_runs").fetchone()[0] == 2
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO raw.fetch_runs SELECT * FROM raw.fetch_runs LIMIT 1")


def test_the_freshness_suite_catches_a_source_recorded_twice(tmp_path):
    # With no primary key, a run's rows are unique because record_fetches replaces them; the
    # blocking freshness suite checks tonight's anyway.
    from cnfiscal.quality.gx_runner import validate_suite

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        _run_nights(con, 1)
    context = {"catalog_ids": ["s1", "s2", "s3"], "run_id": "run1"}
    assert not validate_suite("freshness", db, context=context).blocking_failures
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO raw.fetches SELECT * FROM raw.fetches WHERE source_id = 's2'")
    failures = validate_suite("freshness", db, context=context).blocking_failures
    assert [f.label for f in failures] == ["expect_column_values_to_be_unique(source_id)"]


FIRST_SEEN = "SELECT source_id, first_seen FROM raw.source_first_seen ORDER BY 1"


def test_a_source_keeps_the_start_of_the_run_that_first_logged_it(monkeypatch):
    monkeypatch.setattr(fetch_log, "KEEP_RUNS", 1)
    monkeypatch.setattr(fetch_log, "COMPACT_BATCH", 1)
    with duckdb.connect() as con:
        _run_nights(con, 3)
        late = _night(4)[0]
        late.source_id = "s4"  # a source that enters the catalog on night 4
        record_fetches(con, "run4", [*_night(4), late])
        record_fetches(con, "run4", [late])  # a re-executed step: its rows replaced, no second row
        night = lambda n: START + timedelta(days=n)  # noqa: E731
        assert con.execute(FIRST_SEEN).fetchall() == [
            ("s1", night(1)),
            ("s2", night(1)),
            ("s3", night(1)),
            ("s4", night(4)),
        ]
        # compaction dropped the old runs' not_modified rows; the sightings stay
        left = con.execute("SELECT count(*) FROM raw.fetches WHERE run_id = 'run2'").fetchone()
        assert left[0] == 0


def test_first_sightings_of_an_older_warehouse_come_from_its_log():
    with duckdb.connect() as con:
        _run_nights(con, 3)
        expected = con.execute(FIRST_SEEN).fetchall()
        con.execute("DELETE FROM raw.source_first_seen")  # as a warehouse made before the table
        ensure_schema(con)
        assert con.execute(FIRST_SEEN).fetchall() == expected
