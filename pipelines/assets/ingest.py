"""Catalog → fetched files → parsed reports in the raw schema (wrappers over cnfiscal.ingest)."""

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from cnfiscal.catalog import load_catalog
from cnfiscal.extract import PARSER_VERSION
from cnfiscal.ingest import fetch_sources, parse_sources
from pipelines.resources import PathsResource


@asset(
    key=["raw", "fetches"],
    group_name="ingest",
    kinds={"python", "duckdb"},
    description="Every catalog entry fetched (local path or http(s)), its bytes kept by sha256.",
)
def raw_fetches(
    context: AssetExecutionContext, paths: PathsResource, duckdb: DuckDBResource
) -> MaterializeResult:
    settings = paths.settings()
    catalog = load_catalog(settings.catalog_path)
    for problem in catalog.problems:
        context.log.warning(f"catalog: {problem}")
    summary = fetch_sources(catalog, duckdb.get_connection, settings.cache_dir, context.run_id)
    return MaterializeResult(
        metadata={
            "catalog": MetadataValue.path(str(settings.catalog_path)),
            "attempted": summary.attempted,
            "by_status": MetadataValue.json(summary.by_status),
            "failed_sources": MetadataValue.json(summary.failed),
            "catalog_problems": MetadataValue.json(catalog.problems),
        }
    )


RAW_TABLES = {
    "documents": "One row per report version, with its metadata and status.",
    "facts": "One row per extracted fact, with evidence and provenance.",
    "parse_issues": "What the reader and extractor found wrong, quoting the text.",
}


@multi_asset(
    specs=[
        AssetSpec(
            ["raw", table],
            deps=[raw_fetches],
            group_name="ingest",
            kinds={"python", "duckdb"},
            description=description,
        )
        for table, description in RAW_TABLES.items()
    ],
    name="raw_reports",
    description="Parse new report versions into raw.documents, raw.facts and raw.parse_issues.",
)
def raw_reports(paths: PathsResource, duckdb: DuckDBResource):
    settings = paths.settings()
    catalog = load_catalog(settings.catalog_path)
    summary = parse_sources(catalog, duckdb.get_connection, settings.cache_dir)
    yield MaterializeResult(
        asset_key=["raw", "documents"],
        metadata={
            "parser_version": PARSER_VERSION,
            "parsed": len(summary.parsed),
            "skipped_unchanged": summary.skipped,
            "retired": summary.retired,
            "facts_loaded": summary.facts,
            "issues_loaded": summary.issues,
            "parsed_documents": MetadataValue.json(summary.parsed),
        },
    )
    yield MaterializeResult(asset_key=["raw", "facts"], metadata={"rows_loaded": summary.facts})
    yield MaterializeResult(
        asset_key=["raw", "parse_issues"], metadata={"rows_loaded": summary.issues}
    )
