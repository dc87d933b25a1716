"""Column groups under a repeated fund header.

Standard tables often split every item column by fund: 因公出国(境)费 over 一般公共预算 |
政府性基金预算 | 国有资本经营预算, then 公务接待费 over the same three, and so on. The item name
is printed once, centred over its group, so reading geometry gives it to one column of the
three at most. The repeated fund names give the groups away: a group starts where the fund
sequence starts again. Every column of a group then carries the group's header words, and
its own fund.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnfiscal.extract.tables.vocab import match_label

# funds whose sum is 财政拨款 (the appropriation funds)
APPROPRIATIONS = ("general_public", "gov_fund", "state_capital")


@dataclass(frozen=True)
class ColumnGroup:
    columns: tuple[int, ...]  # amount columns of the group, left to right
    funds: dict  # column -> fund key (general_public, gov_fund, state_capital, fiscal, all…)
    header: tuple[str, ...]  # the group's own header fragments, top to bottom


def fund_of(frags: list[str]) -> tuple[str | None, int]:
    """The fund a column's lowest header words name, and how many fragments (from the
    bottom) name it: ['总计', '一般公共预', '算'] → ('general_public', 2)."""
    for k in range(len(frags) - 1, -1, -1):
        hit = match_label("fund", "".join(frags[k:]))
        if hit is not None:
            return hit.item, len(frags) - k
    return None, 0


def column_groups(headers: list[list[str]], amount_cols: set[int]) -> list[ColumnGroup]:
    """Groups of at least two fund columns, when at least two such groups repeat; [] for
    a table whose header has no repeated fund split."""
    groups: list[list[int]] = []
    funds: dict[int, str] = {}
    own: dict[int, list[str]] = {}
    current: list[int] = []
    for j in sorted(amount_cols):
        frags = headers[j] if j < len(headers) else []
        fund, n = fund_of(frags)
        if fund is None:
            if current:
                groups.append(current)
            current = []
            continue
        if current and fund in (funds[c] for c in current):
            groups.append(current)
            current = []
        current.append(j)
        funds[j] = fund
        own[j] = frags[: len(frags) - n]
    if current:
        groups.append(current)
    groups = [g for g in groups if len(g) >= 2]
    if len(groups) < 2:
        return []
    out = []
    for cols in groups:
        header: list[str] = []
        for j in cols:
            for frag in own[j]:
                if frag not in header:
                    header.append(frag)
        out.append(ColumnGroup(tuple(cols), {j: funds[j] for j in cols}, tuple(header)))
    return out
