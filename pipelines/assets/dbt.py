"""The dbt project (seeds → staging → marts, with its tests) as Dagster assets via dagster-dbt.

The marts over reports are incremental (docs/warehouse.md): `full_refresh` rebuilds them from
scratch, as does any change to the transform code since the build file was last published.
"""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliResource,
    dbt_assets,
    get_asset_key_for_model,
)

from cnfiscal.quality.gate import release_for_recheck
from cnfiscal.quality.gx_runner import import_in_background
from cnfiscal.warehouse.state import needs_full_refresh
from pipelines.resources import (
    PathsResource,
    ensure_parsed_for,
    prepare_dbt_project,
    prune_dbt_targets,
)

dbt_project = prepare_dbt_project()

# What the quality gate rebuilds after a change of statuses: every model stored as a table
# (views follow by themselves), so the incremental ones and their change record stay in step.
# One argument: dbt takes a space-separated union there, a second argument would be positional.
STORED_MODELS = "config.materialized:table config.materialized:incremental"


class DbtBuildConfig(Config):
    full_refresh: bool = False  # `dbt build --full-refresh`: rebuild the incremental marts


class Translator(DagsterDbtTranslator):
    """Models keep their own names as keys; seeds are grouped as reference data."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(),
)
def cnfiscal_dbt_assets(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    paths: PathsResource,
    config: DbtBuildConfig,
):
    settings = paths.settings()  # exports CNFISCAL_DUCKDB_PATH for the dbt subprocess
    ensure_parsed_for(settings)
    prune_dbt_targets(settings)
    # Quarantine is re-decided every run: build with every current report, let the gate judge.
    full_refresh = config.full_refresh
    if settings.build_db.exists():
        release_for_recheck(settings.build_db)
        full_refresh = full_refresh or needs_full_refresh(settings.build_db)
    import_in_background()  # the GX checks come next; load GX while dbt works in its process
    args = ["build", "--full-refresh"] if full_refresh else ["build"]
    context.log.info(f"dbt {' '.join(args)}")
    yield from dbt.cli(args, context=context).stream()


def mart_key(model: str) -> AssetKey:
    return get_asset_key_for_model([cnfiscal_dbt_assets], model)
