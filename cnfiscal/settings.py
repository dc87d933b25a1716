"""Where things live. One setting per path, read from the environment with project defaults.

Dagster's DuckDB resource and dbt's profiles.yml both read CNFISCAL_DUCKDB_PATH, so the two
always point at the same (build) file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path
    catalog_path: Path
    build_db_path: Path | None = None

    @property
    def build_db(self) -> Path:
        """The file a run writes into; analysts never open it."""
        return self.build_db_path or self.warehouse_dir / "build" / "cnfiscal.duckdb"

    @property
    def published_db(self) -> Path:
        """The file analysts read; replaced atomically after a run's blocking checks pass."""
        return self.warehouse_dir / "cnfiscal.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.warehouse_dir / "exports"

    @property
    def cache_dir(self) -> Path:
        return self.warehouse_dir / "cache"

    @property
    def quality_dir(self) -> Path:
        return self.warehouse_dir / "quality"

    @property
    def portals_path(self) -> Path:
        """The listing pages `cnfiscal discover` walks: beside the catalog."""
        return self.catalog_path.parent / "portals.yaml"

    @property
    def discovery_dir(self) -> Path:
        """Discovery's page cache and run reports."""
        return self.warehouse_dir / "discovery"


def get_settings() -> Settings:
    warehouse = Path(os.environ.get("CNFISCAL_WAREHOUSE_DIR", REPO_ROOT / "warehouse"))
    catalog = Path(os.environ.get("CNFISCAL_CATALOG", REPO_ROOT / "corpus" / "catalog.yaml"))
    build = os.environ.get("CNFISCAL_DUCKDB_PATH")
    return Settings(
        warehouse_dir=warehouse.resolve(),
        catalog_path=catalog.resolve(),
        build_db_path=Path(build).resolve() if build else None,
    )


def export_env(settings: Settings) -> None:
    """Make the settings visible to subprocesses (dbt) that read them from the environment."""
    os.environ["CNFISCAL_DUCKDB_PATH"] = str(settings.build_db)
    os.environ["CNFISCAL_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    os.environ["CNFISCAL_CATALOG"] = str(settings.catalog_path)
