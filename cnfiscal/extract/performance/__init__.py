"""Performance indicators (statement `performance`): volumes, rates, scores and targets.

Prose in the report's performance regions and the 绩效目标表 / 绩效自评表 grids (PDF tables or
tab-separated lines) each give facts; the checks then flag rates above 100 %, scores above
their scale and targets without an achievement. `code` carries the vocabulary key
(cnfiscal/vocab/indicators.csv) when the name matches one.
"""

from __future__ import annotations

import re
import unicodedata

from cnfiscal.extract.performance.checks import check_facts
from cnfiscal.extract.performance.prose import Context, facts_from_sentence
from cnfiscal.extract.performance.regions import is_performance_report, performance_flags
from cnfiscal.extract.performance.tables import facts_from_tables, text_grids
from cnfiscal.extract.sections import split_sentences
from cnfiscal.model import DocumentMeta, Fact, ParseIssue
from cnfiscal.readers import Table

__all__ = ["extract_performance"]

# An ex-ante target form (申报表/目标表) states targets only.
_TARGET_FORM = re.compile(r"绩效目标申报|绩效目标表|目标申报表")
_SELF_EVAL = re.compile(r"自评|评价报告|完成情况")


def _fiscal_year(text: str, meta: DocumentMeta) -> int | None:
    if meta.fiscal_year:
        return meta.fiscal_year
    years = re.findall(r"(20\d\d)\s*年", text[:3000])
    return int(max(set(years), key=years.count)) if years else None


def _default_basis(text: str, meta: DocumentMeta) -> str:
    if meta.doc_kind == "budget":
        return "budget"
    head = text[:400]
    if _TARGET_FORM.search(head) and not _SELF_EVAL.search(head):
        return "budget"
    return "actual"


def extract_performance(
    text: str, tables: list[Table], meta: DocumentMeta, issues: list[ParseIssue]
) -> list[Fact]:
    fy = _fiscal_year(text, meta)
    if fy is None:
        issues.append(
            ParseIssue("warning", "performance_no_year", "no fiscal year: indicators skipped")
        )
        return []
    ctx = Context(fiscal_year=fy, basis=_default_basis(text, meta))
    sentences = split_sentences(text)
    whole = is_performance_report(text, sentences, meta.doc_kind)
    flags = performance_flags(sentences, whole)
    facts: list[Fact] = []
    for sent, on in zip(sentences, flags, strict=True):
        if not on or sent.in_table_row:
            continue
        try:
            facts += facts_from_sentence(sent, ctx, issues, sent.heading_text())
        except Exception as exc:  # one odd sentence must not lose the others
            issues.append(
                ParseIssue(
                    "warning",
                    "performance_sentence_failed",
                    f"{type(exc).__name__}: {exc}",
                    quote=sent.text[:200],
                    start=sent.start,
                )
            )
    table_facts = facts_from_tables(tables, ctx, issues)
    table_facts += facts_from_tables(text_grids(text), ctx, issues, from_text=True)
    facts = table_facts + _drop_table_echoes(facts, table_facts)
    facts = _dedupe(facts)
    check_facts(facts, issues)
    return facts


# a cell that says more than a figure (a name, "全年≥10000家次"): prose quoting it echoes the row
_WORDED = re.compile(r"[\u4e00-\u9fff].*[\u4e00-\u9fff]")


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def _drop_table_echoes(prose: list[Fact], table: list[Fact]) -> list[Fact]:
    """A PDF's text repeats its tables line by line; keep the table's reading of those rows.

    A prose figure is an echo when a table gives the same value and unit and the prose around
    it is a table line (no clause punctuation), lies inside one of that row's cells (a wrapped
    cell's second line), or quotes one of its value cells (全年≥10000家次).
    """
    if not table:
        return prose
    rows: dict[tuple, list[list[str]]] = {}
    for f in table:
        cells = [_flat(c) for c in (f.evidence or "").split(" | ")]
        rows.setdefault((f.value, f.unit), []).append([c for c in cells if len(c) >= 4])
    out = []
    for f in prose:
        found = rows.get((f.value, f.unit))
        if found is not None:
            ev = _flat(f.evidence)
            # a table line has no clause punctuation (1,033.00 is a figure, not a clause)
            plain = re.sub(r"(?<=\d),(?=\d{3})", "", f.evidence or "")
            line_like = plain and not re.search(r"[，,。；;]", plain)
            if line_like or any(
                ev in c or (c in ev and _WORDED.search(c)) for cells in found for c in cells if ev
            ):
                continue
        out.append(f)
    return out


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """The same indicator and value stated twice is one fact."""
    seen: set[tuple] = set()
    out = []
    for f in facts:
        key = (f.item, f.basis, f.year, f.measure, f.unit, f.value)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
