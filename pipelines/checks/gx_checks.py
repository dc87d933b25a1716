"""GX suite freshness as a blocking Dagster asset check on the fetches: a catalog report the run
never attempted is not one report's fault, so ERROR stops everything downstream.

The per-report and published suites run inside the quality_gate asset (pipelines/assets/
quality.py), because they must run between its quarantine and its rebuild of the marts."""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from cnfiscal.catalog import load_catalog
from cnfiscal.quality import report
from cnfiscal.quality.gx_runner import validate_suite
from pipelines.resources import PathsResource


@asset_check(
    asset=AssetKey(["raw", "fetches"]),
    blocking=True,
    description="GX suite freshness: every catalog report attempted in the last run.",
)
def gx_freshness(paths: PathsResource) -> AssetCheckResult:
    settings = paths.settings()
    ids = [e.id for e in load_catalog(settings.catalog_path).entries]
    outcome = validate_suite("freshness", settings.build_db, context={"catalog_ids": ids})
    level = report.severity(outcome)
    rows = report.failing_rows(outcome)
    return AssetCheckResult(
        passed=level == "ok",
        severity=AssetCheckSeverity.ERROR if level == "error" else AssetCheckSeverity.WARN,
        metadata={
            **report.counts(outcome),
            "failing_rows": MetadataValue.md(report.markdown_table(rows)),
            "failing_rows_json": MetadataValue.json(rows),
        },
    )
