"""Catalog sensor: notices new, changed or removed catalog entries and changed or dropped local
files (by size and mtime), registers new batch partitions and requests a run for what changed.
The cursor holds one digest per batch (cnfiscal.catalog.batch_digests)."""

import hashlib
import json

from dagster import (
    AddDynamicPartitionsRequest,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from cnfiscal.catalog import batch_digests, load_catalog, plan_catalog_run
from cnfiscal.settings import get_settings
from pipelines.assets.ingest import catalog_batches
from pipelines.schedules import build_job, whole_range_tags


@sensor(
    job=build_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Runs the batches whose catalog entries or local files changed.",
)
def catalog_sensor(context: SensorEvaluationContext):
    now = batch_digests(load_catalog(get_settings().catalog_path))
    before = json.loads(context.cursor) if context.cursor else {}
    known = list(context.instance.get_dynamic_partitions(catalog_batches.name))
    plan = plan_catalog_run(before, now, known)
    cursor = json.dumps(now, sort_keys=True)
    if not plan.run_batches:
        return SensorResult(skip_reason=SkipReason("catalog unchanged"), cursor=cursor)
    key = "catalog-" + hashlib.sha1(cursor.encode()).hexdigest()[:16]
    partitions = known + plan.add_batches
    if not partitions:
        return SensorResult(skip_reason=SkipReason("catalog is empty"), cursor=cursor)
    if plan.whole_range or plan.run_batches[0] not in partitions:
        runs = [RunRequest(run_key=key, tags=whole_range_tags(partitions))]
    else:
        runs = [RunRequest(run_key=key, partition_key=plan.run_batches[0])]
    return SensorResult(
        run_requests=runs,
        cursor=cursor,
        dynamic_partitions_requests=[
            AddDynamicPartitionsRequest(catalog_batches.name, plan.add_batches)
        ]
        if plan.add_batches
        else [],
    )
