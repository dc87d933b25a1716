"""The Dagster code location: every asset module under pipelines/assets and every check module
under pipelines/checks, the build job with its nightly schedule and catalog sensor, and
resources wired from cnfiscal.settings. The executor comes from run config (deploy/)."""

from dagster import (
    Definitions,
    load_asset_checks_from_package_module,
    load_assets_from_package_module,
)

from cnfiscal.settings import Settings, get_settings
from pipelines import assets, checks
from pipelines.resources import build_resources
from pipelines.schedules import build_job, nightly_schedule
from pipelines.sensors import catalog_sensor


def build_defs(settings: Settings) -> Definitions:
    return Definitions(
        assets=load_assets_from_package_module(assets),
        asset_checks=load_asset_checks_from_package_module(checks),
        resources=build_resources(settings),
        jobs=[build_job],
        schedules=[nightly_schedule],
        sensors=[catalog_sensor],
    )


defs = build_defs(get_settings())
