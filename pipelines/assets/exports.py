"""Open-data downloads of the marts (downstream of the blocking quality checks)."""

from dagster import MaterializeResult, MetadataValue, asset

from cnfiscal.exports import export_marts
from pipelines.assets.dbt import cnfiscal_dbt_assets
from pipelines.resources import PathsResource


@asset(
    deps=list(cnfiscal_dbt_assets.keys),
    group_name="publish",
    kinds={"parquet"},
    description="Every mart as zstd Parquet under warehouse/exports/.",
)
def parquet_exports(paths: PathsResource) -> MaterializeResult:
    settings = paths.settings()
    files = export_marts(settings.build_db, settings.exports_dir)
    return MaterializeResult(
        metadata={
            "exports_dir": MetadataValue.path(str(settings.exports_dir)),
            "files": MetadataValue.json(
                {f.table: {"rows": f.rows, "bytes": f.bytes, "sha256": f.sha256} for f in files}
            ),
            "total_rows": sum(f.rows for f in files),
        }
    )
