"""Great Expectations suites from expectations/ as blocking Dagster asset checks on the marts."""

from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from cnfiscal.quality.gx_runner import SuiteOutcome, validate_query
from pipelines.assets.dbt import mart_key
from pipelines.resources import PathsResource


def check_result(outcome: SuiteOutcome) -> AssetCheckResult:
    failed = [o for o in outcome.outcomes if not o.success]
    severity = AssetCheckSeverity.ERROR if outcome.blocking_failures else AssetCheckSeverity.WARN
    return AssetCheckResult(
        passed=not failed,
        severity=severity,
        metadata={
            "suite": outcome.suite,
            "rows_validated": outcome.rows,
            "expectations": len(outcome.outcomes),
            "blocking_failures": len(outcome.blocking_failures),
            "warnings": len(outcome.warnings),
            "failures": MetadataValue.json(
                [
                    {
                        "expectation": o.expectation,
                        "column": o.column,
                        "severity": o.severity,
                        "unexpected_count": o.unexpected_count,
                        "sample": o.sample,
                    }
                    for o in failed
                ]
            ),
        },
    )


@asset_check(
    asset=mart_key("fct_fiscal_facts"),
    blocking=True,
    description="GX suite published_facts: numbers present, vocabularies respected, sane years.",
)
def gx_published_facts(paths: PathsResource) -> AssetCheckResult:
    return check_result(validate_query("published_facts", paths.settings().build_db))


@asset_check(
    asset=mart_key("dim_document"),
    blocking=True,
    description="GX suite published_documents: one row per report, each with facts and metadata.",
)
def gx_published_documents(paths: PathsResource) -> AssetCheckResult:
    return check_result(validate_query("published_documents", paths.settings().build_db))
