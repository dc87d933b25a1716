"""The analysts' front door: dbt docs and the static site under warehouse/site/.

Downstream of the published warehouse so `dbt docs generate` (which opens the build DuckDB file)
runs when nothing else writes to it; nothing depends on the site.
"""

import shutil
import tempfile
from pathlib import Path

from dagster import MaterializeResult, MetadataValue, asset
from dagster_dbt import DbtCliResource

from cnfiscal.settings import Settings
from cnfiscal.site.build import DBT_DOCS_FILES, build_site
from cnfiscal.warehouse.state import transform_fingerprint
from pipelines.assets.exports import parquet_exports
from pipelines.assets.publish import published_warehouse
from pipelines.resources import PathsResource, dbt_project, ensure_parsed_for

STAMP = "transform_fingerprint.txt"


def dbt_docs(settings: Settings, dbt: DbtCliResource) -> tuple[Path, bool]:
    """The dbt docs files, regenerated only when the transform code changed: their catalog
    holds names, columns and types (no row counts), all fixed by the dbt project, and
    generating them costs 20-40 s. Returns the folder and whether it was regenerated."""
    docs = settings.build_db.parent / "dbt-docs"
    fingerprint = transform_fingerprint()
    stamp = docs / STAMP
    if stamp.exists() and stamp.read_text("utf-8") == fingerprint:
        if all((docs / name).exists() for name in DBT_DOCS_FILES):
            return docs, False
    ensure_parsed_for(settings)
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as tmp:
        dbt.cli(
            ["docs", "generate"], target_path=Path(tmp), manifest=dbt_project.manifest_path
        ).wait()
        shutil.rmtree(docs, ignore_errors=True)
        docs.mkdir(parents=True)
        for name in DBT_DOCS_FILES:
            shutil.copy2(Path(tmp) / name, docs / name)
    stamp.write_text(fingerprint, "utf-8")  # last: a half-written folder is regenerated
    return docs, True


@asset(
    deps=[parquet_exports, published_warehouse],
    group_name="publish",
    kinds={"html"},
    description="warehouse/site/: downloads, data dictionary, agency pages with charts, dbt docs.",
)
def static_site(paths: PathsResource, dbt: DbtCliResource) -> MaterializeResult:
    settings = paths.settings()
    site_dir = settings.warehouse_dir / "site"
    docs, regenerated = dbt_docs(settings, dbt)
    summary = build_site(
        settings.exports_dir, site_dir, settings.catalog_path, docs, settings.cache_dir
    )
    return MaterializeResult(
        metadata={
            "site": MetadataValue.path(str(site_dir / "index.html")),
            "dbt_docs_regenerated": regenerated,
            **summary,
        }
    )
