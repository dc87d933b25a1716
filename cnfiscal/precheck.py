"""Fetch, then tell whether a run would change anything — before paying for Dagster.

Importing Dagster, dbt and Great Expectations costs about 10 s of CPU before any work is
done, which is most of a night on which no report changed. So `cnfiscal run` first fetches the
catalog in plain Python (the same `fetch_sources` the raw_ingest asset runs, recorded under the
run id the job will use) and asks whether the job would change the published copy:

- a report version not loaded yet, or loaded by an older parser version;
- a source dropped from the catalog that still has a current version;
- a published copy built from other raw inputs or other transform code (dbt, suites, exports),
  or no readable published copy at all.

If none holds, the launcher republishes the fetch log (so analysts see tonight's fetch
failures) and stops: dbt, the checks and the exports would reproduce the same file. Otherwise it
launches the job and tells raw_ingest the fetch is already done.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from cnfiscal.catalog import batches_to_run, load_catalog
from cnfiscal.ingest import FetchSummary, connect_path, fetch_sources, versions_to_parse
from cnfiscal.publish import published_state
from cnfiscal.settings import Settings
from cnfiscal.warehouse.load import dropped_sources, ensure_schema
from cnfiscal.warehouse.state import build_fingerprint


@dataclass
class Precheck:
    fetched: FetchSummary
    to_parse: int = 0
    unchanged: int = 0
    dropped: int = 0
    fingerprint: str | None = None  # of the build file, when nothing is left to parse
    published: str | None = None  # the published copy's stamp
    batches: list[str] = field(default_factory=list)  # what a whole-catalog run covers
    catalog_problems: list[str] = field(default_factory=list)
    timing_s: dict[str, float] = field(default_factory=dict)  # where the precheck's time went

    @property
    def changed(self) -> bool:
        return bool(self.to_parse or self.dropped) or self.fingerprint != self.published


def precheck(settings: Settings, run_id: str) -> Precheck:
    started = time.perf_counter()
    catalog = load_catalog(settings.catalog_path)
    loaded = time.perf_counter()
    connect = connect_path(settings.build_db)
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    fetched = fetch_sources(catalog, connect, settings.cache_dir, run_id)
    result = Precheck(fetched, catalog_problems=list(catalog.problems))
    planned = time.perf_counter()
    with connect() as con:
        ensure_schema(con)
        todo, result.unchanged = versions_to_parse(con, catalog, settings.cache_dir, run_id=run_id)
        result.to_parse = len(todo)
        ids = [e.id for e in catalog.entries]
        dropped = dropped_sources(con, ids)
        result.dropped = len(dropped)
        # The catalog's batches and the dropped sources' (every other current source is
        # listed): the job needs them, and reading the catalog again costs ~1 s at 100,000.
        result.batches = batches_to_run(ids, dropped)
        if not (result.to_parse or result.dropped):
            result.fingerprint = build_fingerprint(con)
    result.published = published_state(settings)
    result.timing_s = {
        "catalog": round(loaded - started, 3),
        **fetched.timing_s,
        "plan": round(time.perf_counter() - planned, 3),
    }
    return result


def describe(result: Precheck) -> str:
    f = result.fetched
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(f.by_status.items()))
    return (
        f"fetched {f.attempted} ({statuses}); to parse {result.to_parse}, "
        f"unchanged {result.unchanged}, dropped {result.dropped}"
    )
