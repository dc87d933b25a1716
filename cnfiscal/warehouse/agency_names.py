"""Agency names resolved to stable ids and region codes: the rows of raw.agency_names.

dbt cannot call Python, and the folding rules live in cnfiscal.vocab.agencies; these rows apply
them to every name a report states and every name the lineage vocabulary links.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from cnfiscal.vocab.agencies import agency_id, agency_lineage, agency_region, canonical_agency

COLUMNS = (
    "document_id",
    "origin",
    "name_as_written",
    "region_as_written",
    "canonical_name",
    "agency_id",
    "region_code",
    "region_name",
    "region_level",
)

DDL = """
CREATE OR REPLACE TABLE raw.agency_names (
    document_id       VARCHAR,          -- NULL for names that only the lineage vocabulary states
    origin            VARCHAR NOT NULL, -- document | lineage
    name_as_written   VARCHAR NOT NULL,
    region_as_written VARCHAR,
    canonical_name    VARCHAR NOT NULL,
    agency_id         VARCHAR NOT NULL,
    region_code       VARCHAR,
    region_name       VARCHAR,
    region_level      VARCHAR
)
"""


def resolve(name: str, region: str | None) -> tuple[str, str, str | None, str | None, str | None]:
    """(canonical name, agency id, region code, region name, region level) of one name."""
    place = agency_region(name, region)
    return (
        canonical_agency(name, region),
        agency_id(name, region),
        place.code if place else None,
        place.name if place else None,
        place.level if place else None,
    )


def agency_name_rows(documents: Iterable[tuple[str, str, str | None]]) -> list[tuple]:
    """One row per (document, agency name) and one per name in agency_lineage.csv."""
    # An agency names itself the same way in report after report (budget, final account,
    # evaluation, year after year): resolve each distinct (name, region) once.
    resolved: dict[tuple[str, str | None], tuple] = {}
    rows = []
    for document_id, name, region in documents:
        if not (name and name.strip()):
            continue
        key = (name, region)
        if key not in resolved:
            resolved[key] = resolve(name, region)
        rows.append((document_id, "document", name, region, *resolved[key]))
    lineage_names = {n for s in agency_lineage() for n in (s.predecessor, s.successor)}
    rows += [(None, "lineage", name, None, *resolve(name, None)) for name in sorted(lineage_names)]
    return rows


def write_agency_names(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Replace raw.agency_names with `rows` in one transaction."""
    con.execute("BEGIN")
    try:
        con.execute(DDL)
        if rows:
            # one columnar insert: executemany goes row by row (seconds at 10,000 reports)
            columns = zip(COLUMNS, zip(*rows, strict=True), strict=True)
            table = pa.table({name: pa.array(col, pa.string()) for name, col in columns})
            con.register("_agency_names", table)
            con.execute("INSERT INTO raw.agency_names SELECT * FROM _agency_names")
            con.unregister("_agency_names")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
