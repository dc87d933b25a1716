"""The books must balance: the accounting identities as self-checks inside extraction.

A report states most core figures more than once (收支总表, 支出总表, 一般公共预算支出表, the
说明 prose), and a misreading shows up as an identity that fails: 支出总计 ≠ 基本支出 + 项目支出,
支出总计 ≠ Σ 类, "三公" total ≠ its parts. Where the sightings of a figure compete, the reading
that makes its identity hold is kept and the others are set aside with a parse issue quoting
them:

- a table that lists every class of a fund and balances on its own wins over classes gathered
  from elsewhere (a 款 read as a 类 in one table, a prose line misread for another fund);
- a figure stated differently in two places takes the value that balances.

The identities are the warehouse's own (cnfiscal/vocab/balance_identity_terms.csv, also the
dbt seed behind fct_balance_checks), so extraction and the quality gate check the same books.
Nothing is computed: every fact kept is a figure the report states.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import product

from cnfiscal.model import Fact, ParseIssue, format_decimal
from cnfiscal.vocab import read_vocab_csv

# the identities arbitrated here: those whose parts a report states as a partition of its total
ARBITRATED = (
    "expenditure_total_eq_basic_plus_project",
    "functional_sum_eq_total",
    "three_public_total_eq_parts",
)
_MAX_COMBINATIONS = 64


@dataclass(frozen=True)
class Identity:
    name: str
    statement: str
    total: str
    parts: tuple[tuple[re.Pattern, str], ...]  # (item pattern, parent item or '')


@cache
def identities() -> tuple[Identity, ...]:
    rows = read_vocab_csv("balance_identity_terms.csv")
    out = []
    for name in ARBITRATED:
        mine = [r for r in rows if r["identity"] == name]
        total = next(r for r in mine if r["role"] == "total")
        parts = tuple(
            (
                re.compile("^" + re.escape(r["item_pattern"]).replace("_", r"\d") + "$"),
                r["parent_item"],
            )
            for r in mine
            if r["role"] == "part"
        )
        out.append(Identity(name, total["statement"], total["item_pattern"], parts))
    return tuple(out)


def _tolerance(total: Decimal, n_parts: int) -> Decimal:
    # each stated figure is rounded to its last digit; tables in 元 converted keep 4 decimals
    return max(Decimal("0.011") * (n_parts + 1), abs(total) * Decimal("0.0002"))


def _kept(cands: list[Fact]) -> Fact:
    """The sighting merge_facts keeps: the first from a table, else the first."""
    return next((f for f in cands if f.source == "table"), cands[0])


def _part_keys(identity: Identity, items: set[str]) -> list[str]:
    """The items counted as parts: matching a part pattern, left out when a parent (its 类, the
    vehicle total) is stated too."""
    out = []
    for item in sorted(items):
        for pattern, parent in identity.parts:
            if not pattern.match(item):
                continue
            if parent:
                parent_item = item[: len(parent)] if "_" in parent else parent
                if parent_item in items:
                    break
            out.append(item)
            break
    return out


def _balances(total: Decimal, parts: list[Decimal]) -> bool:
    return abs(total - sum(parts, Decimal(0))) <= _tolerance(total, len(parts))


_SCALES = (Decimal(10000), Decimal("0.0001"))


def _same(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(Decimal("0.011"), abs(b) * Decimal("0.0002"))


def correct_units(facts: list[Fact], issues: list[ParseIssue]) -> None:
    """元 or 万元: a table whose figures agree with the report's other statements of the same
    lines only when scaled by 10,000 was read in the wrong unit (a 单位 line missed, or
    another table's taken). Its figures are rescaled, with an issue; at least two lines must
    agree that way and none as read."""
    keyed: dict[tuple, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.measure in ("amount", "delta") and f.unit == "万元" and f.statement != "performance":
            keyed[f.key()].append(f)
    tables = sorted({f.table for f in facts if f.source == "table" and f.table is not None})
    for t in tables:
        own = [f for f in facts if f.source == "table" and f.table == t and f.key() in keyed]
        pairs = [
            (f, o)
            for f in own
            if f.value != 0
            for o in keyed[f.key()]
            if not (o.source == "table" and o.table == t) and o.value != 0
        ]
        if not pairs or any(_same(f.value, o.value) for f, o in pairs):
            continue
        for scale in _SCALES:
            agree = [(f, o) for f, o in pairs if _same(f.value * scale, o.value)]
            # two tables that differ by 10,000 say nothing of which is wrong: the prose (which
            # writes its unit with every figure) or two other tables must side with one
            witnesses = {o.table if o.source == "table" else "text" for _, o in agree}
            if len({id(f) for f, _ in agree}) >= 2 and ("text" in witnesses or len(witnesses) >= 2):
                for f in facts:
                    if f.source == "table" and f.table == t and f.unit == "万元":
                        f.value *= scale
                issues.append(
                    ParseIssue(
                        "warning",
                        "unit_corrected",
                        f"table {t}: its figures agree with the report's other statements only "
                        f"times {format_decimal(scale)}; read in that unit",
                        page=own[0].page,
                    )
                )
                break


def arbitrate(facts: list[Fact], issues: list[ParseIssue]) -> list[Fact]:
    """The candidate facts (before merge_facts) with the sightings that break an identity set
    aside where another reading of the same report balances."""
    correct_units(facts, issues)
    everything: dict[tuple, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.measure == "amount":
            everything[(f.item, f.basis, f.year)].append(f)
    dropped: set[int] = set()
    for identity in identities():
        groups: dict[tuple, dict[str, list[Fact]]] = defaultdict(lambda: defaultdict(list))
        for f in facts:
            if f.statement == identity.statement and f.measure == "amount" and f.unit == "万元":
                groups[(f.scope, f.basis, f.year)][f.item].append(f)
        for (scope, basis, year), by_item in sorted(groups.items(), key=str):
            by_item = {k: [f for f in v if id(f) not in dropped] for k, v in by_item.items()}
            by_item = {k: v for k, v in by_item.items() if v}
            if identity.total not in by_item:
                continue
            keys = _part_keys(identity, set(by_item))
            if len(keys) < 2:
                continue
            aside = _resolve(identity, by_item, keys, everything)
            if not aside:
                continue
            dropped |= {id(f) for f in aside}
            what = "; ".join(
                f"{f.item} {format_decimal(f.value)} ({f.source}"
                + (f" {f.table} p{f.page}" if f.source == "table" else "")
                + ")"
                for f in aside
            )
            issues.append(
                ParseIssue(
                    "warning",
                    "balance_choice",
                    f"{identity.name} ({scope}, {basis}, {year}) holds only without: {what}; "
                    "set aside",
                    quote=" | ".join((f.evidence or f.label or "")[:60] for f in aside),
                    page=aside[0].page,
                )
            )
    return [f for f in facts if id(f) not in dropped]


def _confirmations(t, keys: list[str], by_item: dict[str, list[Fact]], everything) -> int:
    """How many of table t's parts another sighting (any table, any fund, the prose) states
    with the same item and figure."""
    n = 0
    for k in keys:
        own = next((f for f in by_item[k] if f.source == "table" and f.table == t), None)
        if own is None:
            continue
        n += any(
            o is not own and not (o.source == "table" and o.table == t) and o.value == own.value
            for o in everything.get((own.item, own.basis, own.year), ())
        )
    return n


def _resolve(
    identity: Identity, by_item: dict[str, list[Fact]], keys: list[str], everything=None
) -> list[Fact]:
    """Sightings to set aside so that the identity holds, or [] when it holds already or no
    reading of the report makes it hold."""
    everything = everything or {}
    total_cands = by_item[identity.total]
    total = _kept(total_cands)
    parts = {k: _kept(by_item[k]) for k in keys}
    if _balances(total.value, [p.value for p in parts.values()]):
        return []
    # 1. one table lists every part and balances on its own: parts from elsewhere are stray.
    # Where several do, the one whose lines the report's other statements confirm most (the
    # same class and figure in another fund's table, in the prose) wins.
    tables = sorted({f.table for k in keys for f in by_item[k] if f.source == "table"})
    tables.sort(key=lambda t: -_confirmations(t, keys, by_item, everything))
    for t in tables:
        own = {
            k: next((f for f in by_item[k] if f.source == "table" and f.table == t), None)
            for k in keys
        }
        own = {k: f for k, f in own.items() if f is not None}
        if len(own) < 2 or not _balances(total.value, [f.value for f in own.values()]):
            continue
        aside = [f for k in keys if k not in own for f in by_item[k]]
        aside += [
            f
            for k, f in own.items()
            for f in by_item[k]
            if f is not own[k] and f.value != own[k].value
        ]
        return aside
    # 2. a figure stated differently in two places: the value that balances, when only one
    # combination of the stated values does
    choices = []
    for item in (identity.total, *keys):
        values = {}
        for f in by_item[item]:
            values.setdefault(f.value, f)
        choices.append((item, list(values.values())))
    n = 1
    for _, vals in choices:
        n *= len(vals)
    if n == 1 or n > _MAX_COMBINATIONS:
        return []
    good = [
        combo
        for combo in product(*(vals for _, vals in choices))
        if _balances(combo[0].value, [f.value for f in combo[1:]])
    ]
    if len(good) != 1:
        return []
    chosen = {id(f) for f in good[0]}
    values = {f.item: f.value for f in good[0]}
    return [
        f
        for item, _ in choices
        for f in by_item[item]
        if id(f) not in chosen and f.value != values[item]
    ]


def ocr_identity_issues(facts: list[Fact], issues: list[ParseIssue]) -> None:
    """An identity that fails on figures read by OCR is a warning quoting the OCR'd cells:
    a misread digit must not pass as a number the report states. Run on the kept facts."""
    for identity in identities():
        groups: dict[tuple, dict[str, Fact]] = defaultdict(dict)
        for f in facts:
            if f.statement == identity.statement and f.measure == "amount" and f.unit == "万元":
                groups[(f.scope, f.basis, f.year)].setdefault(f.item, f)
        for (scope, basis, year), by_item in sorted(groups.items(), key=str):
            total = by_item.get(identity.total)
            keys = _part_keys(identity, set(by_item))
            if total is None or len(keys) < 2:
                continue
            used = [total] + [by_item[k] for k in keys]
            ocr = [f for f in used if f.ocr_confidence is not None]
            if not ocr or _balances(total.value, [by_item[k].value for k in keys]):
                continue
            parts = sum((by_item[k].value for k in keys), Decimal(0))
            issues.append(
                ParseIssue(
                    "warning",
                    "ocr_identity_failed",
                    f"{identity.name} ({scope}, {basis}, {year}) fails on figures read by "
                    f"OCR: total {format_decimal(total.value)} vs parts "
                    f"{format_decimal(parts)}; check the quoted cells against the scan",
                    quote=" | ".join(
                        f"{f.item}={format_decimal(f.value)} (conf {f.ocr_confidence:.2f}, "
                        f"p{f.page or '?'}): {(f.evidence or f.label or '')[:60]}"
                        for f in ocr
                    ),
                    page=ocr[0].page,
                )
            )
