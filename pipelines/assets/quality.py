"""The quality gate: per-document GX suites after the marts, quarantine, marts rebuilt without
the quarantined reports (a thin wrapper over cnfiscal.quality.gate)."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import DbtCliResource

from cnfiscal.quality import gate, report
from cnfiscal.quality.gx_runner import SuiteOutcome
from pipelines.assets.dbt import cnfiscal_dbt_assets, dbt_project
from pipelines.resources import PathsResource

GATE_CHECK = "no_unattributed_errors"
SUITE_CHECKS = {
    "raw_documents": "Facts per report within the corpus's bounds, sane years, no copies.",
    "raw_facts": "Known statements, items and codes; sane years; money >= 0; one fact per key.",
    "raw_parse_issues": "Extractor errors quarantine; its warnings (typos read as meant) annotate.",
    "balance": "fct_balance_checks: totals within tolerance (error), shares and 等 lists (warn).",
    "cross_document": "Stated changes and restated figures vs other reports; prose vs table.",
}


def check_result(name: str, outcome: SuiteOutcome, verdict: gate.Verdict) -> AssetCheckResult:
    level = report.severity(outcome)
    rows = report.failing_rows(outcome)
    quarantined = sorted({d for o in outcome.blocking_failures for d in o.documents})
    return AssetCheckResult(
        check_name=f"gx_{name}",
        passed=level == "ok",
        severity=AssetCheckSeverity.ERROR if level == "error" else AssetCheckSeverity.WARN,
        metadata={
            **report.counts(outcome),
            "skipped": outcome.skipped or "",
            "quarantined_documents": MetadataValue.json(
                [d for d in quarantined if d in verdict.quarantine]
            ),
            "failing_rows": MetadataValue.md(report.markdown_table(rows)),
            "failing_rows_json": MetadataValue.json(rows),
        },
    )


def _rebuild_marts(dbt: DbtCliResource) -> None:
    dbt.cli(["build", "--select", "marts"], manifest=dbt_project.manifest_path).wait()


@asset(
    deps=list(cnfiscal_dbt_assets.keys),
    group_name="quality",
    kinds={"python", "duckdb"},
    description="GX suites per report: quarantine failing ones, rebuild the marts without them.",
    check_specs=[
        *(
            AssetCheckSpec(f"gx_{n}", asset="quality_gate", description=d)
            for n, d in SUITE_CHECKS.items()
        ),
        AssetCheckSpec(
            GATE_CHECK,
            asset="quality_gate",
            blocking=True,
            description="No blocking failure that names no report (or that fails them all).",
        ),
    ],
)
def quality_gate(context: AssetExecutionContext, paths: PathsResource, dbt: DbtCliResource):
    settings = paths.settings()
    db = settings.build_db
    # Normally the dbt step released them already; this covers a gate materialized on its own.
    if gate.release_for_recheck(db):
        _rebuild_marts(dbt)
    outcomes = gate.run_document_suites(db, settings.quality_dir / "data_docs")
    verdict = gate.decide(outcomes, list(gate.current_documents(db)))
    applied = gate.apply(db, verdict, context.run_id)
    if applied.changed:
        _rebuild_marts(dbt)
    checks = [check_result(n, o, verdict) for n, o in outcomes.items()]
    checks.append(
        AssetCheckResult(
            check_name=GATE_CHECK,
            passed=not verdict.blocks_run,
            severity=AssetCheckSeverity.ERROR,
            metadata={"unattributed_failures": MetadataValue.json(verdict.unattributed)},
        )
    )
    return MaterializeResult(
        metadata={
            "quarantined": MetadataValue.json(
                {d: verdict.quarantine[d] for d in applied.quarantined}
            ),
            "released": MetadataValue.json(applied.released),
            "marts_rebuilt": applied.changed,
            "data_docs": MetadataValue.path(str(settings.quality_dir / "data_docs")),
        },
        check_results=checks,
    )
