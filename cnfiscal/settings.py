"""Where things live. One setting per path, read from the environment with project defaults.

Dagster's DuckDB resource and dbt's profiles.yml both read CNFISCAL_DUCKDB_PATH, so the two
always point at the same (build) file.

CNFISCAL_WAREHOUSE picks where the published warehouse lives: unset (or `duckdb`) for the
single DuckDB file swapped in atomically, `ducklake:PATH` for a DuckLake in folder PATH
(cnfiscal.warehouse.lake). Runs build in the same private build file either way.
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
    lake_dir: Path | None = None  # set: publish into this DuckLake instead of published_db

    @property
    def build_db(self) -> Path:
        """The file a run writes into; analysts never open it."""
        return self.build_db_path or self.warehouse_dir / "build" / "cnfiscal.duckdb"

    @property
    def published_db(self) -> Path:
        """The file analysts read; replaced atomically after a run's blocking checks pass."""
        return self.warehouse_dir / "cnfiscal.duckdb"

    @property
    def warehouse_spec(self) -> str:
        """CNFISCAL_WAREHOUSE's value for these settings."""
        return f"ducklake:{self.lake_dir}" if self.lake_dir else "duckdb"

    @property
    def published_label(self) -> str:
        """Where analysts read, for messages."""
        return f"DuckLake {self.lake_dir}" if self.lake_dir else str(self.published_db)

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
    def dbt_target_dir(self) -> Path:
        """dbt's parse state for this build file (see cnfiscal.dbt_parse), and the folders of
        its dbt calls (dagster-dbt makes one per call, under DBT_TARGET_PATH)."""
        return self.build_db.parent / "dbt-target"

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
        lake_dir=parse_warehouse(os.environ.get("CNFISCAL_WAREHOUSE", "")),
    )


def parse_warehouse(spec: str) -> Path | None:
    """CNFISCAL_WAREHOUSE → the DuckLake folder, or None for the single-file warehouse."""
    spec = spec.strip()
    if spec in ("", "duckdb"):
        return None
    kind, sep, path = spec.partition(":")
    if kind != "ducklake" or not sep or not path:
        raise ValueError(f"CNFISCAL_WAREHOUSE={spec!r}: expected 'duckdb' or 'ducklake:PATH'")
    return Path(path).expanduser().resolve()


def export_env(settings: Settings) -> None:
    """Make the settings visible to subprocesses (dbt) that read them from the environment."""
    os.environ["CNFISCAL_DUCKDB_PATH"] = str(settings.build_db)
    os.environ["CNFISCAL_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    os.environ["CNFISCAL_CATALOG"] = str(settings.catalog_path)
    os.environ["CNFISCAL_WAREHOUSE"] = settings.warehouse_spec
    # dagster-dbt starts each dbt call from the partial-parse state it finds here
    os.environ["DBT_TARGET_PATH"] = str(settings.dbt_target_dir)
