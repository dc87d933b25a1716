"""GX suite freshness as a blocking Dagster asset check on the fetches: a catalog report the run
never attempted is not one report's fault, so ERROR stops the exports and publishing (they
depend on raw/fetches for that reason).

The per-report and published suites run inside the quality_gate asset (pipelines/assets/
quality.py), because they must run between its quarantine and its rebuild of the marts."""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from cnfiscal.catalog import load_catalog, select_batches
from cnfiscal.quality import report
from cnfiscal.quality.gx_runner import validate_suite
from pipelines.assets.ingest import catalog_batches
from pipelines.resources import PathsResource
from pipelines.schedules import run_batches


@asset_check(
    asset=AssetKey(["raw", "fetches"]),
    blocking=True,
    description="GX suite freshness: every catalog report of the run's batches attempted in it.",
    # Nothing in dbt reads raw.fetches, so dbt need not wait for this check; run it after dbt
    # has started, when GX has been loading beside it (gx_runner.import_in_background).
    op_tags={"dagster/priority": -1},
)
def gx_freshness(context: AssetCheckExecutionContext, paths: PathsResource) -> AssetCheckResult:
    settings = paths.settings()
    # A sensor run covers the batches that changed; the others were not due in it.
    partitions = context.instance.get_dynamic_partitions(catalog_batches.name)
    batches = run_batches(context.run.tags, partitions)
    catalog = select_batches(load_catalog(settings.catalog_path), batches)
    ids = [e.id for e in catalog.entries]
    outcome = validate_suite(
        "freshness", settings.build_db, context={"catalog_ids": ids, "run_id": context.run.run_id}
    )
    level = report.severity(outcome)
    rows = report.failing_rows(outcome)
    return AssetCheckResult(
        passed=level == "ok",
        severity=AssetCheckSeverity.ERROR if level == "error" else AssetCheckSeverity.WARN,
        metadata={
            **report.counts(outcome),
            "batches": MetadataValue.json(batches or "all"),
            "failing_rows": MetadataValue.md(report.markdown_table(rows)),
            "failing_rows_json": MetadataValue.json(rows),
        },
    )
