"""Catalog → fetched files → parsed reports in the raw schema (a wrapper over cnfiscal.ingest).

Partitioned by catalog batch (cnfiscal.catalog.batch_of): the sensor runs just the batches whose
entries changed, the nightly schedule and `cnfiscal run` cover every batch in one run, and a
backfill with `force: true` re-parses everything. A run with no partition covers the whole
catalog.

Three kinds of step: `ingest_plan` fetches and lists what to parse, `parse_shard` (one per
shard of whole batches, `parse_steps` of them at most) parses without opening the warehouse,
and `ingest_load` loads everything from one process, DuckDB's one writer. On the Celery
executor the parse steps are tasks spread over the workers; their results reach the load step
through the IO manager, i.e. the instance's storage directory.

raw/facts and raw/parse_issues are only reported materialized when the raw layer differs from
what the published copy was built from; otherwise dbt, the checks, the exports and publishing
(all downstream of them) are skipped, which is what keeps a no-change night short, and only
the published copy's fetch log is refreshed.
"""

import time
from pathlib import Path

from dagster import (
    AssetOut,
    BackfillPolicy,
    Config,
    ConfigMapping,
    DynamicOut,
    DynamicOutput,
    DynamicPartitionsDefinition,
    MetadataValue,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    graph_multi_asset,
    op,
)
from dagster_duckdb import DuckDBResource
from pydantic import Field

from cnfiscal.catalog import load_catalog, select_batches
from cnfiscal.extract import PARSER_VERSION
from cnfiscal.ingest import (
    fetch_log,
    fetch_sources,
    load_parsed,
    parse_todos,
    read_spool,
    shard_todos,
    versions_to_parse,
)
from cnfiscal.publish import published_state, refresh_published
from cnfiscal.warehouse.load import ensure_schema
from cnfiscal.warehouse.state import build_fingerprint
from pipelines.resources import PathsResource

catalog_batches = DynamicPartitionsDefinition(name="catalog_batches")


class IngestConfig(Config):
    force: bool = Field(False, description="Re-fetch unconditionally and re-parse every report.")
    rebuild: bool = Field(
        False,
        description="Rebuild the marts, checks and exports even when raw matches the published "
        "copy (with the dbt step's full_refresh: `cnfiscal run --full-refresh`).",
    )
    workers: int = Field(2, description="Parser processes inside each parse step.")
    parse_steps: int = Field(
        1,
        description="At most this many parse steps, whole catalog batches each; on the Celery "
        "executor each is a task any worker can take. They never open the warehouse: the "
        "load step writes what they parsed.",
    )
    fetched: bool = Field(
        False,
        description="This run's fetch is already done and recorded under its run id (the "
        "`cnfiscal run` launcher fetches first to decide whether to launch): only parse.",
    )


class PlanConfig(Config):
    force: bool = False
    fetched: bool = False
    parse_steps: int = 1


class ParseConfig(Config):
    workers: int = 2


class LoadConfig(Config):
    force: bool = False
    rebuild: bool = False


def _inner_config(config: IngestConfig) -> dict:
    # Dagster hands the mapping the validated config as a dict (IngestConfig gives its schema).
    config = IngestConfig(**config) if isinstance(config, dict) else config
    return {
        "ingest_plan": {
            "config": {
                "force": config.force,
                "fetched": config.fetched,
                "parse_steps": config.parse_steps,
            }
        },
        "parse_shard": {"config": {"workers": config.workers}},
        "ingest_load": {"config": {"force": config.force, "rebuild": config.rebuild}},
    }


def _batches(context: OpExecutionContext) -> list[str] | None:
    partitioned = context.has_partition_key or context.has_partition_key_range
    return list(context.partition_keys) if partitioned else None


@op(out={"plan": Out(), "todo": DynamicOut()})
def ingest_plan(
    context: OpExecutionContext, config: PlanConfig, paths: PathsResource, duckdb: DuckDBResource
):
    """Fetch (unless the launcher did), then list the versions to parse, in shards."""
    settings = paths.settings()
    batches = _batches(context)
    full = load_catalog(settings.catalog_path)
    for problem in full.problems:
        context.log.warning(f"catalog: {problem}")
    catalog = select_batches(full, batches)
    started = time.perf_counter()
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
    with duckdb.get_connection() as con:
        ensure_schema(con)
        todo, skipped = versions_to_parse(
            con, catalog, settings.cache_dir, config.force, run_id=context.run.run_id
        )
    shards = shard_todos(todo, config.parse_steps)
    context.log.info(f"{len(todo)} versions to parse in {len(shards)} parse steps")
    yield Output(
        {
            "fetched": fetched,
            "skipped": skipped,
            "problems": full.problems,
            "fetch_s": round(time.perf_counter() - started, 3),
        },
        "plan",
    )
    for n, shard in enumerate(shards):
        yield DynamicOutput(shard, mapping_key=f"shard_{n}", output_name="todo")


