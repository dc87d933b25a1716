"""Open-data downloads: every mart as zstd Parquet (split by fiscal year when large), small ones
also as CSV (UTF-8 with BOM, for Excel), a Frictionless datapackage.json and SHA256SUMS.

The set is built in a folder beside exports_dir and swapped in as a whole, so readers never see
a mix of two runs and a crash never leaves a half-written exports folder.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cnfiscal.checksums import sha256_file
from cnfiscal.site.datapackage import TableExport, build_descriptor, load_manifest

PARTITION_ROWS = 200_000  # above this a table with a year column is split by fiscal year
CSV_MAX_ROWS = 200_000  # Excel opens ~1M rows; keep CSVs well below that
YEAR_COLUMNS = ("fiscal_year", "report_year", "year")
BOM = b"\xef\xbb\xbf"


@dataclass
class ExportedFile:
    table: str
    path: Path
    rows: int
    bytes: int
    sha256: str
    format: str = "parquet"
    partition: str | None = None


def mart_tables(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        ).fetchall()
    ]


def _columns(con, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _export_table(con, schema, table, out: Path, partition_rows, csv_max_rows) -> TableExport:
    cols = _columns(con, schema, table)
    names = [c for c, _ in cols]
    rows = con.execute(f"SELECT count(*) FROM {schema}.{_q(table)}").fetchall()[0][0]
    t = TableExport(table, cols, rows)
    year_col = next((c for c in YEAR_COLUMNS if c in names), None)
    src = f"SELECT * FROM {schema}.{_q(table)}"
    if year_col and rows > partition_rows:
        extra = "" if year_col == "fiscal_year" else f", {_q(year_col)} AS fiscal_year"
        con.execute(
            f"COPY (SELECT *{extra} FROM {schema}.{_q(table)}) TO '{out / table}' "
            "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (fiscal_year))"
        )
        for f in sorted((out / table).glob("fiscal_year=*/*.parquet")):
            n = con.execute(f"SELECT count(*) FROM read_parquet('{f}')").fetchall()[0][0]
            part = f.parent.name.split("=", 1)[1]
            t.files.append((f.relative_to(out).as_posix(), "parquet", part, n, f.stat().st_size))
    else:
        con.execute(f"COPY ({src}) TO '{out / table}.parquet' (FORMAT parquet, COMPRESSION zstd)")
        size = (out / f"{table}.parquet").stat().st_size
        t.files.append((f"{table}.parquet", "parquet", None, rows, size))
    if rows <= csv_max_rows:
        plain = out / f".{table}.csv"
        nested = ("[", "STRUCT", "MAP")
        csv_cols = ", ".join(
            f"to_json({_q(c)}) AS {_q(c)}" if any(n in t.upper() for n in nested) else _q(c)
            for c, t in cols
        )  # lists and structs as JSON, which CSV readers (and frictionless) can parse
        con.execute(
            f"COPY (SELECT {csv_cols} FROM {schema}.{_q(table)}) TO '{plain}' "
            "(FORMAT csv, HEADER true)"
        )
        with (out / f"{table}.csv").open("wb") as dst, plain.open("rb") as fh:
            dst.write(BOM)  # Excel reads UTF-8 only with the BOM
            shutil.copyfileobj(fh, dst)
        plain.unlink()
        t.files.append((f"{table}.csv", "csv", None, rows, (out / f"{table}.csv").stat().st_size))
    return t


def _sources(con, catalog_path: Path | None) -> list[dict]:
    """One source per published report: catalog note, location and when it was fetched."""
    notes = {}
    if catalog_path and catalog_path.exists():
        from cnfiscal.catalog import load_catalog

        notes = {e.id: e.notes for e in load_catalog(catalog_path).entries}
    rows = con.execute(
        "SELECT source_id, location, fetched_at, sha256 FROM marts.dim_document ORDER BY 1"
    ).fetchall()
    return [
        {
            "title": notes.get(sid) or sid,
            "path": loc,
            "source_id": sid,
            "fetched_at": fetched.isoformat() if fetched else None,
            "sha256": sha,
        }
        for sid, loc, fetched, sha in rows
    ]


def recover(exports_dir: Path) -> None:
    """Undo a crash between the two renames of a swap; drop leftovers of crashed builds."""
    parent = exports_dir.parent
    olds = sorted(parent.glob(f".{exports_dir.name}.old-*"))
    if not exports_dir.exists() and olds:
        olds[-1].rename(exports_dir)
    for leftover in [*parent.glob(f".{exports_dir.name}.tmp-*"), *olds]:
        if leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)


def swap_in(staging: Path, exports_dir: Path) -> None:
    old = exports_dir.parent / f".{exports_dir.name}.old-{os.getpid()}"
    if exports_dir.exists():
        exports_dir.rename(old)
    staging.rename(exports_dir)
    shutil.rmtree(old, ignore_errors=True)


def export_marts(
    db_path: Path,
    exports_dir: Path,
    schema: str = "marts",
    *,
    manifest_path: Path | None = None,
    catalog_path: Path | None = None,
    partition_rows: int = PARTITION_ROWS,
    csv_max_rows: int = CSV_MAX_ROWS,
) -> list[ExportedFile]:
    """Write the whole download set for `schema` and swap it in as exports_dir."""
    exports_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(exports_dir)
    staging = exports_dir.parent / f".{exports_dir.name}.tmp-{os.getpid()}"
    staging.mkdir()
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            tables = [
                _export_table(con, schema, t, staging, partition_rows, csv_max_rows)
                for t in mart_tables(con, schema)
            ]
            sources = _sources(con, catalog_path) if schema == "marts" else []
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        descriptor = build_descriptor(tables, load_manifest(manifest_path), sources, created)
        (staging / "datapackage.json").write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        _write_sums(staging)
        swap_in(staging, exports_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    out = []
    for t in tables:
        for rel, fmt, part, rows, _ in t.files:
            p = exports_dir / rel
            out.append(ExportedFile(t.name, p, rows, p.stat().st_size, sha256_file(p), fmt, part))
    return out


def _write_sums(folder: Path) -> None:
    """`sha256sum -c SHA256SUMS` format, every file of the set except itself."""
    lines = [
        f"{sha256_file(p)}  {p.relative_to(folder).as_posix()}"
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "SHA256SUMS"
    ]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_sums(exports_dir: Path) -> dict[str, str]:
    """SHA256SUMS as {relative path: sha256}."""
    text = (exports_dir / "SHA256SUMS").read_text(encoding="utf-8")
    return {ln.split("  ", 1)[1]: ln.split("  ", 1)[0] for ln in text.splitlines() if ln}
