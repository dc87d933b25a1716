"""One fact per key: a figure found in a table and again in the prose is one fact.

The table's value wins (the gold convention: "a table figure repeated in the text is one fact,
the table's value"); the other sightings are kept as extra provenance in `also_in`. Sightings
that disagree beyond the rounding of the prose figure raise a parse issue quoting both.
"""

from __future__ import annotations

from decimal import Decimal

from cnfiscal.model import Fact, ParseIssue, format_decimal

_OPEN_ITEMS = ("project:", "raw:", "kpi:")


def _key(fact: Fact) -> tuple:
    # open-vocabulary items are distinct by their name, the rest by the schema key
    name = fact.item if fact.item.startswith(_OPEN_ITEMS) else ""
    return fact.key() + (name,)


def _agree(kept: Fact, other: Fact) -> bool:
    """Equal once the more precise value is rounded to the other's decimals (15621.1123 and
    15621.11 agree; 15621.11 and 15621.2 do not)."""
    a, b = kept.value, other.value
    places = min(-a.as_tuple().exponent, -b.as_tuple().exponent, 6)
    quantum = Decimal(1).scaleb(-max(places, 0))
    return abs(a - b) <= quantum / 2 + Decimal("0.005") or a.quantize(quantum) == b.quantize(
        quantum
    )


def _where(fact: Fact) -> str:
    if fact.source == "table":
        return f"table {fact.table} p{fact.page} r{fact.row} c{fact.col}"
    return f"text @{fact.start}"


def _provenance(fact: Fact) -> dict:
    out = {"source": fact.source, "value": format_decimal(fact.value)}
    for name in ("start", "end", "page", "table", "row", "col", "evidence"):
        value = getattr(fact, name)
        if value is not None:
            out[name] = value
    return out


def _rank(fact: Fact) -> int:
    return 0 if fact.source == "table" else 1


def _restated_totals(facts: list[Fact]) -> list[Fact]:
    """A named project line stating the very figure of the department's project spending
    (2016年度政务中心专项经费202万元, then 政务公开中心专项经费202万元) is that total again."""
    totals = {
        (f.basis, f.year, f.measure, f.value): f
        for f in facts
        if f.statement == "expenditure" and f.item == "project"
    }
    out = []
    for f in facts:
        total = totals.get((f.basis, f.year, f.measure, f.value))
        if f.item.startswith("project:") and total is not None:
            total.also_in.append(_provenance(f))
            continue
        out.append(f)
    return out


def merge_facts(facts: list[Fact], issues: list[ParseIssue]) -> list[Fact]:
    groups: dict[tuple, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(_key(fact), []).append(fact)
    out: list[Fact] = []
    for group in groups.values():
        # tables first, then document order within each source
        ordered = sorted(group, key=_rank)
        kept = ordered[0]
        for other in ordered[1:]:
            kept.also_in.append(_provenance(other))
            if not _agree(kept, other):
                issues.append(
                    ParseIssue(
                        "warning",
                        "value_conflict",
                        f"{kept.statement}/{kept.item} ({kept.scope}, {kept.basis}, {kept.year}): "
                        f"{format_decimal(kept.value)} in {_where(kept)} but "
                        f"{format_decimal(other.value)} in {_where(other)}; the first is kept",
                        quote=f"{kept.evidence or kept.label} | {other.evidence or other.label}",
                        start=other.start,
                        page=kept.page,
                    )
                )
        out.append(kept)
    out = _restated_totals(out)
    out.sort(key=lambda f: (f.source != "table", f.table or 0, f.row or 0, f.start or 0))
    return out
