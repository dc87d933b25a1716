"""Catalog → fetched files → parsed reports in the raw schema (a wrapper over cnfiscal.ingest).

Partitioned by catalog batch (cnfiscal.catalog.batch_of): the sensor runs just the batches whose
entries changed, the nightly schedule and `cnfiscal run` cover every batch in one run, and a
backfill with `force: true` re-parses everything. A run with no partition covers the whole
catalog.

raw/facts and raw/parse_issues are only reported materialized when the raw layer differs from
what the published copy was built from; otherwise dbt, the checks, the exports and publishing
(all downstream of them) are skipped, which is what keeps a no-change night short, and only
the published copy's fetch log is refreshed.
"""

import time

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    Config,
    DynamicPartitionsDefinition,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_duckdb import DuckDBResource
from pydantic import Field

from cnfiscal.catalog import load_catalog, select_batches
from cnfiscal.extract import PARSER_VERSION
from cnfiscal.ingest import fetch_log, fetch_sources, parse_sources
from cnfiscal.publish import refresh_published_fetch_log
from cnfiscal.warehouse.state import build_fingerprint, published_fingerprint
from pipelines.resources import PathsResource

catalog_batches = DynamicPartitionsDefinition(name="catalog_batches")


class IngestConfig(Config):
    force: bool = Field(False, description="Re-fetch unconditionally and re-parse every report.")
    rebuild: bool = Field(
        False,
        description="Rebuild the marts, checks and exports even when raw matches the published "
        "copy (with the dbt step's full_refresh: `cnfiscal run --full-refresh`).",
    )
    workers: int = Field(2, description="Parser processes (the load stays in one writer).")
    fetched: bool = Field(
        False,
        description="This run's fetch is already done and recorded under its run id (the "
        "`cnfiscal run` launcher fetches first to decide whether to launch): only parse.",
    )


SPECS = {
    "fetches": ("One row per catalog entry per run, with how the fetch went.", False),
    "documents": ("One row per report version, with its metadata and status.", False),
    "facts": ("One row per extracted fact, with evidence and provenance.", True),
    "parse_issues": ("What the reader and extractor found wrong, quoting the text.", True),
}


@multi_asset(
    specs=[
        AssetSpec(
            ["raw", table],
            group_name="ingest",
            kinds={"python", "duckdb"},
            description=description,
            skippable=skippable,
        )
        for table, (description, skippable) in SPECS.items()
    ],
    name="raw_ingest",
    partitions_def=catalog_batches,
    backfill_policy=BackfillPolicy.single_run(),
    description="Fetch catalog entries (conditional GET) and parse new report versions.",
)
def raw_ingest(
    context: AssetExecutionContext,
    config: IngestConfig,
    paths: PathsResource,
    duckdb: DuckDBResource,
):
    settings = paths.settings()
    partitioned = context.has_partition_key or context.has_partition_key_range
    batches = list(context.partition_keys) if partitioned else None
    full = load_catalog(settings.catalog_path)
    for problem in full.problems:
        context.log.warning(f"catalog: {problem}")
    catalog = select_batches(full, batches)
    clock = [time.perf_counter()]

    def lap() -> float:
        clock.append(time.perf_counter())
        return round(clock[-1] - clock[-2], 3)

    if config.fetched:
        fetched = fetch_log(duckdb.get_connection, context.run.run_id, catalog)
    else:
        fetched = fetch_sources(
            catalog,
            duckdb.get_connection,
            settings.cache_dir,
            context.run.run_id,
            force=config.force,
        )
    timing = {"fetch": lap()}
    parsed = parse_sources(
        catalog,
        duckdb.get_connection,
        settings.cache_dir,
        force=config.force,
        workers=config.workers,
        batches=batches,
    )
    timing["parse_load"] = lap()
    with duckdb.get_connection() as con:
        fingerprint = build_fingerprint(con)
    published = published_fingerprint(settings.published_db)
    changed = config.force or config.rebuild or fingerprint != published
    if not changed:
        refresh_published_fetch_log(settings.build_db, settings.published_db)
    timing["state_publish_log"] = lap()
    yield MaterializeResult(
        asset_key=["raw", "fetches"],
        metadata={
            "catalog": MetadataValue.path(str(settings.catalog_path)),
            "batches": MetadataValue.json(batches or "all"),
            "attempted": fetched.attempted,
            "by_status": MetadataValue.json(fetched.by_status),
            "failed_sources": MetadataValue.json(fetched.failed[:200]),
            "catalog_problems": MetadataValue.json(full.problems[:200]),
            "timing_s": MetadataValue.json(timing),
        },
    )
    yield MaterializeResult(
        asset_key=["raw", "documents"],
        metadata={
            "parser_version": PARSER_VERSION,
            "parsed": len(parsed.parsed),
            "skipped_unchanged": parsed.skipped,
            "retired": parsed.retired,
            "facts_loaded": parsed.facts,
            "issues_loaded": parsed.issues,
            "parsed_documents": MetadataValue.json(parsed.parsed[:200]),
            "fingerprint": fingerprint,
            "rebuild": changed,
        },
    )
    if not changed:
        context.log.info("raw matches the published copy: fetch log republished, rest skipped")
        return
    yield MaterializeResult(asset_key=["raw", "facts"], metadata={"rows_loaded": parsed.facts})
    yield MaterializeResult(
        asset_key=["raw", "parse_issues"], metadata={"rows_loaded": parsed.issues}
    )
