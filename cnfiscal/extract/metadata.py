"""Document metadata: agency, region, fiscal year, kind of report."""

from __future__ import annotations

import re

from cnfiscal.model import DocumentMeta, ParseIssue


def detect_metadata(text: str, hints: dict, name: str, issues: list[ParseIssue]) -> DocumentMeta:
    meta = DocumentMeta()
    head = text[:3000]
    if "决算" in head:
        meta.doc_kind = "final_account"
    elif "绩效" in head:
        meta.doc_kind = "performance"
    elif "预算" in head:
        meta.doc_kind = "budget"
    years = re.findall(r"(20\d\d)\s*年", head)
    if years:
        meta.fiscal_year = int(max(set(years), key=years.count))
    for key in ("agency", "region", "doc_kind"):
        if hints.get(key):
            setattr(meta, key, str(hints[key]))
    if hints.get("fiscal_year"):
        meta.fiscal_year = int(hints["fiscal_year"])
    return meta
