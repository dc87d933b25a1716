"""Facts from report prose: every figure that fits the fact schema, with its evidence span.

Paragraph by paragraph (one text line), figures are read left to right. A figure's label comes
from the words before it; its account (statement) from the label, else the paragraph's subject,
else the headings above; its fund scope from the label's fund words (一般公共预算 / 财政拨款), else
the paragraph subject, else the headings; basis and year from the label, else the report.
"""

from __future__ import annotations

from cnfiscal.extract.prose.engine import ProseReader
from cnfiscal.extract.sections import Sentence
from cnfiscal.model import DocumentMeta, Fact, ParseIssue


def extract_prose(
    text: str,
    meta: DocumentMeta,
    issues: list[ParseIssue],
    sentences: list[Sentence] | None = None,
) -> list[Fact]:
    """`sentences`: split_sentences(text), when the caller already has them."""
    if not text or not text.strip():
        return []
    return ProseReader(text, meta, issues).run(sentences)
