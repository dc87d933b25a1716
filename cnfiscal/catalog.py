"""The source catalog: which reports to fetch, where they live, optional metadata hints.

Accepted as YAML (`sources: [{id, location, hints?, notes?}]`) or CSV (columns id, location and
optional agency, region, fiscal_year, doc_kind). A malformed entry is reported, not fatal.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HINT_FIELDS = ("agency", "region", "fiscal_year", "doc_kind")
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
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = []
            for row in csv.DictReader(fh):
                hints = {k: row[k] for k in HINT_FIELDS if row.get(k)}
                rows.append({"id": row.get("id"), "location": row.get("location"), "hints": hints})
            return rows
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, dict):
        data = data.get("sources", [])
    return data if isinstance(data, list) else []


def load_catalog(path: str | Path) -> Catalog:
    path = Path(path).resolve()
    entries: list[CatalogEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, row in enumerate(_rows(path), start=1):
        if not isinstance(row, dict):
            problems.append(f"entry {n}: not a mapping")
            continue
        sid, loc = str(row.get("id") or "").strip(), str(row.get("location") or "").strip()
        if not _ID_RE.match(sid):
            problems.append(f"entry {n}: bad or missing id {sid!r}")
            continue
        if not loc:
            problems.append(f"entry {n} ({sid}): missing location")
            continue
        if sid in seen:
            problems.append(f"entry {n}: duplicate id {sid!r} (first one kept)")
            continue
        seen.add(sid)
        hints = {k: v for k, v in (row.get("hints") or {}).items() if k in HINT_FIELDS and v}
        entries.append(CatalogEntry(sid, loc, hints, str(row.get("notes") or "")))
    return Catalog(path, entries, problems)
