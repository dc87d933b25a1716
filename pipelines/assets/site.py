"""The analysts' front door: dbt docs and the static site under warehouse/site/.

Downstream of the published warehouse so `dbt docs generate` (which opens the build DuckDB file)
runs when nothing else writes to it; nothing depends on the site.
"""

import tempfile
from pathlib import Path

from dagster import MaterializeResult, MetadataValue, asset
from dagster_dbt import DbtCliResource

from cnfiscal.site.build import build_site
from pipelines.assets.exports import parquet_exports
from pipelines.assets.publish import published_warehouse
from pipelines.resources import PathsResource, dbt_project


@asset(
    deps=[parquet_exports, published_warehouse],
    group_name="publish",
    kinds={"html"},
    description="warehouse/site/: downloads, data dictionary, agency pages with charts, dbt docs.",
)
def static_site(paths: PathsResource, dbt: DbtCliResource) -> MaterializeResult:
    settings = paths.settings()
    site_dir = settings.warehouse_dir / "site"
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as tmp:
        dbt.cli(
            ["docs", "generate"], target_path=Path(tmp), manifest=dbt_project.manifest_path
        ).wait()
        summary = build_site(settings.exports_dir, site_dir, settings.catalog_path, Path(tmp))
    return MaterializeResult(
        metadata={"site": MetadataValue.path(str(site_dir / "index.html")), **summary}
    )