# The Celery queue of the parse steps (dagster-celery reads the tag; other executors ignore
# it). Every other step opens the warehouse and goes to the default queue, "dagster": give
# that queue to one worker with one slot, on the machine with the DuckDB file, and it is the
# only writer; any number of workers can take "parse".
PARSE_QUEUE = "parse"


@op(tags={"dagster-celery/queue": PARSE_QUEUE})
def parse_shard(
    context: OpExecutionContext, config: ParseConfig, paths: PathsResource, todo: list
) -> dict:
    """Parse one shard; no warehouse connection (DuckDB allows one writer: the load step).
    The versions go to a spool file beside the fetch cache (which every parse worker reads
    already), not through the IO manager: a cold build's shards would sit in memory whole."""
    started = time.perf_counter()
    spool = paths.settings().cache_dir / "parsed" / f"{context.run_id}-{context.get_mapping_key()}"
    n = parse_todos(todo, spool, config.workers)
    seconds = round(time.perf_counter() - started, 3)
    context.log.info(f"parsed {n} versions in {seconds}s")
    return {"spool": str(spool), "seconds": seconds}


SPECS = {
    "fetches": (
        "One row per catalog entry per run, with how the fetch went (older runs keep only "
        "their fetched, failed and cached rows; raw.fetch_runs has every run's totals).",
        False,
    ),
    "documents": ("One row per report version, with its metadata and status.", False),
    "facts": ("One row per extracted fact, with evidence and provenance.", True),
    "parse_issues": ("What the reader and extractor found wrong, quoting the text.", True),
}


@op(out={table: Out(Nothing, is_required=not skippable) for table, (_, skippable) in SPECS.items()})
def ingest_load(
    context: OpExecutionContext,
    config: LoadConfig,
    paths: PathsResource,
    duckdb: DuckDBResource,
    plan: dict,
    parsed: list,
):
    """Load every shard's versions from this one process, then decide whether to rebuild."""
    settings = paths.settings()
    batches = _batches(context)
    catalog = select_batches(load_catalog(settings.catalog_path), batches)
    started = time.perf_counter()
    with duckdb.get_connection() as con:
        versions = (v for shard in parsed for v in read_spool(Path(shard["spool"])))
        loaded = load_parsed(con, catalog, versions, batches)
        fingerprint = build_fingerprint(con)
    loaded.skipped = plan["skipped"]
    changed = config.force or config.rebuild or fingerprint != published_state(settings)
    if not changed:
        refresh_published(settings)
    fetched = plan["fetched"]
    timing = {
        "fetch": plan["fetch_s"],
        "parse": round(sum(s["seconds"] for s in parsed), 3),  # summed over the parse steps
        "load_state_publish_log": round(time.perf_counter() - started, 3),
    }
    yield Output(
        None,
        "fetches",
        metadata={
            "catalog": MetadataValue.path(str(settings.catalog_path)),
            "batches": MetadataValue.json(batches or "all"),
            "attempted": fetched.attempted,
            "by_status": MetadataValue.json(fetched.by_status),
            "failed_sources": MetadataValue.json(fetched.failed[:200]),
            "catalog_problems": MetadataValue.json(plan["problems"][:200]),
            "timing_s": MetadataValue.json(timing),
            "parse_steps": len(parsed),
        },
    )
    yield Output(
        None,
        "documents",
        metadata={
            "parser_version": PARSER_VERSION,
            "parsed": len(loaded.parsed),
            "skipped_unchanged": loaded.skipped,
            "retired": loaded.retired,
            "facts_loaded": loaded.facts,
            "issues_loaded": loaded.issues,
            "parsed_documents": MetadataValue.json(loaded.parsed[:200]),
            "fingerprint": fingerprint,
            "rebuild": changed,
        },
    )
    if not changed:
        context.log.info("raw matches the published copy: fetch log republished, rest skipped")
        return
    yield Output(None, "facts", metadata={"rows_loaded": loaded.facts})
    yield Output(None, "parse_issues", metadata={"rows_loaded": loaded.issues})


@graph_multi_asset(
    outs={
        table: AssetOut(
            key=["raw", table],
            group_name="ingest",
            kinds={"python", "duckdb"},
            description=description,
            is_required=not skippable,
        )
        for table, (description, skippable) in SPECS.items()
    },
    name="raw_ingest",
    partitions_def=catalog_batches,
    backfill_policy=BackfillPolicy.single_run(),
    config=ConfigMapping(config_fn=_inner_config),
)
def raw_ingest():
    """Fetch catalog entries (conditional GET), parse new report versions in parse steps
    (whole batches each), load them from one step."""
    plan, todo = ingest_plan()
    parsed = todo.map(parse_shard).collect()
    return ingest_load(plan, parsed)
