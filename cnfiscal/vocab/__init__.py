"""The project's vocabulary as data: classification codes, item synonyms, agency renames.

One copy serves the extractor (imported from here) and dbt (the same CSVs are dbt seeds).
Lookups are cached; the files are read once per process.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class ClassEntry:
    code: str
    level: str
    parent_code: str
    name: str
    valid_from: int | None
    valid_to: int | None


def _read_csv(filename: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath(filename).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _entries(filename: str) -> tuple[ClassEntry, ...]:
    out = []
    for row in _read_csv(filename):
        out.append(
            ClassEntry(
                code=row["code"],
                level=row["level"],
                parent_code=row.get("parent_code", ""),
                name=row["name"],
                valid_from=int(row["valid_from"]) if row.get("valid_from") else None,
                valid_to=int(row["valid_to"]) if row.get("valid_to") else None,
            )
        )
    return tuple(out)


@cache
def functional_classes() -> tuple[ClassEntry, ...]:
    return _entries("functional_classes.csv")


@cache
def economic_classes() -> tuple[ClassEntry, ...]:
    return _entries("economic_classes.csv")


def _valid(entry: ClassEntry, year: int | None) -> bool:
    if year is None:
        return True
    return (entry.valid_from is None or entry.valid_from <= year) and (
        entry.valid_to is None or year <= entry.valid_to
    )


def _lookup(entries: tuple[ClassEntry, ...], name: str, year: int | None) -> ClassEntry | None:
    """Exact name match; a name valid in the given year wins over a historical one."""
    hits = [e for e in entries if e.name == name]
    if not hits:
        return None
    current = [e for e in hits if _valid(e, year)]
    return (current or hits)[0]


def functional_by_name(name: str, year: int | None = None) -> ClassEntry | None:
    return _lookup(functional_classes(), name, year)


def economic_by_name(name: str, year: int | None = None) -> ClassEntry | None:
    return _lookup(economic_classes(), name, year)
