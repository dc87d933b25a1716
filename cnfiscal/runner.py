"""`cnfiscal run`: the build job over every catalog batch, in one in-process run, or with
CNFISCAL_EXECUTOR=celery one run whose steps the Celery workers execute.

The same job the nightly schedule launches (pipelines.schedules.build_job); the DAGSTER_HOME
instance is used when set, so runs show up in `dagster dev`. CNFISCAL_FORCE=1 (or force=True)
re-fetches unconditionally and re-parses everything. full_refresh (`cnfiscal run --full-refresh`)
rebuilds the incremental marts from scratch, even on a night with nothing new.

Without force, the catalog is fetched first in plain Python (cnfiscal.precheck); when nothing
would change the published copy, the job is not launched at all — Dagster, dbt and GX imports
alone cost more than the rest of such a night. On other nights those imports run in a forked
child while the precheck fetches (cnfiscal.warm_start); CNFISCAL_WARM_START=0 turns that off.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cnfiscal.dbt_parse import ParseJob


def run_pipeline(
    catalog: str | None = None,
    warehouse: str | None = None,
    force: bool | None = None,
    full_refresh: bool = False,
) -> int:
    if catalog:
        os.environ["CNFISCAL_CATALOG"] = str(Path(catalog).resolve())
    if warehouse:
        os.environ["CNFISCAL_WAREHOUSE_DIR"] = str(Path(warehouse).resolve())
    if force is None:
        force = os.environ.get("CNFISCAL_FORCE", "") not in ("", "0", "false")
    started = time.perf_counter()
    from cnfiscal.dbt_parse import start_parse
    from cnfiscal.settings import get_settings

    settings = get_settings()
    run_id = str(uuid.uuid4())
    # A new warehouse path (or changed dbt code) needs a full `dbt parse` before the job's
    # definitions load; start it now, so it runs on the second core while the fetch runs.
    parse_job = start_parse(settings)
    launch = {"run_id": run_id, "force": force, "full_refresh": full_refresh, "started": started}
    if force:
        _finish(parse_job)
        return _launch(settings, fetched=False, batches=None, **launch)

    from cnfiscal import warm_start
    from cnfiscal.precheck import describe, precheck
    from cnfiscal.publish import refresh_published

    warm = None
    if warm_start.available():
        manifest_ready = parse_job is None
        warm = warm_start.WarmStart(
            lambda: _prepare_job(settings, definitions=manifest_ready),
            lambda request: _launch(settings, **request),
        )
    try:
        pre = precheck(settings, run_id)
        print(f"precheck {run_id}: {describe(pre)} in {time.perf_counter() - started:.1f}s")
        for problem in pre.catalog_problems:
            print(f"  catalog: {problem}", file=sys.stderr)
        _finish(parse_job)
        if not pre.changed and not full_refresh:
            if warm is not None:
                warm.cancel()
                warm = None
            refresh_published(settings)
            wall = time.perf_counter() - started
            print(f"run {run_id}: nothing changed, job not launched ({wall:.1f}s)")
            print(f"  fetch log republished: {settings.published_label}")
            return 0
    except BaseException:
        if warm is not None:
            warm.cancel()
        raise
    launch.update(fetched=True, batches=pre.batches)
    if warm is not None:
        return warm.launch(launch)
    return _launch(settings, **launch)


def _prepare_job(settings, definitions: bool) -> None:
    """What the job's launch imports (most of its start-up), then the catalog its ingest steps
    read (0.3-0.9 s at 100,000 entries; the precheck's copy is in the other process). The
    definitions read dbt's manifest, so they wait for a running parse."""
    import dagster  # noqa: F401
    import dagster_dbt  # noqa: F401
    import great_expectations  # noqa: F401

    if definitions:
        import pipelines.definitions  # noqa: F401
    from cnfiscal.catalog import load_catalog

    try:
        load_catalog(settings.catalog_path)  # kept for the run while the file stays as it is
    except Exception:  # noqa: BLE001 - the job's own read of it reports the problem
        pass


def _launch(
    settings,
    *,
    run_id: str,
    force: bool,
    fetched: bool,
    full_refresh: bool,
    started: float,
    batches: list[str] | None,
) -> int:
    """Build the definitions and execute the build job (in process, or on Celery)."""
    from dagster import DagsterInstance

    from cnfiscal.catalog import batches_to_run, load_catalog
    from cnfiscal.warehouse.load import current_sources
    from pipelines.definitions import build_defs
    from pipelines.schedules import register_batches, whole_range_tags

    celery = os.environ.get("CNFISCAL_EXECUTOR", "multiprocess") == "celery"
    if celery and not os.environ.get("DAGSTER_HOME"):
        print(
            "CNFISCAL_EXECUTOR=celery needs DAGSTER_HOME: the workers read the run, its "
            "config and the steps' outputs from that instance",
            file=sys.stderr,
        )
        return 2
    defs = build_defs(settings)
    job = defs.resolve_job_def("cnfiscal_build")
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    if instance is None:
        instance = DagsterInstance.ephemeral()
    if batches is None:  # no precheck ran (force): ask the catalog and the build file
        batches = batches_to_run(
            (e.id for e in load_catalog(settings.catalog_path).entries),
            current_sources(settings.build_db),
        )
    partitions = register_batches(instance, batches)
    tags = whole_range_tags(partitions) if partitions else {}
    run_config = job_run_config(force, fetched, full_refresh)
    if celery:
        result = _execute_on_celery(job, instance, run_id, tags, run_config)
    else:
        result = job.execute_in_process(
            instance=instance,
            tags=tags,
            run_config=run_config,
            run_id=run_id,
            raise_on_error=False,
        )
    _report(result, settings, time.perf_counter() - started)
    from cnfiscal.publish import is_published

    return 0 if result.success and is_published(settings) else 1


def _execute_on_celery(job, instance, run_id: str, tags: dict, options: dict):
    """Run the job with its executor (Celery): every step becomes a task that a worker runs
    by re-importing this code location (pipelines.definitions), so the job must be
    reconstructable, not the in-memory definition execute_in_process takes. Executor and
    parse settings come from CNFISCAL_RUN_CONFIG (default deploy/celery.yaml)."""
    import yaml
    from dagster._core.definitions.reconstruct import ReconstructableRepository
    from dagster._core.execution.api import execute_run

    from cnfiscal.settings import REPO_ROOT

    path = Path(os.environ.get("CNFISCAL_RUN_CONFIG") or REPO_ROOT / "deploy" / "celery.yaml")
    run_config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    ops = run_config.setdefault("ops", {})
    for op_name, op_config in options["ops"].items():  # the deploy file's, then this run's
        step = ops.setdefault(op_name, {})
        step["config"] = {**step.get("config", {}), **op_config["config"]}
    recon = ReconstructableRepository.for_module(
        "pipelines.definitions", "defs", working_directory=str(REPO_ROOT)
    ).get_reconstructable_job(job.name)
    run = instance.create_run_for_job(
        job_def=job,
        run_id=run_id,
        run_config=run_config,
        tags=tags,
        job_code_origin=recon.get_python_origin(),
    )
    return execute_run(recon, run, instance, raise_on_error=False)


def job_run_config(force: bool, fetched: bool, full_refresh: bool) -> dict:
    """The build job's run config: ingest options, and whether dbt rebuilds from scratch."""
    return {
        "ops": {
            "raw_ingest": {"config": {"force": force, "fetched": fetched, "rebuild": full_refresh}},
            "cnfiscal_dbt_assets": {"config": {"full_refresh": full_refresh}},
            "quality_gate": {"config": {"full": full_refresh}},
        }
    }


def _finish(parse_job: ParseJob | None) -> None:
    from cnfiscal.dbt_parse import DbtParseError

    if parse_job is None:
        return
    try:
        parse_job.wait()
    except DbtParseError as exc:
        # The job's definitions parse again in the foreground and fail there, loudly.
        print(f"background {exc}", file=sys.stderr)


def _materialized(result, key: list[str]) -> dict:
    for e in result.all_events:
        if e.event_type_value == "ASSET_MATERIALIZATION":
            mat = e.event_specific_data.materialization
            if mat.asset_key.path == key:
                return {k: v.value for k, v in mat.metadata.items()}
    return {}


def _report(result, settings, wall_s: float) -> None:
    checks = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed_checks = [c for c in checks if not c.passed]
    print(f"run {result.run_id}: {'success' if result.success else 'FAILED'} in {wall_s:.1f}s")
    docs = _materialized(result, ["raw", "documents"])
    if docs:
        print(
            f"  parsed {docs.get('parsed')}, unchanged {docs.get('skipped_unchanged')}, "
            f"retired {docs.get('retired')}; rebuild: {docs.get('rebuild')}"
        )
    # Where the time went, step by step (skipped steps do not appear).
    for e in result.all_events:
        if e.event_type_value == "STEP_SUCCESS":
            print(f"  step {e.step_key}: {e.event_specific_data.duration_ms / 1000:.2f}s")
    timing = _materialized(result, ["raw", "fetches"]).get("timing_s")
    if timing:
        print("  ingest split: " + ", ".join(f"{k} {v:.2f}s" for k, v in timing.items()))
    print(f"  asset checks: {len(checks)} evaluated, {len(failed_checks)} failed")
    for c in failed_checks:
        print(f"    {c.asset_key.to_user_string()} {c.check_name}: {c.severity.value}")
    for step in result.get_failed_step_keys() if hasattr(result, "get_failed_step_keys") else []:
        print(f"  failed step: {step}", file=sys.stderr)
    print(f"  published warehouse: {settings.published_label}")
    print(f"  exports: {settings.exports_dir}")
