"""Open-data downloads: every mart as zstd Parquet (split by fiscal year when large), small ones
also as CSV (UTF-8 with BOM, for Excel), a Frictionless datapackage.json and SHA256SUMS.

The set is built in a folder beside exports_dir and swapped in as a whole, so readers never see
a mix of two runs and a crash never leaves a half-written exports folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cnfiscal.checksums import sha256_file
from cnfiscal.site.datapackage import TableExport, build_descriptor, load_manifest

PARTITION_ROWS = 200_000  # above this a table with a year column is split by fiscal year
CSV_MAX_ROWS = 200_000  # Excel opens ~1M rows; keep CSVs well below that
EXPORT_WORKERS = 2  # marts written at once (see _export_tables)
YEAR_COLUMNS = ("fiscal_year", "report_year", "year")
BOM = b"\xef\xbb\xbf"
# Part of every content key: bump it when the same rows would be written into other files
# (compression, CSV form), so that no file of the older form is reused.
FORMAT_VERSION = "2"
# zstd's fastest level: at 100,000 reports the fiscal-year partitions, all rewritten on a night
# that touches every year, take 1.49 s against 1.66 s at DuckDB's default (3), for files ~2 %
# larger.
PARQUET = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1"
# Rows a writer thread buffers across a PARTITION_BY COPY's partitions before it flushes them.
# At 100,000 reports the fact partitions (1.6 M rows, ten years) took 2.0-2.3 s at DuckDB's
# default (524,288) and 1.7-2.1 s at this, in the same session: the same rows in a few more row
# groups. A smaller buffer also holds less of the table in memory.
PARTITION_FLUSH_ROWS = 200_000


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
    """The marts to publish: the schema's tables and views (fct_fiscal_facts is a view)."""
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = ? AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY table_name",
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


@dataclass
class _PreviousFile:
    content_key: str
    sha256: str
    bytes: int


class _PreviousSet:
    """The set being replaced, as its datapackage.json and SHA256SUMS record it, and the files
    linked from it into the new set (with their recorded sums)."""

    def __init__(self, exports_dir: Path):
        self.dir = exports_dir
        self.files: dict[str, _PreviousFile] = {}
        self.linked: dict[str, str] = {}
        self._lock = threading.Lock()  # tables are exported from several threads
        try:
            package = json.loads((exports_dir / "datapackage.json").read_text(encoding="utf-8"))
            sums = read_sums(exports_dir)
        except (OSError, ValueError, IndexError):
            return  # no set yet, or one this code cannot read: write everything
        for r in package.get("resources", []):
            if r.get("content_key") and r.get("path") in sums:
                self.files[r["path"]] = _PreviousFile(
                    r["content_key"], sums[r["path"]], r.get("file_bytes", -1)
                )

    def under(self, prefix: str) -> list[str]:
        return sorted(rel for rel in self.files if rel.startswith(prefix))

    def reuse(self, new_dir: Path, rels: list[str], key: str) -> bool:
        """Hard-link the files `rels` into the new set if each holds the content `key` (and
        its recorded size); no file of a set is ever written in place, so a link is a copy."""
        old = [(rel, self.files.get(rel), self.dir / rel) for rel in rels]
        if not rels or any(
            f is None or f.content_key != key or not p.is_file() or p.stat().st_size != f.bytes
            for _, f, p in old
        ):
            return False
        for rel, f, path in old:
            target = new_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:  # another file system, or no hard links there
                shutil.copyfile(path, target)
            with self._lock:
                self.linked[rel] = f.sha256
        return True


