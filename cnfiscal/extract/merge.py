"""Merge facts found more than once (prose and table, or repeated prose) into one."""

from __future__ import annotations

from cnfiscal.model import Fact, ParseIssue


def merge_facts(facts: list[Fact], issues: list[ParseIssue]) -> list[Fact]:
    seen: dict[tuple, Fact] = {}
    out: list[Fact] = []
    for fact in facts:
        key = fact.key() + (fact.item if fact.item.startswith(("project:", "raw:", "kpi:")) else "",)
        first = seen.get(key)
        if first is None:
            seen[key] = fact
            out.append(fact)
        elif first.value == fact.value:
            first.also_in.append({"source": fact.source, "start": fact.start, "page": fact.page})
        else:
            out.append(fact)
    return out
