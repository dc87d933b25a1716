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


class DbtDocs:
    """The dbt docs files for the site: the cached folder, or a `dbt docs generate` running in
    its own process while this one renders the pages (two cores, two jobs). Calling it waits
    for the files and returns their folder; `close()` stops a generation nobody waited for."""

    def __init__(self, settings: Settings, dbt: DbtCliResource):
        # Their catalog holds names, columns and types (no row counts), all fixed by the dbt
        # project, and generating them costs 10-20 s: a stamp of the transform code skips it.
        self.folder = settings.build_db.parent / "dbt-docs"
        self._fingerprint = transform_fingerprint()
        self._stamp = self.folder / STAMP
        self._invocation = None
        if self._stamp.exists() and self._stamp.read_text("utf-8") == self._fingerprint:
            if all((self.folder / name).exists() for name in DBT_DOCS_FILES):
                return
        ensure_parsed_for(settings)
        self._tmp = Path(tempfile.mkdtemp(prefix="dbt-docs-"))
        self._invocation = dbt.cli(
            ["docs", "generate"], target_path=self._tmp, manifest=dbt_project.manifest_path
        )

    @property
    def regenerated(self) -> bool:
        return self._invocation is not None

    def __call__(self) -> Path:
        if self._invocation is not None and self._tmp.exists():
            self._invocation.wait()  # raises if dbt failed
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            for name in DBT_DOCS_FILES:
                shutil.copy2(self._tmp / name, self.folder / name)
            self._stamp.write_text(self._fingerprint, "utf-8")  # last: half-written → redone
            shutil.rmtree(self._tmp, ignore_errors=True)
        return self.folder

    def close(self) -> None:
        if self._invocation is not None and self._invocation.process.poll() is None:
            self._invocation.process.terminate()
            self._invocation.process.wait()
        if self._invocation is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


@asset(
    deps=[parquet_exports, published_warehouse],
    group_name="publish",
    kinds={"html"},
    description="warehouse/site/: downloads, data dictionary, agency pages with charts, dbt docs.",
)
def static_site(paths: PathsResource, dbt: DbtCliResource) -> MaterializeResult:
    settings = paths.settings()
    site_dir = settings.warehouse_dir / "site"
    docs = DbtDocs(settings, dbt)
    try:
        summary = build_site(
            settings.exports_dir, site_dir, settings.catalog_path, docs, settings.cache_dir
        )
    finally:
        docs.close()
    return MaterializeResult(
        metadata={
            "site": MetadataValue.path(str(site_dir / "index.html")),
            "dbt_docs_regenerated": docs.regenerated,
            **summary,
        }
    )
