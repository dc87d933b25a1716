"""Performance indicators (statement `performance`): volumes, rates, scores and targets."""

from __future__ import annotations

from cnfiscal.model import DocumentMeta, Fact, ParseIssue
from cnfiscal.readers import Table


def extract_performance(
    text: str, tables: list[Table], meta: DocumentMeta, issues: list[ParseIssue]
) -> list[Fact]:
    return []
