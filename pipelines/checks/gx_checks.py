"""GX suites over what would be published, as blocking Dagster asset checks: any failure here is
table-wide (not one report's fault), so ERROR stops the exports and the publish."""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from cnfiscal.catalog import load_catalog
from cnfiscal.quality import report
from cnfiscal.quality.gx_runner import SuiteOutcome, validate_suite
from pipelines.assets.quality import quality_gate
from pipelines.resources import PathsResource


def check_result(outcome: SuiteOutcome) -> AssetCheckResult:
    level = report.severity(outcome)
    rows = report.failing_rows(outcome)
    return AssetCheckResult(
        passed=level == "ok",
        severity=AssetCheckSeverity.ERROR if level == "error" else AssetCheckSeverity.WARN,
        metadata={
            **report.counts(outcome),
            "skipped": outcome.skipped or "",
            "failing_rows": MetadataValue.md(report.markdown_table(rows)),
            "failing_rows_json": MetadataValue.json(rows),
        },
    )


def _validate(name: str, paths: PathsResource, context: dict | None = None) -> AssetCheckResult:
    settings = paths.settings()
    docs = settings.quality_dir / "data_docs" / name
    return check_result(validate_suite(name, settings.build_db, context=context, docs_dir=docs))


@asset_check(
    asset=AssetKey(["raw", "fetches"]),
    blocking=True,
    description="GX suite freshness: every catalog report attempted in the last run.",
)
def gx_freshness(paths: PathsResource) -> AssetCheckResult:
    catalog = load_catalog(paths.settings().catalog_path)
    return _validate("freshness", paths, {"catalog_ids": [e.id for e in catalog.entries]})


@asset_check(
    asset=quality_gate,
    blocking=True,
    description="GX suite published_facts: the facts mart after the gate is sound as a whole.",
)
def gx_published_facts(paths: PathsResource) -> AssetCheckResult:
    return _validate("published_facts", paths)


@asset_check(
    asset=quality_gate,
    blocking=True,
    description="GX suite published_documents: one row per published report, each with facts.",
)
def gx_published_documents(paths: PathsResource) -> AssetCheckResult:
    return _validate("published_documents", paths)


@asset_check(
    asset=quality_gate,
    blocking=True,
    description="GX suite published_quarantine: no mart holds a quarantined report's rows.",
)
def gx_published_quarantine(paths: PathsResource) -> AssetCheckResult:
    return _validate("published_quarantine", paths)
