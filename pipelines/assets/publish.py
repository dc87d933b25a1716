"""The analysts' copy of the warehouse, swapped in only after the exports (and so the blocking
quality checks upstream of them) have succeeded in this run."""

from dagster import MaterializeResult, MetadataValue, asset

from cnfiscal.publish import publish_warehouse
from pipelines.assets.exports import parquet_exports
from pipelines.resources import PathsResource


@asset(
    deps=[parquet_exports],
    group_name="publish",
    kinds={"duckdb"},
    description="The analysts' copy: warehouse/cnfiscal.duckdb swapped in atomically, or one "
    "DuckLake transaction (CNFISCAL_WAREHOUSE=ducklake:PATH).",
)
def published_warehouse(paths: PathsResource) -> MaterializeResult:
    settings = paths.settings()
    target = publish_warehouse(settings)
    metadata = {"published": target, "mode": settings.warehouse_spec.partition(":")[0]}
    if settings.lake_dir is None:
        metadata["path"] = MetadataValue.path(target)
        metadata["bytes"] = settings.published_db.stat().st_size
    return MaterializeResult(metadata=metadata)
