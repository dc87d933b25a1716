"""The Dagster code location: every asset module under pipelines/assets and every check module
under pipelines/checks, the build job with its nightly schedule and catalog sensor, the
discovery job with its schedule, and resources wired from cnfiscal.settings. The executor
comes from run config (deploy/)."""

import os

from dagster import (
    Definitions,
    ExecutorDefinition,
    load_asset_checks_from_package_module,
    load_assets_from_package_module,
)

from cnfiscal.settings import Settings, get_settings
from pipelines import assets, checks
from pipelines.resources import build_resources
from pipelines.schedules import build_job, discovery_job, discovery_schedule, nightly_schedule
from pipelines.sensors import catalog_sensor


def executor_for(name: str | None = None) -> ExecutorDefinition | None:
    """CNFISCAL_EXECUTOR picks the executor; its settings come from run config (deploy/*.yaml).
    None keeps Dagster's default (multiprocess, or in-process for execute_in_process)."""
    name = name or os.environ.get("CNFISCAL_EXECUTOR", "multiprocess")
    if name == "multiprocess":
        return None
    if name == "celery":
        from dagster_celery import celery_executor

        return celery_executor
    raise ValueError(f"CNFISCAL_EXECUTOR: unknown executor {name!r} (multiprocess | celery)")


def build_defs(settings: Settings, executor: str | None = None) -> Definitions:
    return Definitions(
        assets=load_assets_from_package_module(assets),
        asset_checks=load_asset_checks_from_package_module(checks),
        resources=build_resources(settings),
        jobs=[build_job, discovery_job],
        schedules=[nightly_schedule, discovery_schedule],
        sensors=[catalog_sensor],
        executor=executor_for(executor),
    )


defs = build_defs(get_settings())
