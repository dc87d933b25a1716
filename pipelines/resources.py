"""Resources shared by the assets. Every path comes from one `Settings`, so the DuckDB resource,
the dbt profile (through CNFISCAL_DUCKDB_PATH) and the ingest steps open the same build file."""

import os
import re
import shutil
import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource
from packaging.version import Version

from cnfiscal.dbt_parse import DBT_PROJECT_DIR, ensure_parsed_for
from cnfiscal.settings import Settings, export_env, get_settings

# dbt is installed beside this interpreter; make it findable however we were started.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without two start-up costs this project gets nothing for.

    Upstream learns the dbt version by running `dbt --version` once per resource instance, a
    whole dbt start (~9 s on the 2-core machine). dbt runs from this interpreter's environment
    (see _BIN below), so the installed dbt-core distribution gives the same answer.
    Upstream also builds an in-process dbt adapter for every call (~5 s: it parses every dbt
    macro); it serves only `fetch_row_counts` / `fetch_column_metadata`, which no asset here
    uses. tests/pipeline/test_dbt_resource.py checks both shortcuts against the real thing.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


# dagster-dbt gives every dbt call its own target folder (the asset's name and run id, or a
# bare hash) under DBT_TARGET_PATH, i.e. beside the warehouse's parse state: each holds a copy
# of the manifest, so they pile up by the gigabyte.
_INVOCATION_DIR = re.compile(r"^(?:[\w]+-)?[0-9a-f]{7,}(?:-[0-9a-f]{7,})?$")


def prune_dbt_targets(settings: Settings, keep: int = 5) -> int:
    """Delete all but the newest `keep` per-call target folders (kept for debugging), beside
    this warehouse's parse state and in dbt_project/target (where older versions put them)."""
    pruned = 0
    for target in (settings.dbt_target_dir, DBT_PROJECT_DIR / "target"):
        if not target.is_dir():
            continue
        calls = [p for p in target.iterdir() if p.is_dir() and _INVOCATION_DIR.match(p.name)]
        calls.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in calls[keep:]:
            shutil.rmtree(old, ignore_errors=True)
        pruned += max(0, len(calls) - keep)
    return pruned


def prepare_dbt_project() -> DbtProject:
    """`dagster dev` re-parses on every load; other entry points parse when the project changed
    or when the run's DuckDB path differs from the one the project was parsed for."""
    ensure_parsed_for(get_settings(), force=dbt_project.preparer.using_dagster_dev())
    return dbt_project


class PathsResource(ConfigurableResource):
    """Where the warehouse and the catalog are (see cnfiscal.settings)."""

    warehouse_dir: str
    catalog_path: str
    build_db: str
    lake_dir: str = ""  # empty: the single-file warehouse

    def settings(self) -> Settings:
        lake = Path(self.lake_dir) if self.lake_dir else None
        settings = Settings(
            Path(self.warehouse_dir), Path(self.catalog_path), Path(self.build_db), lake
        )
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
            lake_dir=str(settings.lake_dir or ""),
        ),
        "duckdb": DuckDBResource(database=str(settings.build_db)),
        "dbt": DbtCli(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR)),
    }
