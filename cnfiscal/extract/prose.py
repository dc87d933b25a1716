"""Facts from report prose."""

from __future__ import annotations

from cnfiscal.model import DocumentMeta, Fact, ParseIssue


def extract_prose(text: str, meta: DocumentMeta, issues: list[ParseIssue]) -> list[Fact]:
    return []
