"""raw.fetches, the fetch log, and raw.fetch_runs, one summary row per run.

Every run records a row per catalog entry: at 100,000 reports that is 100,000 rows a night,
nearly all `not_modified`, so a year of nights would be most of the warehouse file (and of
the copy analysts read) and every scan of the log would grow with the nights run. So the log
keeps every row of the newest KEEP_RUNS runs and, of older runs, only the rows that say
something: a new version (`fetched`), a failure, a fallback to the cache. A `not_modified`
row repeats the version its source already had, so dropping it loses no version: each
source's newest version is still its newest row with a sha256. What a compacted run did in
total stays in raw.fetch_runs, and when each source was first attempted in
raw.source_first_seen.

Compaction runs when COMPACT_BATCH runs have passed the window, so it costs one delete a week
of nights, not one a night. raw.fetches has no primary key: its index made that delete cost
~3 s per run at 100,000 rows; a run's rows are unique by construction (record_fetches replaces
them in one transaction), and the freshness suite checks tonight's.
"""

from __future__ import annotations

import duckdb

from cnfiscal.warehouse import unkey

KEEP_RUNS = 30  # runs whose every row is kept: a month of nightly runs
COMPACT_BATCH = 7  # compact once this many runs are past the window

# A run's totals from its rows in raw.fetches (for the runs given in _runs_to_count).
_COUNTS = """
SELECT run_id, min(fetched_at) AS started_at, max(fetched_at) AS finished_at,
    count(*) AS attempted,
    count(*) FILTER (WHERE status = 'fetched') AS fetched,
    count(*) FILTER (WHERE status = 'not_modified') AS not_modified,
    count(*) FILTER (WHERE status = 'cached') AS cached,
    count(*) FILTER (WHERE status = 'failed') AS failed,
    NULL::TIMESTAMPTZ AS compacted_at
FROM raw.fetches WHERE run_id IN (SELECT run_id FROM _runs_to_count) GROUP BY run_id
"""

# The sources of this run's rows (_new_fetches) that no earlier run logged, with the run's start.
_FIRST_SEEN = """
INSERT INTO raw.source_first_seen
SELECT DISTINCT n.source_id, r.started_at FROM _new_fetches n JOIN raw.fetch_runs r ON r.run_id = ?
WHERE n.source_id NOT IN (SELECT source_id FROM raw.source_first_seen)
"""
# The same from a whole log (a warehouse from before raw.source_first_seen).
_FIRST_SEEN_FROM_LOG = """
INSERT INTO raw.source_first_seen
SELECT f.source_id, min(r.started_at) FROM raw.fetches f JOIN raw.fetch_runs r USING (run_id)
GROUP BY f.source_id
"""


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a warehouse made by an older version up to this layout: raw.fetches without its
    primary key (the table is copied once), raw.fetch_runs filled for the runs it has, and
    raw.source_first_seen from the log."""
    has_key = bool(unkey.keyed(con, "raw", ("fetches",)))
    # record() writes a run's totals with its rows, so only an older warehouse has rows and no
    # totals at all (checked in O(1): this runs on every connection that ensures the schema)
    missing_runs = con.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM raw.fetch_runs) AND EXISTS (SELECT 1 FROM raw.fetches)"
    ).fetchone()[0]
    missing_first_seen = con.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM raw.source_first_seen) "
        "AND EXISTS (SELECT 1 FROM raw.fetches)"
    ).fetchone()[0]
    if not (has_key or missing_runs or missing_first_seen):
        return
    con.execute("BEGIN")
    try:
        if has_key:
            unkey.drop_primary_key(con, "raw", "fetches")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _runs_to_count AS SELECT DISTINCT run_id "
            "FROM raw.fetches ANTI JOIN raw.fetch_runs USING (run_id)"
        )
        con.execute(f"INSERT INTO raw.fetch_runs {_COUNTS}")
        con.execute("DROP TABLE _runs_to_count")
        if missing_first_seen:
            con.execute(_FIRST_SEEN_FROM_LOG)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def record(con: duckdb.DuckDBPyConnection, run_id: str, rows) -> None:
    """Replace the run's rows for these sources with `rows` (an Arrow table of raw.fetches'
    columns), update the run's totals and the first sightings, and compact the log if it is
    due; one transaction."""
    con.execute("BEGIN")
    try:
        con.register("_new_fetches", rows)
        con.execute(
            "DELETE FROM raw.fetches WHERE run_id = ? "
            "AND source_id IN (SELECT source_id FROM _new_fetches)",
            [run_id],
        )
        con.execute("INSERT INTO raw.fetches SELECT * FROM _new_fetches")
        con.execute("CREATE OR REPLACE TEMP TABLE _runs_to_count AS SELECT ? AS run_id", [run_id])
        con.execute("DELETE FROM raw.fetch_runs WHERE run_id = ?", [run_id])
        con.execute(f"INSERT INTO raw.fetch_runs {_COUNTS}")
        con.execute("DROP TABLE _runs_to_count")
        con.execute(_FIRST_SEEN, [run_id])
        con.unregister("_new_fetches")
        compact(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def compact(
    con: duckdb.DuckDBPyConnection, keep: int | None = None, batch: int | None = None
) -> list[str]:
    """Drop the `not_modified` rows of the runs older than the newest `keep` (KEEP_RUNS), once
    `batch` (COMPACT_BATCH) of them wait; inside the caller's transaction. Returns the run ids
    compacted."""
    keep = KEEP_RUNS if keep is None else keep
    batch = COMPACT_BATCH if batch is None else batch
    due = [
        run_id
        for (run_id,) in con.execute(
            "SELECT run_id FROM (SELECT run_id, compacted_at, "
            "row_number() OVER (ORDER BY started_at DESC, run_id DESC) AS newness "
            "FROM raw.fetch_runs) WHERE newness > ? AND compacted_at IS NULL ORDER BY run_id",
            [keep],
        ).fetchall()
    ]
    if len(due) < batch:
        return []
    con.execute("CREATE OR REPLACE TEMP TABLE _compacting AS SELECT unnest(?) AS run_id", [due])
    con.execute(
        "DELETE FROM raw.fetches WHERE status = 'not_modified' "
        "AND run_id IN (SELECT run_id FROM _compacting)"
    )
    con.execute(
        "UPDATE raw.fetch_runs SET compacted_at = now() "
        "WHERE run_id IN (SELECT run_id FROM _compacting)"
    )
    con.execute("DROP TABLE _compacting")
    return due
