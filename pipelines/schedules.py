"""The nightly run: every catalog batch at 02:00 China time, in one run (thin; the logic that
decides what changed lives in cnfiscal.ingest and cnfiscal.warehouse.state). Before it, at
01:30, discovery walks the portals; the catalog sensor starts a build for what it added."""

from dagster import (
    AssetSelection,
    DagsterInstance,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    define_asset_job,
    schedule,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from cnfiscal.catalog import batch_digests, load_catalog
from cnfiscal.discover.portals import load_portals
from cnfiscal.settings import get_settings
from pipelines.assets.ingest import catalog_batches

# Everything but discovery: ingest (partitioned by batch), dbt, checks, exports, publish.
# Discovery goes to the network on its own schedule; a build never waits for it.
build_job = define_asset_job(
    "cnfiscal_build",
    selection=AssetSelection.all() - AssetSelection.groups("discovery"),
    description="Fetch and parse the selected catalog batches, then rebuild and publish.",
)

discovery_job = define_asset_job(
    "cnfiscal_discover",
    selection=AssetSelection.groups("discovery"),
    description="Walk the portals and append the reports found to discovered.yaml.",
)


def register_batches(instance: DagsterInstance, batches: list[str]) -> list[str]:
    """Add missing batch partitions; returns every partition, in the instance's order."""
    known = instance.get_dynamic_partitions(catalog_batches.name)
    missing = sorted(set(batches) - set(known))
    if missing:
        instance.add_dynamic_partitions(catalog_batches.name, missing)
    return list(known) + missing


def whole_range_tags(partitions: list[str]) -> dict[str, str]:
    """Tags that make one run cover every batch (what a single-run backfill does)."""
    return {
        ASSET_PARTITION_RANGE_START_TAG: partitions[0],
        ASSET_PARTITION_RANGE_END_TAG: partitions[-1],
    }


def run_batches(tags: dict[str, str], partitions: list[str]) -> list[str] | None:
    """The batches a run covers, read from its tags (one partition, or a range of `partitions`
    in the instance's order); None when the tags name no batch, i.e. the whole catalog."""
    if PARTITION_NAME_TAG in tags:
        return [tags[PARTITION_NAME_TAG]]
    start = tags.get(ASSET_PARTITION_RANGE_START_TAG)
    end = tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if start in partitions and end in partitions:
        return partitions[partitions.index(start) : partitions.index(end) + 1]
    return None


@schedule(
    job=build_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.RUNNING,
    description="02:00 Asia/Shanghai: conditional re-fetch of every source, parse what changed.",
)
def nightly_schedule(context: ScheduleEvaluationContext):
    catalog = load_catalog(get_settings().catalog_path)
    partitions = register_batches(context.instance, list(batch_digests(catalog)))
    if not partitions:
        return []
    return RunRequest(
        run_key=context.scheduled_execution_time.isoformat(),
        tags={**whole_range_tags(partitions), "cnfiscal/trigger": "nightly"},
    )


@schedule(
    job=discovery_job,
    cron_schedule="30 1 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.RUNNING,
    description="01:30 Asia/Shanghai: walk the portals (the catalog sensor builds what is new).",
)
def discovery_schedule(context: ScheduleEvaluationContext):
    if not load_portals(get_settings().portals_path).portals:
        return SkipReason("no portals in portals.yaml")
    return RunRequest(
        run_key=context.scheduled_execution_time.isoformat(),
        tags={"cnfiscal/trigger": "discovery"},
    )