def _content_key(*parts) -> str:
    """What a file is written from: export format, DuckDB, table, columns, layout, and the
    rows (count and the sum of every row's 64-bit hash, which no row order changes)."""
    text = "|".join(str(p) for p in (FORMAT_VERSION, duckdb.__version__, *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _partition_label(value) -> str:
    # the folder name DuckDB's PARTITION_BY gives a value (null: Hive's default partition)
    return "__HIVE_DEFAULT_PARTITION__" if value is None else str(value)


def _export_table(
    con, schema, table, out: Path, previous: _PreviousSet, partition_rows, csv_max_rows
) -> TableExport:
    """Write one mart's files into `out`, or link those of the previous set whose rows are
    unchanged: per year partition for a partitioned table, per table otherwise."""
    cols = _columns(con, schema, table)
    names = [c for c, _ in cols]
    year_col = next((c for c in YEAR_COLUMNS if c in names), None)
    group = f"CAST({_q(year_col)} AS VARCHAR)" if year_col else "NULL"
    sums = con.execute(
        f"SELECT {group}, count(*), sum(hash(t)::HUGEINT) FROM {schema}.{_q(table)} AS t GROUP BY 1"
    ).fetchall()
    rows = sum(n for _, n, _ in sums)
    t = TableExport(table, cols, rows)
    src = f"SELECT * FROM {schema}.{_q(table)}"
    write_csv = rows <= csv_max_rows
    whole_key = _content_key(
        table, cols, "csv" if write_csv else "", rows, sum(h for *_, h in sums)
    )
    if year_col and rows > partition_rows:
        fresh = []
        for value, n, digest in sums:
            label = _partition_label(value)
            key = _content_key(table, cols, "partition", year_col, label, n, digest)
            prefix = f"{table}/fiscal_year={label}/"
            rels = previous.under(prefix)
            if previous.reuse(out, rels, key):
                for rel in rels:
                    size = (out / rel).stat().st_size
                    t.files.append((rel, "parquet", label, n if len(rels) == 1 else -1, size))
                    t.content_keys[rel] = key
            else:
                fresh.append((value, label, key))
        if fresh:
            extra = "" if year_col == "fiscal_year" else f", {_q(year_col)} AS fiscal_year"
            labels = ", ".join(f"'{v}'" for v, _, _ in fresh if v is not None)
            wanted = [f"CAST({_q(year_col)} AS VARCHAR) IN ({labels})"] if labels else []
            if any(v is None for v, _, _ in fresh):
                wanted.append(f"{_q(year_col)} IS NULL")
            # the reused partitions' folders exist already: write the others beside them
            con.execute(
                f"COPY (SELECT *{extra} FROM {schema}.{_q(table)} WHERE {' OR '.join(wanted)}) "
                f"TO '{out / table}' ({PARQUET}, "
                "PARTITION_BY (fiscal_year), OVERWRITE_OR_IGNORE)"
            )
            counts = {_partition_label(v): n for v, n, _ in sums}
            for _, label, key in fresh:
                written = sorted((out / table).glob(f"fiscal_year={label}/*.parquet"))
                for f in written:
                    rel = f.relative_to(out).as_posix()
                    n = counts[label] if len(written) == 1 else -1
                    t.files.append((rel, "parquet", label, n, f.stat().st_size))
                    t.content_keys[rel] = key
        t.files.sort()
        for i, (rel, fmt, label, n, size) in enumerate(t.files):
            if n < 0:  # a partition in several files: count each file's rows
                n = con.execute(f"SELECT count(*) FROM read_parquet('{out / rel}')").fetchall()
                t.files[i] = (rel, fmt, label, n[0][0], size)
    else:
        rel = f"{table}.parquet"
        if not previous.reuse(out, [rel], whole_key):
            con.execute(f"COPY ({src}) TO '{out / rel}' ({PARQUET})")
        t.files.append((rel, "parquet", None, rows, (out / rel).stat().st_size))
        t.content_keys[rel] = whole_key
    if write_csv:
        rel = f"{table}.csv"
        if not previous.reuse(out, [rel], whole_key):
            _write_csv(con, schema, table, cols, out)
        t.files.append((rel, "csv", None, rows, (out / rel).stat().st_size))
        t.content_keys[rel] = whole_key
    return t


def _write_csv(con, schema, table, cols, out: Path) -> None:
    nested = ("[", "STRUCT", "MAP")
    csv_cols = ", ".join(
        # lists and structs as JSON, which CSV readers (and frictionless) can parse; the first
        # header name starts with U+FEFF, whose UTF-8 is the BOM Excel needs to read UTF-8, so
        # DuckDB writes the file whole (no copy of it behind a BOM: ~0.1 s at 100,000 reports)
        f"{f'to_json({_q(c)})' if any(n in t.upper() for n in nested) else _q(c)} AS "
        + _q(BOM.decode("utf-8") + c if i == 0 else c)
        for i, (c, t) in enumerate(cols)
    )
    con.execute(
        f"COPY (SELECT {csv_cols} FROM {schema}.{_q(table)}) TO '{out / table}.csv' "
        "(FORMAT csv, HEADER true)"
    )


def _sources(con, catalog_path: Path | None) -> list[dict]:
    """The descriptor's sources: one per site the published reports were fetched from (local
    files: the catalog that lists them), with how many reports and when they were fetched.
    Each report's own location, SHA-256 and fetch time are in dim_document: a list of every
    report here would make the descriptor most of a download (22 MB at 100,000 reports)."""
    rows = con.execute(
        "SELECT regexp_extract(location, '^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]+)', 1) AS origin, "
        "count(*), "
        "strftime(timezone('UTC', min(fetched_at)), '%Y-%m-%dT%H:%M:%S+00:00'), "
        "strftime(timezone('UTC', max(fetched_at)), '%Y-%m-%dT%H:%M:%S+00:00') "
        "FROM marts.dim_document GROUP BY 1 ORDER BY 1"
    ).fetchall()
    sources = []
    for origin, n, first, last in rows:
        if origin:
            where = {"title": origin.split("://", 1)[1], "path": origin + "/"}
        else:
            where = {"title": "本地文件 / local files"}
            if catalog_path is not None:
                where["path"] = catalog_path.name
        counts = {"reports": n, "first_fetched_at": first, "last_fetched_at": last}
        sources.append(where | counts)
    return sources


def _export_tables(
    con,
    schema,
    out: Path,
    previous: _PreviousSet,
    partition_rows,
    csv_max_rows,
    workers,
) -> list[TableExport]:
    """_export_table for every mart (in table order), `workers` at a time, each on its own
    cursor. A mart under one row group (~120,000 rows) is written by one DuckDB thread and its
    CSV by one more, so at 100,000 reports most of the set is single-threaded work that two at
    once spread over the cores. The largest table goes first (it takes longest)."""
    names = mart_tables(con, schema)
    sizes = dict(
        con.execute(
            "SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = ?",
            [schema],
        ).fetchall()
    )
    for name in set(names) - set(sizes):  # a view: count it (one scan of a key column)
        sizes[name] = con.execute(f"SELECT count(*) FROM {schema}.{_q(name)}").fetchone()[0]

    def table(name: str) -> TableExport:
        with con.cursor() as cur:
            cur.execute(f"SET partitioned_write_flush_threshold = {PARTITION_FLUSH_ROWS}")
            return _export_table(cur, schema, name, out, previous, partition_rows, csv_max_rows)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        order = sorted(names, key=lambda n: -(sizes.get(n) or 0))
        futures = {n: pool.submit(table, n) for n in order}
        return [futures[n].result() for n in names]


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
    workers: int = EXPORT_WORKERS,
) -> list[ExportedFile]:
    """Write the whole download set for `schema` and swap it in as exports_dir. A file whose
    rows are those the current set's file was written from is linked from it, not rewritten
    (datapackage.json records each file's content key); SHA-256 is computed once per new file."""
    exports_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(exports_dir)
    previous = _PreviousSet(exports_dir)
    staging = exports_dir.parent / f".{exports_dir.name}.tmp-{os.getpid()}"
    staging.mkdir()
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            tables = _export_tables(
                con, schema, staging, previous, partition_rows, csv_max_rows, workers
            )
            sources = _sources(con, catalog_path) if schema == "marts" else []
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        descriptor = build_descriptor(tables, load_manifest(manifest_path), sources, created)
        _write_descriptor(staging / "datapackage.json", descriptor)
        sums = _write_sums(staging, known=previous.linked)
        swap_in(staging, exports_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [
        ExportedFile(t.name, exports_dir / rel, rows, size, sums[rel], fmt, part)
        for t in tables
        for rel, fmt, part, rows, size in t.files
    ]


def _write_descriptor(path: Path, descriptor: dict) -> None:
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")


def _write_sums(folder: Path, known: dict[str, str] | None = None) -> dict[str, str]:
    """`sha256sum -c SHA256SUMS` format, every file of the set except itself; `known` gives the
    sums of files linked from the previous set. Returns {relative path: sha256}."""
    sums = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != "SHA256SUMS":
            rel = p.relative_to(folder).as_posix()
            sums[rel] = (known or {}).get(rel) or sha256_file(p)
    lines = [f"{sha}  {rel}" for rel, sha in sums.items()]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sums


def read_sums(exports_dir: Path) -> dict[str, str]:
    """SHA256SUMS as {relative path: sha256}."""
    text = (exports_dir / "SHA256SUMS").read_text(encoding="utf-8")
    return {ln.split("  ", 1)[1]: ln.split("  ", 1)[0] for ln in text.splitlines() if ln}
