"""The dbt project (seeds → staging → marts, with its tests) as Dagster assets via dagster-dbt."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliResource,
    dbt_assets,
    get_asset_key_for_model,
)

from cnfiscal.quality.gate import release_for_recheck
from cnfiscal.quality.gx_runner import import_in_background
from pipelines.resources import (
    PathsResource,
    ensure_parsed_for,
    prepare_dbt_project,
    prune_dbt_targets,
)

dbt_project = prepare_dbt_project()


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
def cnfiscal_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, paths: PathsResource):
    settings = paths.settings()  # exports CNFISCAL_DUCKDB_PATH for the dbt subprocess
    ensure_parsed_for(settings)
    prune_dbt_targets()
    # Quarantine is re-decided every run: build with every current report, let the gate judge.
    if settings.build_db.exists():
        release_for_recheck(settings.build_db)
    import_in_background()  # the GX checks come next; load GX while dbt works in its process
    yield from dbt.cli(["build"], context=context).stream()


def mart_key(model: str) -> AssetKey:
    return get_asset_key_for_model([cnfiscal_dbt_assets], model)
