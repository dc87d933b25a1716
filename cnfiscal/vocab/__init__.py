"""The project's vocabulary as data: classification codes, regions, agency renames.

One copy serves the extractor (imported from here) and dbt (the same CSVs are dbt seeds).
Lookups are cached; the files are read once per process. README.md describes each file.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
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
    scheme: str = ""  # economic only: departmental (30x/31x/399) or governmental (5xx)
    gov_code: str = ""  # departmental → governmental, for administrative organs (机关)
    gov_code_inst: str = ""  # the same for public institutions (事业单位)


@dataclass(frozen=True)
class Region:
    code: str  # GB/T 2260, six digits
    name: str
    level: str  # province / prefecture / county
    parent_code: str
    kind: str  # 省, 地级市, 市辖区, 县级市, … as the source writes it


def _read_csv(filename: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath(filename).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_vocab_csv(filename: str) -> list[dict[str, str]]:
    """Rows of one vocabulary file (for modules that keep their own lookups)."""
    return _read_csv(filename)


def _year(text: str | None) -> int | None:
    return int(text) if text else None


def _entries(filename: str) -> tuple[ClassEntry, ...]:
    return tuple(
        ClassEntry(
            code=row["code"],
            level=row["level"],
            parent_code=row.get("parent_code") or "",
            name=row["name"],
            valid_from=_year(row.get("valid_from")),
            valid_to=_year(row.get("valid_to")),
            scheme=row.get("scheme") or "",
            gov_code=row.get("gov_code") or "",
            gov_code_inst=row.get("gov_code_inst") or "",
        )
        for row in _read_csv(filename)
    )


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


# Reports write the same heading many ways: "一、一般公共服务", "维修(护)费", "对个人和家庭补助",
# "司法（款）". Folding these by rule keeps the CSVs to one official name per row.
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])")
_LEVEL_MARK = re.compile(r"\((?:类|款|项)\)")
_LEAD = re.compile(r"^其中:")


def normalize_name(name: str) -> str:
    """Fold a class name to a comparison key: width, spaces, numbering, 的, trailing 支出."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"\s+", "", text)
    text = _LEAD.sub("", _ORDINAL.sub("", text))
    text = _LEVEL_MARK.sub("", text).replace("的", "")
    if text.endswith("支出") and len(text) > 2:
        text = text[:-2]
    return text


_LEVEL_RANK = {"类": 0, "款": 1, "项": 2}


@cache
def _name_index(kind: str) -> dict[str, tuple[ClassEntry, ...]]:
    entries = functional_classes() if kind == "functional" else economic_classes()
    index: dict[str, list[ClassEntry]] = defaultdict(list)
    for entry in entries:
        index[normalize_name(entry.name)].append(entry)
    return {key: tuple(hits) for key, hits in index.items()}


def _lookup(kind: str, name: str, year: int | None, scheme: str | None) -> ClassEntry | None:
    """Name match after folding. A row valid in `year` wins over a historical one; among
    equals the coarser level wins (a statement line "其他资本性支出" is the 类, not 31099),
    then the departmental scheme, which is the one departmental reports print."""
    hits = _name_index(kind).get(normalize_name(name), ())
    if scheme:
        hits = tuple(e for e in hits if e.scheme == scheme)
    if not hits:
        return None
    current = [e for e in hits if _valid(e, year)] or list(hits)
    # Same name under two 类 (房屋建筑物购建 in 309 and 310): the higher code, the general one.
    current.sort(
        key=lambda e: (
            _LEVEL_RANK.get(e.level, 9),
            e.scheme == "governmental",
            e.valid_to is not None,
            -int(e.code),
        )
    )
    return current[0]


def _by_code(entries: tuple[ClassEntry, ...], code: str, year: int | None) -> ClassEntry | None:
    """The row for `code` valid in `year`; without a year (or none valid), the newest name."""
    hits = [e for e in entries if e.code == str(code).strip()]
    if not hits:
        return None
    current = [e for e in hits if _valid(e, year)] or hits
    return max(current, key=lambda e: e.valid_from or 0)


