"""Open-data downloads of the marts (downstream of the blocking quality checks)."""

from dagster import MaterializeResult, MetadataValue, asset

from cnfiscal.exports import export_marts
from cnfiscal.publish import stage_copy
from pipelines.assets.dbt import cnfiscal_dbt_assets
from pipelines.assets.quality import quality_gate
from pipelines.resources import PathsResource, dbt_project


@asset(
    # After the gate: its blocking checks must pass, and quarantined reports are out of the marts.
    # raw/fetches: its blocking freshness check must pass too.
    deps=[*cnfiscal_dbt_assets.keys, quality_gate, ["raw", "fetches"]],
    group_name="publish",
    kinds={"parquet"},
    description="Every mart as zstd Parquet (+ CSV when small), datapackage.json and SHA256SUMS "
    "under warehouse/exports/, swapped in as a set.",
)
def parquet_exports(paths: PathsResource) -> MaterializeResult:
    settings = paths.settings()
    # The build is final here: its published copy is written while the exports are (the copy
    # is kernel work, the exports mostly DuckDB's); published_warehouse swaps it in.
    staged = stage_copy(settings)
    ok = False
    try:
        files = export_marts(
            settings.build_db,
            settings.exports_dir,
            manifest_path=dbt_project.manifest_path,
            catalog_path=settings.catalog_path,
        )
        ok = True
    finally:
        staged_kept = staged.finish(keep=ok) if staged is not None else False
    rel = {str(f.path.relative_to(settings.exports_dir)): f for f in files}
    return MaterializeResult(
        metadata={
            "exports_dir": MetadataValue.path(str(settings.exports_dir)),
            "files": MetadataValue.json(
                {p: {"rows": f.rows, "bytes": f.bytes, "sha256": f.sha256} for p, f in rel.items()}
            ),
            "total_rows": sum(f.rows for f in files if f.format == "parquet"),
            "published_copy_staged": staged_kept,
        }
    )
