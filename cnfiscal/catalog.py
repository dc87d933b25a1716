"""The source catalog: which reports to fetch, where they live, optional metadata hints.

Accepted as YAML (`sources: [{id, location, hints?, notes?}]`) or CSV (columns id, location and
optional agency, region, fiscal_year, doc_kind). A malformed entry is reported, not fatal.

The entries `cnfiscal discover` found live beside the catalog in discovered.yaml (same YAML
form, machine-written) and are read with it: an id or a location the catalog itself has wins,
and an entry marked `disabled: true` is left out.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HINT_FIELDS = ("agency", "region", "fiscal_year", "doc_kind")
DISCOVERED_NAME = "discovered.yaml"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    location: str
    hints: dict = field(default_factory=dict)
    notes: str = ""


@dataclass
class Catalog:
    path: Path
    entries: list[CatalogEntry]
    problems: list[str]

    @property
    def base_dir(self) -> Path:
        return self.path.parent


def _rows(path: Path) -> list[dict]:
    if path.suffix.lower() == ".csv":
        return _csv_rows(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, dict):
        data = data.get("sources", [])
    return data if isinstance(data, list) else []


def _csv_rows(path: Path) -> list[dict]:
    """What csv.DictReader would give (blank lines skipped, a short row's missing cells None, a
    repeated column's last cell), read with csv.reader: the catalog is read a few times a
    night, and at 100,000 entries DictReader's dict per row was most of that."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        column = {name: i for i, name in enumerate(header)}
        id_at, location_at = column.get("id"), column.get("location")
        hint_at = [(k, column[k]) for k in HINT_FIELDS if k in column]
        rows = []
        for row in reader:
            if not row:
                continue
            width = len(row)
            rows.append(
                {
                    "id": row[id_at] if id_at is not None and id_at < width else None,
                    "location": (
                        row[location_at]
                        if location_at is not None and location_at < width
                        else None
                    ),
                    "hints": {k: row[i] for k, i in hint_at if i < width and row[i]},
                }
            )
        return rows


def discovered_path(catalog_path: str | Path) -> Path:
    """Where the entries discovered for a catalog live: beside it."""
    return Path(catalog_path).resolve().parent / DISCOVERED_NAME


def _add_rows(rows, label, entries, problems, seen, catalog_locations=None) -> None:
    """Validate rows into entries. `catalog_locations` is given for discovered rows: those
    the catalog already has (same id or location) or the user disabled are left out."""
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(f"{label}{n}: not a mapping")
            continue
        sid, loc = str(row.get("id") or "").strip(), str(row.get("location") or "").strip()
        if not _ID_RE.match(sid):
            problems.append(f"{label}{n}: bad or missing id {sid!r}")
            continue
        if not loc:
            problems.append(f"{label}{n} ({sid}): missing location")
            continue
        if catalog_locations is not None and (
            row.get("disabled") or sid in seen or loc in catalog_locations
        ):
            continue
        if sid in seen:
            problems.append(f"{label}{n}: duplicate id {sid!r} (first one kept)")
            continue
        seen.add(sid)
        given = row.get("hints")
        hints = {k: v for k, v in given.items() if k in HINT_FIELDS and v} if given else {}
        entries.append(CatalogEntry(sid, loc, hints, str(row.get("notes") or "")))


def load_catalog(path: str | Path) -> Catalog:
    """The catalog at `path` with its discovered entries. Read once per process while neither
    file changes: `cnfiscal run` reads it in the precheck and again in several steps of the
    job it runs in the same process (each a copy: callers may change their lists)."""
    global _last
    path = Path(path).resolve()
    extra = discovered_path(path)
    key = _version_key(path, extra)
    if key is not None and _last is not None and _last[0] == key:
        cached = _last[1]
        return Catalog(cached.path, list(cached.entries), list(cached.problems))
    catalog = _read_catalog(path, extra)
    if key is not None:
        _last = (key, Catalog(path, list(catalog.entries), list(catalog.problems)))
    return catalog


# The last catalog read, keyed by its files' versions (_version_key).
_last: tuple[tuple, Catalog] | None = None
# A file modified this recently may change again within its timestamp's granularity unseen
# (as the fetch cache's RACY_NS): not remembered.
_SETTLED_NS = 2_000_000_000


def _version_key(path: Path, extra: Path) -> tuple | None:
    """Which versions of the catalog file and its discovered file these are; None when one
    was just written (or cannot be stat'ed: the read says why)."""
    key: list = [str(path)]
    for file in (path, extra):
        try:
            st = os.stat(file)
        except FileNotFoundError:
            key.append(None)
            continue
        except OSError:
            return None
        if time.time_ns() - st.st_mtime_ns < _SETTLED_NS:
            return None
        key.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(key)


def _read_catalog(path: Path, extra: Path) -> Catalog:
    entries: list[CatalogEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    _add_rows(_rows(path), "entry ", entries, problems, seen)
    if extra != path and extra.is_file():
        try:
            rows = _rows(extra)
        except (OSError, yaml.YAMLError) as exc:  # a bad machine file must not stop the run
            problems.append(f"{DISCOVERED_NAME}: unreadable, left out ({exc})")
            rows = []
        own = {e.location for e in entries}
        _add_rows(rows, f"{DISCOVERED_NAME} entry ", entries, problems, seen, own)
    return Catalog(path, entries, problems)


# -- batches: the unit of partitioning, scheduling and change detection ---------------------

# Fixed hash buckets: an entry never moves when others are added, and a 10,000-report catalog
# becomes ~64 batches of ~160, not 10,000 tiny runs.
N_BATCHES = 64


def batch_of(source_id: str) -> str:
    return f"b{zlib.crc32(source_id.encode('utf-8')) % N_BATCHES:02d}"


def batches_to_run(catalog_ids: Iterable[str], warehouse_ids: Iterable[str]) -> list[str]:
    """The batches a whole-catalog run covers: the catalog's, and those of sources the
    warehouse still holds as current, so a source dropped from a batch left empty is retired
    too (a run only retires what its batches cover)."""
    return sorted({batch_of(s) for s in catalog_ids} | {batch_of(s) for s in warehouse_ids})


def select_batches(catalog: Catalog, batches: Iterable[str] | None) -> Catalog:
    """The entries of the given batches (all of them when batches is None)."""
    if batches is None:
        return catalog
    wanted = set(batches)
    entries = [e for e in catalog.entries if batch_of(e.id) in wanted]
    return Catalog(catalog.path, entries, catalog.problems)


def _entry_digest(entry: CatalogEntry, base_dir: Path) -> str:
    """What the entry says plus, for a local file, its size and mtime (a changed or dropped
    file changes the digest without reading it)."""
    parts = [entry.id, entry.location, json.dumps(entry.hints, sort_keys=True, default=str)]
    if "://" not in entry.location or entry.location.startswith("file://"):
        path = Path(entry.location.removeprefix("file://"))
        path = path if path.is_absolute() else base_dir / path
        try:
            st = path.stat()
            parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append("missing")
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def batch_digests(catalog: Catalog) -> dict[str, str]:
    """batch → digest of its entries; compare two of these to find the batches that changed."""
    per_batch: dict[str, list[str]] = {}
    for entry in catalog.entries:
        per_batch.setdefault(batch_of(entry.id), []).append(_entry_digest(entry, catalog.base_dir))
    return {
        b: hashlib.sha1("".join(sorted(ds)).encode("ascii")).hexdigest()[:16]
        for b, ds in sorted(per_batch.items())
    }


def changed_batches(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """Batches with a new, changed or removed entry (a batch that emptied counts too)."""
    return sorted(b for b in before.keys() | now.keys() if before.get(b) != now.get(b))


@dataclass
class CatalogPlan:
    """What the catalog sensor should do on one tick."""

    add_batches: list[str]  # new partitions to register
    run_batches: list[str]  # batches to run (empty: nothing changed)
    whole_range: bool  # several batches changed: run the whole partition range in one run


def plan_catalog_run(before: dict[str, str], now: dict[str, str], known: list[str]) -> CatalogPlan:
    """Compare the batch digests remembered by the sensor with the catalog's current ones.

    One changed batch gets a run of its own; several get one run over every batch, because a
    single run can only cover a contiguous range and unchanged batches cost next to nothing."""
    add = sorted(set(now) - set(known))
    changed = changed_batches(before, now)
    return CatalogPlan(add, changed, len(changed) > 1)
