"""raw.agency_names: each agency name with its stable id and region (cnfiscal.warehouse)."""

from dagster import AssetExecutionContext, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from cnfiscal.warehouse.agency_names import agency_name_rows, write_agency_names


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
        documents = con.execute(
            "SELECT document_id, agency, region FROM raw.documents ORDER BY document_id"
        ).fetchall()
    rows = agency_name_rows(documents)
    with duckdb.get_connection() as con:
        write_agency_names(con, rows)
    unresolved = sorted({r[2] for r in rows if r[6] is None})
    if unresolved:
        context.log.warning(f"agency names without a region code: {unresolved}")
    return MaterializeResult(
        metadata={
            "rows": len(rows),
            "agencies": len({r[5] for r in rows}),
            "without_region_code": len(unresolved),
        }
    )