def functional_by_name(name: str, year: int | None = None) -> ClassEntry | None:
    return _lookup("functional", name, year, None)


def economic_by_name(
    name: str, year: int | None = None, scheme: str | None = None
) -> ClassEntry | None:
    return _lookup("economic", name, year, scheme)


def functional_by_code(code: str, year: int | None = None) -> ClassEntry | None:
    return _by_code(functional_classes(), code, year)


def economic_by_code(code: str, year: int | None = None) -> ClassEntry | None:
    return _by_code(economic_classes(), code, year)


# --- regions (GB/T 2260) ------------------------------------------------------------------

# Written forms drop the unit word (株洲 for 株洲市) and, for autonomous areas, the peoples
# (恩施 for 恩施土家族苗族自治州); both are stripped to get the short form.
_REGION_SHORT = re.compile(
    r"([\u4e00-\u9fff]{2,}?)(?:[\u4e00-\u9fff]{1,3}?族|维吾尔)*"
    r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|特区|新区|省|市|区|县|盟|旗)"
)


def region_short_name(name: str) -> str:
    match = _REGION_SHORT.fullmatch(name)
    return match.group(1) if match else name


@cache
def regions() -> tuple[Region, ...]:
    return tuple(Region(**row) for row in _read_csv("regions.csv"))


@cache
def region_by_code(code: str) -> Region | None:
    return {r.code: r for r in regions()}.get(str(code).ljust(6, "0"))


@cache
def _region_names() -> dict[str, tuple[Region, ...]]:
    index: dict[str, list[Region]] = defaultdict(list)
    for region in regions():
        for key in {region.name, region_short_name(region.name)}:
            index[key].append(region)
    return {key: tuple(hits) for key, hits in index.items()}


def region_ancestors(region: Region) -> list[Region]:
    """Parents from the nearest up to the province."""
    out = []
    parent = region_by_code(region.parent_code) if region.parent_code else None
    while parent is not None:
        out.append(parent)
        parent = region_by_code(parent.parent_code) if parent.parent_code else None
    return out


def region_by_name(name: str, parent: str | None = None) -> list[Region]:
    """Every region the name can mean (county names repeat across provinces), narrowed to
    those under `parent` (a name such as 株洲市 or 秦皇岛, at any level above) when given."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))
    hits = list(_region_names().get(key, ()))
    if parent:
        parents = {p.code for p in region_by_name(parent)}
        hits = [r for r in hits if parents & {a.code for a in region_ancestors(r)}]
    return hits


# --- performance indicator grids (绩效目标表 / 绩效自评表) ---------------------------------


@dataclass(frozen=True)
class ColumnLabel:
    role: str  # name, target, actual, unit, qualifier, project, grade, total, category, …
    pattern: str  # regular expression over the header (or row label) text, spaces removed
    priority: int  # within a role: lower first (the most specific name header wins)
    value: str  # what a match gives, where the role needs one (a grade word, a category)
    note: str


@cache
def indicator_columns() -> tuple[ColumnLabel, ...]:
    """indicator_columns.csv in priority order within each role (file order among equals)."""
    rows = [
        ColumnLabel(r["role"], r["pattern"], int(r["priority"]), r["value"] or "", r["note"])
        for r in _read_csv("indicator_columns.csv")
    ]
    return tuple(sorted(rows, key=lambda c: (c.role, c.priority)))


@cache
def indicator_column_labels(role: str) -> tuple[ColumnLabel, ...]:
    """The labels of one role, highest priority first."""
    return tuple(c for c in indicator_columns() if c.role == role)


@cache
def indicator_column_regex(role: str) -> re.Pattern[str]:
    """One regex for a role: its patterns as alternatives, highest priority first, so
    `.search(text).group()` is the text of the first pattern that matches at the leftmost place."""
    labels = indicator_column_labels(role)
    if not labels:
        raise KeyError(f"indicator_columns.csv has no role {role!r}")
    return re.compile("|".join(f"(?:{c.pattern})" for c in labels))
