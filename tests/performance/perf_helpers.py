"""Running the performance stage alone on a text, as the orchestrator would."""

from __future__ import annotations

from cnfiscal.extract.normalize import normalize_text
from cnfiscal.extract.performance import extract_performance
from cnfiscal.model import DocumentMeta, Fact, ParseIssue


def run(text: str, year: int = 2019, kind: str = "performance", tables=None):
    issues: list[ParseIssue] = []
    meta = DocumentMeta(fiscal_year=year, doc_kind=kind)
    facts = extract_performance(normalize_text(text), tables or [], meta, issues)
    return facts, issues


def by_value(facts: list[Fact]) -> dict[str, Fact]:
    return {str(f.value): f for f in facts}
