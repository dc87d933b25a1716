"""The Dagster code location: assets, checks and resources, wired from cnfiscal.settings."""

from dagster import Definitions, load_assets_from_modules

from cnfiscal.settings import Settings, get_settings
from pipelines.assets import dbt, ingest, publish
from pipelines.checks import gx_checks
from pipelines.resources import build_resources


def build_defs(settings: Settings) -> Definitions:
    return Definitions(
        assets=load_assets_from_modules([ingest, dbt, publish]),
        asset_checks=[gx_checks.gx_published_facts, gx_checks.gx_published_documents],
        resources=build_resources(settings),
    )


defs = build_defs(get_settings())
