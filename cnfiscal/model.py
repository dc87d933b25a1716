"""Plain data types shared by every stage: a document's metadata, a fact, a parse issue.

The field names follow the fact schema (shared/spec/facts.md, v1). Money is Decimal in 万元.
Nothing here imports Dagster, DuckDB or dbt, so parsers can be used and tested alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

SEVERITIES = ("error", "warning", "info")
STATEMENTS = (
    "income",
    "expenditure",
    "three_public",
    "operating_cost",
    "procurement",
    "assets",
    "staffing",
    "performance",
)
SCOPES = ("all", "fiscal", "general_public")
BASES = ("budget", "actual")
MEASURES = ("amount", "delta", "pct_change", "share", "count")
# a crawled page that is no report at all (portal, listing, notice) gets the fourth kind
NOT_A_REPORT = "not_a_report"
DOC_KINDS = ("budget", "final_account", "performance", NOT_A_REPORT)


@dataclass
class DocumentMeta:
    agency: str = ""
    region: str = ""
    fiscal_year: int | None = None
    doc_kind: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Fact:
    statement: str
    item: str
    scope: str
    basis: str
    year: int
    measure: str
    value: Decimal
    unit: str
    label: str = ""
    compare_year: int | None = None
    compare_basis: str | None = None
    # performance indicators only
    qualifier: str | None = None
    category: str | None = None
    # classification code of func:/econ: items and the code of their parent level
    code: str | None = None
    parent_code: str | None = None
    # provenance: "text" (char span in the normalized text) or "table" (page/table/row/col)
    source: str = "text"
    start: int | None = None
    end: int | None = None
    evidence: str | None = None
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    # further provenances of the same fact (e.g. the table cell a prose figure repeats)
    also_in: list[dict[str, Any]] = field(default_factory=list)
    # read from a page by OCR: the engine's confidence (0..1) in the figure; None otherwise
    ocr_confidence: float | None = None

    def key(self) -> tuple:
        """Identity of a fact within one document (what the gold matches on)."""
        k: tuple = (self.statement, self.item, self.scope, self.basis, self.year, self.measure)
        if self.measure in ("delta", "pct_change"):
            k += (self.compare_year,)
        if self.statement == "performance":
            k += (self.unit,)
        return k

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None and v != []}
        out["value"] = format_decimal(self.value)
        return out


@dataclass
class ParseIssue:
    severity: str  # error | warning | info
    code: str  # short machine-readable kind, e.g. "no_text_layer", "template_leftover"
    message: str
    quote: str = ""
    start: int | None = None
    page: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Extraction:
    document: DocumentMeta
    facts: list[Fact] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    text: str = ""  # the normalized text that char spans point into
    format: str = ""  # detected input format: txt, html, pdf, docx, xlsx, xls, unknown

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document.to_json() | {"format": self.format},
            "facts": [f.to_json() for f in self.facts],
            "issues": [i.to_json() for i in self.issues],
        }


def format_decimal(value: Decimal) -> str:
    """Plain decimal string without exponent or trailing zeros ("1484.49", "0", "120000")."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text
