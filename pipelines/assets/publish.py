"""Publishing: Parquet exports of the marts, then the analysts' copy of the warehouse.

Both sit downstream of the blocking quality checks, so a run whose checks fail publishes nothing.
"""

from dagster import MaterializeResult, MetadataValue, asset

from cnfiscal.publish import export_marts, publish_database
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


@asset(
    deps=[parquet_exports],
    group_name="publish",
    kinds={"duckdb"},
    description="warehouse/cnfiscal.duckdb: the analysts' copy, swapped in atomically.",
)
def published_warehouse(paths: PathsResource) -> MaterializeResult:
    settings = paths.settings()
    target = publish_database(settings.build_db, settings.published_db)
    return MaterializeResult(
        metadata={"path": MetadataValue.path(str(target)), "bytes": target.stat().st_size}
    )
