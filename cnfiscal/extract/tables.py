"""Facts from the standard tables of budget and final-accounts reports."""

from __future__ import annotations

from cnfiscal.model import DocumentMeta, Fact, ParseIssue
from cnfiscal.readers import Table


def extract_table_facts(tables: list[Table], meta: DocumentMeta, issues: list[ParseIssue]) -> list[Fact]:
    return []
