"""The quality gate: per-report GX suites after the marts, quarantine, marts rebuilt without the
quarantined reports, then the published suites (a thin wrapper over cnfiscal.quality.gate)."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import DbtCliResource

from cnfiscal.quality import gate, report
from cnfiscal.quality.gx_runner import SuiteOutcome
from pipelines.assets.dbt import STORED_MODELS, cnfiscal_dbt_assets, dbt_project
from pipelines.resources import PathsResource

GATE_CHECK = "no_unattributed_errors"
# Per-report suites: an ERROR here quarantines reports, so it must not block the rest.
DOCUMENT_CHECKS = {
    "raw_documents": "Facts per report within the corpus's bounds, sane years, no copies.",
    "raw_facts": "Known statements, items and codes; sane years; money >= 0; one fact per key.",
    "raw_parse_issues": "Extractor errors quarantine; its warnings (typos read as meant) annotate.",
    "balance": "fct_balance_checks: totals beyond rounding (error); shares, 等 lists (warn).",
    "cross_document": "Stated changes and restated figures vs other reports; prose vs table.",
}
# Table-wide suites over what would be published: an ERROR blocks exports and publishing.
PUBLISHED_CHECKS = {
    "published_facts": "The facts mart after the gate is sound as a whole.",
    "published_documents": "One row per published report, each with facts.",
    "published_quarantine": "No mart holds a quarantined report's rows.",
    "warehouse_counts": "Table-wide: current reports, published reports, facts, balance checks.",
}


def check_result(name: str, outcome: SuiteOutcome, quarantined: dict) -> AssetCheckResult:
    level = report.severity(outcome)
    rows = report.failing_rows(outcome)
    mine = sorted({d for o in outcome.blocking_failures for d in o.documents} & set(quarantined))
    return AssetCheckResult(
        check_name=f"gx_{name}",
        passed=level == "ok",
        severity=AssetCheckSeverity.ERROR if level == "error" else AssetCheckSeverity.WARN,
        metadata={
            **report.counts(outcome),
            "skipped": outcome.skipped or "",
            "quarantined_documents": MetadataValue.json(mine),
            "failing_rows": MetadataValue.md(report.markdown_table(rows)),
            "failing_rows_json": MetadataValue.json(rows),
        },
    )


class GateConfig(Config):
    # Judge every current report, not only those changed since the last gate that passed
    # (`cnfiscal run --full-refresh` sets it with the dbt step's full refresh).
    full: bool = False


def _spec(name: str, description: str, blocking: bool) -> AssetCheckSpec:
    return AssetCheckSpec(name, asset="quality_gate", description=description, blocking=blocking)


@asset(
    deps=list(cnfiscal_dbt_assets.keys),
    group_name="quality",
    kinds={"python", "duckdb"},
    description="GX suites per report: quarantine failing ones, rebuild the marts without them.",
    check_specs=[
        *(_spec(f"gx_{n}", d, False) for n, d in DOCUMENT_CHECKS.items()),
        *(_spec(f"gx_{n}", d, True) for n, d in PUBLISHED_CHECKS.items()),
        _spec(GATE_CHECK, "No blocking failure that names no report (or fails them all).", True),
    ],
)
def quality_gate(
    context: AssetExecutionContext, paths: PathsResource, dbt: DbtCliResource, config: GateConfig
):
    settings = paths.settings()

    def rebuild_marts() -> None:
        args = ["build", "--select", STORED_MODELS]
        dbt.cli(args, manifest=dbt_project.manifest_path).wait()

    docs = settings.quality_dir / "data_docs"
    result = gate.run_gate(settings.build_db, context.run.run_id, rebuild_marts, docs, config.full)
    context.log.info(f"quality gate judged {result.scope.describe()}")
    quarantined = {d: result.verdict.quarantine[d] for d in result.applied.quarantined}
    outcomes = {**result.verdict.outcomes, **result.published}
    checks = [check_result(n, o, quarantined) for n, o in outcomes.items()]
    checks.append(
        AssetCheckResult(
            check_name=GATE_CHECK,
            passed=not result.verdict.blocks_run,
            severity=AssetCheckSeverity.ERROR,
            metadata={"unattributed_failures": MetadataValue.json(result.verdict.unattributed)},
        )
    )
    return MaterializeResult(
        metadata={
            "quarantined": MetadataValue.json(quarantined),
            "released": MetadataValue.json(result.applied.released),
            "marts_rebuilds": result.rebuilds,
            "reports_judged": result.scope.describe(),
            "data_docs": MetadataValue.path(str(docs / "index.html")),
        },
        check_results=checks,
    )
