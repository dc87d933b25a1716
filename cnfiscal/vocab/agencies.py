"""Agency names folded to one canonical form per real-world agency, and a stable id.

Reports write one agency several ways: with the full region chain or only the nearest
region (秦皇岛市山海关区… / 山海关区…), with or without the government infix (…区人民政府
政务服务中心 / …区政务服务中心). The rules below fold those; agency_aliases.csv holds what
no rule can know; agency_lineage.csv links an agency to its successor after a reform.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from cnfiscal.vocab import (
    Region,
    _read_csv,
    _region_names,
    region_ancestors,
    region_by_code,
    region_by_name,
)

# Party organs put 中共 before the region (中共上海市普陀区委社会工作部).
_LEAD = ("中共",)
# The government infix names the parent government, not the agency, except for the
# government's own general office, whose name is that infix plus 办公室/办公厅.
_GOV_INFIX = re.compile(r"^(?:人民政府|政府)(?!办公)(?=.)")
_LONGEST_REGION = 16


@dataclass(frozen=True)
class ParsedName:
    lead: str
    chain: tuple[Region, ...]  # regions written at the front, outermost first
    rest: str


def _clean(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def _match_region(text: str, pos: int, above: Region | None) -> tuple[Region, int] | None:
    """Longest region name at `pos`. The first name may be a short form (株洲) of a province
    or prefecture; names after it must be written in full and lie under the previous one,
    so that 荆州市公安局 is not read as 公安县."""
    index = _region_names()
    for end in range(min(len(text), pos + _LONGEST_REGION), pos + 1, -1):
        word = text[pos:end]
        for region in index.get(word, ()):
            if above is None:
                if word != region.name and region.level == "county":
                    continue
            elif word != region.name or above not in region_ancestors(region):
                continue
            return region, end
    return None


def parse_name(name: str) -> ParsedName:
    text = _clean(name)
    lead = next((p for p in _LEAD if text.startswith(p)), "")
    pos = len(lead)
    chain: list[Region] = []
    while (hit := _match_region(text, pos, chain[-1] if chain else None)) is not None:
        chain.append(hit[0])
        pos = hit[1]
    if not chain or pos == len(text):  # a bare region name is a government, not folded
        return ParsedName(lead, (), text[len(lead) :])
    return ParsedName(lead, tuple(chain), text[pos:])


def resolve_region(region: str | None) -> list[Region]:
    """A region given as a GB/T 2260 code or a name (all candidates for a name)."""
    if not region:
        return []
    text = _clean(region)
    if text.isdigit():
        hit = region_by_code(text)
        return [hit] if hit else []
    return region_by_name(text)


def _place(parsed: ParsedName, region: str | None) -> Region | None:
    """The agency's own region: the innermost one written, narrowed by `region` if the
    written name is ambiguous; or `region` itself when the name carries none."""
    hints = resolve_region(region)
    if not parsed.chain:
        return hints[0] if len(hints) == 1 else None
    innermost = parsed.chain[-1]
    outer = parsed.chain[-2] if len(parsed.chain) > 1 else None
    candidates = region_by_name(innermost.name, outer.name if outer else None)
    if hints and len(candidates) > 1:
        hint_codes = {h.code for h in hints}
        narrowed = [c for c in candidates if c.code in hint_codes or hint_codes & _codes_above(c)]
        candidates = narrowed or candidates
    return candidates[0] if len(candidates) == 1 else None


def _codes_above(region: Region) -> set[str]:
    return {a.code for a in region_ancestors(region)}


def _fold(name: str, region: str | None) -> tuple[str, Region | None]:
    parsed = parse_name(name)
    place = _place(parsed, region)
    rest = _GOV_INFIX.sub("", parsed.rest)
    if parsed.chain:
        return parsed.lead + parsed.chain[-1].name + rest, place
    if place is not None:
        # "市政务服务中心" in a report of 汨罗市: the bare unit word stands for the region.
        unit = place.name[-1]
        body = rest[1:] if rest.startswith(unit) else rest
        body = _GOV_INFIX.sub("", body)
        return parsed.lead + place.name + body, place
    return parsed.lead + rest, None


@cache
def _aliases() -> dict[str, str]:
    return {
        _clean(r["alias"]): _clean(r["canonical_name"]) for r in _read_csv("agency_aliases.csv")
    }


def _resolve(name: str, region: str | None) -> tuple[str, Region | None]:
    folded, place = _fold(name, region)
    target = _aliases().get(folded) or _aliases().get(_clean(name))
    if target:
        folded, alias_place = _fold(target, region)
        place = place or alias_place
    return folded, place


def canonical_agency(name: str, region: str | None = None) -> str:
    """One written form per agency: nearest region in full + name without the 人民政府
    infix (山海关区政务服务中心), after the alias table."""
    return _resolve(name, region)[0]


def agency_region(name: str, region: str | None = None) -> Region | None:
    return _resolve(name, region)[1]


def agency_id(name: str, region: str | None = None) -> str:
    """Stable id: a short hash of the region code and the canonical name. The region code
    keeps apart same-named agencies of same-named counties (朝阳区 in 北京 and 长春)."""
    return resolve_agency(name, region)[2]


def resolve_agency(name: str, region: str | None = None) -> tuple[str, Region | None, str]:
    """canonical_agency, agency_region and agency_id at once: one fold, not three."""
    canonical, place = _resolve(name, region)
    key = f"{place.code if place else ''}|{canonical}"
    return canonical, place, "ag_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Succession:
    predecessor: str
    successor: str
    year: int
    evidence: str


@cache
def agency_lineage() -> tuple[Succession, ...]:
    return tuple(
        Succession(r["predecessor"], r["successor"], int(r["year"]), r["evidence"])
        for r in _read_csv("agency_lineage.csv")
    )


def successors(name: str, region: str | None = None) -> list[Succession]:
    key = canonical_agency(name, region)
    return [s for s in agency_lineage() if canonical_agency(s.predecessor, region) == key]


def predecessors(name: str, region: str | None = None) -> list[Succession]:
    key = canonical_agency(name, region)
    return [s for s in agency_lineage() if canonical_agency(s.successor, region) == key]
