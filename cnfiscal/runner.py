"""`cnfiscal run`: materialize every asset of the code location, in process."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def run_pipeline(catalog: str | None = None, warehouse: str | None = None) -> int:
    if catalog:
        os.environ["CNFISCAL_CATALOG"] = str(Path(catalog).resolve())
    if warehouse:
        os.environ["CNFISCAL_WAREHOUSE_DIR"] = str(Path(warehouse).resolve())

    from dagster import DagsterInstance

    from cnfiscal.settings import get_settings
    from pipelines.definitions import build_defs

    settings = get_settings()
    defs = build_defs(settings)
    job = defs.resolve_implicit_global_asset_job_def()
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    if instance is None:
        instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    _report(result, settings)
    return 0 if result.success and settings.published_db.exists() else 1


def _report(result, settings) -> None:
    checks = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed_checks = [c for c in checks if not c.passed]
    print(f"run {result.run_id}: {'success' if result.success else 'FAILED'}")
    print(f"  asset checks: {len(checks)} evaluated, {len(failed_checks)} failed")
    for c in failed_checks:
        print(f"    {c.asset_key.to_user_string()} {c.check_name}: {c.severity.value}")
    for step in result.get_failed_step_keys() if hasattr(result, "get_failed_step_keys") else []:
        print(f"  failed step: {step}", file=sys.stderr)
    print(f"  published warehouse: {settings.published_db}")
    print(f"  exports: {settings.exports_dir}")
