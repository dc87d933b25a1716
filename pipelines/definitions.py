"""The Dagster code location: every asset module under pipelines/assets and every check module
under pipelines/checks, with resources wired from cnfiscal.settings."""

from dagster import (
    Definitions,
    load_asset_checks_from_package_module,
    load_assets_from_package_module,
)

from cnfiscal.settings import Settings, get_settings
from pipelines import assets, checks
from pipelines.resources import build_resources


def build_defs(settings: Settings) -> Definitions:
    return Definitions(
        assets=load_assets_from_package_module(assets),
        asset_checks=load_asset_checks_from_package_module(checks),
        resources=build_resources(settings),
    )


defs = build_defs(get_settings())
