"""Resolving what a report leaves ambiguous, from the report's own arithmetic."""

from __future__ import annotations

from decimal import Decimal

from cnfiscal.model import Fact, ParseIssue

# Parts that add up to a statement's total, by statement (first complete set wins).
_PARTS = {
    "three_public": (("overseas", "reception", "vehicle"),),
    "expenditure": (("basic", "project"),),
}
_TOL = Decimal("0.005")


def resolve_templates(
    facts: list[Fact], pending: list[tuple[Fact, ParseIssue]], issues: list[ParseIssue]
) -> None:
    """Give "增加/减少X" deltas the sign that makes the parts add up to the total's change.

    When no sign fits, the fact is dropped and its issue says so.
    """
    for fact, issue in pending:
        sign = _sign_from_total(fact, facts)
        if sign is None:
            facts.remove(fact)
            issue.message += "; direction not recoverable from the text, no fact extracted"
            continue
        fact.value = fact.value * sign
        issue.message += f"; read as {'+' if sign > 0 else '-'} (parts must sum to the total)"


def _sign_from_total(fact: Fact, facts: list[Fact]) -> int | None:
    for parts in _PARTS.get(fact.statement, ()):
        if fact.item not in parts:
            continue
        same = [
            f
            for f in facts
            if f.statement == fact.statement
            and f.measure == "delta"
            and f.year == fact.year
            and f.compare_year == fact.compare_year
            and f.scope == fact.scope
        ]
        total = next((f for f in same if f.item == "total"), None)
        if total is None:
            return None
        others = Decimal(0)
        for item in parts:
            if item == fact.item:
                continue
            hit = next((f for f in same if f.item == item and f is not fact), None)
            others += hit.value if hit is not None else 0
        for sign in (1, -1):
            if abs(others + sign * fact.value - total.value) <= _TOL:
                return sign
    return None
