"""Resources shared by the assets. Every path comes from one `Settings`, so the DuckDB resource,
the dbt profile (through CNFISCAL_DUCKDB_PATH) and the ingest steps open the same build file."""

import os
import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource

from cnfiscal.settings import REPO_ROOT, Settings, export_env

# dbt is installed beside this interpreter; make it findable however we were started.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _manifest_is_stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    watched = [*DBT_PROJECT_DIR.rglob("*.sql"), *DBT_PROJECT_DIR.rglob("*.yml")]
    watched += list((REPO_ROOT / "cnfiscal" / "vocab").glob("*.csv"))
    return any(p.stat().st_mtime > built for p in watched if "target" not in p.parts)


def prepare_dbt_project() -> DbtProject:
    """`dagster dev` re-parses on every load; other entry points parse when the project changed."""
    dbt_project.prepare_if_dev()
    if _manifest_is_stale(dbt_project):
        dbt_project.preparer.prepare(dbt_project)
    return dbt_project


class PathsResource(ConfigurableResource):
    """Where the warehouse and the catalog are (see cnfiscal.settings)."""

    warehouse_dir: str
    catalog_path: str
    build_db: str

    def settings(self) -> Settings:
        settings = Settings(Path(self.warehouse_dir), Path(self.catalog_path), Path(self.build_db))
        export_env(settings)
        return settings


def build_resources(settings: Settings) -> dict:
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    export_env(settings)
    return {
        "paths": PathsResource(
            warehouse_dir=str(settings.warehouse_dir),
            catalog_path=str(settings.catalog_path),
            build_db=str(settings.build_db),
        ),
        "duckdb": DuckDBResource(database=str(settings.build_db)),
        "dbt": DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR)),
    }
