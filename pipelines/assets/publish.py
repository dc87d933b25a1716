"""The analysts' copy of the warehouse, swapped in only after the exports (and so the blocking
quality checks upstream of them) have succeeded in this run."""

from dagster import MaterializeResult, MetadataValue, asset

from cnfiscal.publish import publish_database
from pipelines.assets.exports import parquet_exports
from pipelines.resources import PathsResource


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
