"""raw.agency_names: each agency name with its stable id and region (cnfiscal.warehouse)."""

from dagster import AssetExecutionContext, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from cnfiscal.warehouse.agency_names import refresh_agency_names


@asset(
    key=["raw", "agency_names"],
    deps=[["raw", "documents"]],
    group_name="ingest",
    kinds={"python", "duckdb"},
    description=(
        "Every agency name a report or the lineage vocabulary states, with the stable agency_id, "
        "canonical name and GB/T 2260 region from cnfiscal.vocab.agencies."
    ),
)
def raw_agency_names(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        done = refresh_agency_names(con)
    if done.without_region_code:
        context.log.warning(f"agency names without a region code: {done.without_region_code}")
    return MaterializeResult(
        metadata={
            "rows": done.rows,
            "agencies": done.agencies,
            "without_region_code": len(done.without_region_code),
            "rows_added": done.added,
            "rows_removed": done.removed,
            "names_resolved": done.resolved,
            "rebuilt_whole": done.full,
        }
    )
