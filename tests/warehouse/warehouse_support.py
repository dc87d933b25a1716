"""Helpers and fixtures of tests/warehouse: a warehouse built once per session by the real
pipeline (dagster-dbt) from the bundled seeds, and a copy of it with synthetic reports added
and rebuilt with the dbt CLI."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from cnfiscal.settings import REPO_ROOT, Settings
from cnfiscal.warehouse.agency_names import COLUMNS, DDL, agency_name_rows

RAW_TABLES = ("fetches", "documents", "facts", "parse_issues", "agency_names")
CATALOG = REPO_ROOT / "corpus" / "catalog.yaml"
DBT = Path(sys.executable).parent / "dbt"
DBT_DIR = REPO_ROOT / "dbt_project"


def run_dbt(db: Path, *args: str, work: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, CNFISCAL_DUCKDB_PATH=str(db))
    return subprocess.run(
        [
            str(DBT),
            *args,
            "--profiles-dir",
            str(DBT_DIR),
            "--project-dir",
            str(DBT_DIR),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=500,
        check=False,
    )


@pytest.fixture(scope="session")
def seeds_warehouse(tmp_path_factory) -> Path:
    """Build file after one pipeline run (ingest, agency names, dbt build through dagster-dbt)
    over the five bundled seeds."""
    from dagster import AssetKey

    from pipelines.assets.dbt import cnfiscal_dbt_assets
    from pipelines.definitions import build_defs

    settings = Settings(tmp_path_factory.mktemp("warehouse"), CATALOG)
    selection = [AssetKey(["raw", t]) for t in RAW_TABLES] + list(cnfiscal_dbt_assets.keys)
    result = (
        build_defs(settings)
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(asset_selection=selection, raise_on_error=False)
    )
    assert result.success, result.get_failed_step_keys()
    return settings.build_db


def _doc(document_id, agency, region, year, kind, status="loaded"):
    return (
        document_id,
        document_id.split("@")[0],
        f"synthetic:{document_id}",
        "0" * 64,
        0,
        "txt",
        "2026-01-01",
        "2026-01-01",
        "test",
        agency,
        region,
        year,
        kind,
        0,
        0,
        status,
        None,
        "2026-01-01",
        None,
        True,
    )


def _fact(
    document_id,
    seq,
    statement,
    item,
    scope,
    basis,
    year,
    measure,
    value,
    unit="万元",
    compare_year=None,
    compare_basis=None,
    evidence=None,
):
    return (
        document_id,
        seq,
        statement,
        item,
        scope,
        basis,
        year,
        measure,
        value,
        unit,
        item,
        compare_year,
        compare_basis,
        None,
        None,
        None,
        None,
        "text",
        None,
        None,
        evidence,
        None,
        None,
        None,
        None,
        None,
        None,  # ocr_confidence
    )


B20, F20, B21 = "syn-b20@000000000001", "syn-f20@000000000002", "syn-b21@000000000003"
Q20, R19 = "syn-q20@000000000004", "syn-r19@000000000005"
SYNTHETIC_DOCUMENTS = [
    _doc(B20, "荷塘区审计局", "荷塘区", 2020, "budget"),
    _doc(F20, "株洲市荷塘区审计局", "荷塘区", 2020, "final_account"),  # name variant
    _doc(B21, "荷塘区审计局", "荷塘区", 2021, "budget"),
    _doc(Q20, "荷塘区统计局", "荷塘区", 2020, "budget", status="quarantined"),
    # A later report of a seed agency, written with the full region chain.
    _doc(R19, "秦皇岛市山海关区政务服务中心", "山海关区", 2019, "budget"),
]
SYNTHETIC_FACTS = [
    _fact(B20, 1, "expenditure", "total", "all", "budget", 2020, "amount", "100.00"),
    _fact(B20, 2, "expenditure", "basic", "all", "budget", 2020, "amount", "60.50"),
    _fact(B20, 3, "expenditure", "project", "all", "budget", 2020, "amount", "39.50"),
    _fact(F20, 1, "expenditure", "total", "all", "actual", 2020, "amount", "90.00"),
    _fact(
        F20,
        2,
        "expenditure",
        "total",
        "all",
        "actual",
        2020,
        "delta",
        "-10.00",
        compare_year=2020,
        compare_basis="budget",
    ),
    _fact(B21, 1, "expenditure", "total", "all", "budget", 2021, "amount", "120.00"),
    _fact(
        B21,
        2,
        "expenditure",
        "total",
        "all",
        "budget",
        2021,
        "delta",
        "20.00",
        compare_year=2020,
        compare_basis="budget",
    ),
    _fact(
        B21,
        3,
        "expenditure",
        "total",
        "all",
        "budget",
        2021,
        "pct_change",
        "20.00",
        "%",
        compare_year=2020,
        compare_basis="budget",
    ),
    _fact(B21, 4, "income", "total", "all", "budget", 2021, "amount", "130.00"),
    _fact(
        B21,
        5,
        "income",
        "total",
        "all",
        "budget",
        2021,
        "delta",
        "5.00",
        compare_year=2020,
        compare_basis="budget",
    ),
    _fact(Q20, 1, "expenditure", "total", "all", "budget", 2020, "amount", "50.00"),
    _fact(Q20, 2, "expenditure", "basic", "all", "budget", 2020, "amount", "10.00"),
    _fact(Q20, 3, "expenditure", "project", "all", "budget", 2020, "amount", "10.00"),
    _fact(R19, 1, "expenditure", "total", "all", "budget", 2019, "amount", "85.00"),
]


@pytest.fixture(scope="session")
def synthetic_warehouse(seeds_warehouse, tmp_path_factory) -> tuple[Path, Path]:
    """Copy of the seeds build with the synthetic reports above, rebuilt by `dbt build`."""
    work = tmp_path_factory.mktemp("synthetic")
    db = work / "cnfiscal.duckdb"
    shutil.copyfile(seeds_warehouse, db)
    with duckdb.connect(str(db)) as con:
        con.executemany(
            f"insert into raw.documents values ({', '.join('?' * 20)})", SYNTHETIC_DOCUMENTS
        )
        con.executemany(f"insert into raw.facts values ({', '.join('?' * 27)})", SYNTHETIC_FACTS)
        documents = con.execute("select document_id, agency, region from raw.documents").fetchall()
        con.execute(DDL)
        con.executemany(
            f"insert into raw.agency_names values ({', '.join('?' * len(COLUMNS))})",
            agency_name_rows(documents),
        )
    build = run_dbt(db, "build", work=work)
    assert build.returncode == 0, build.stdout[-4000:]
    return db, work


def query(db: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()
