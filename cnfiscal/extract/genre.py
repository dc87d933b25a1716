"""Is this document a report at all? Real crawls bring portal home pages, navigation, listings,
redirect pages, policy notices and application forms along with the reports.

A budget, final-accounts or performance report writes in the vocabulary of the accounts
(基本支出, 项目支出, 一般公共预算, "三公"…) or of performance evaluation (绩效目标, 一级指标,
自评得分…) and states figures. A page that uses fewer than a handful of those words, or that
names reports but states none of their figures (a 目录 listing, an article whose report is an
attachment), is `not_a_report`: it gets that kind and an issue saying why, and its stray
numbers (a policy's 90 % targets, a subsidy's 万元) are not facts of any department.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cnfiscal.model import Fact, ParseIssue
from cnfiscal.readers import ParsedDocument
from cnfiscal.vocab import read_vocab_csv

# Distinct content words (families accounts and performance) a report uses at the least.
# Measured on the shared corpora: every report with a text layer uses 6 or more (a project
# evaluation 6, budget reports up to 40); crawled pages that are not reports use at most 1
# when they carry figures, 5 when they list reports without figures. Report names (部门预算,
# 绩效评价: family name) are not counted: portal menus and link lists are full of them.
MIN_TERMS = 3
# readers' errors after which the text says nothing about the genre (judged by OCR or never)
_UNREAD = {
    "no_text_layer",
    "pdf_corrupt",
    "pdf_password",
    "empty_document",
    "too_large",
    "read_failed",
    "unsupported_format",
    "out_of_memory",
}
# an HTML page with nothing to read is a redirect, a bot check or a page built by script
_NO_TEXT = {"html_empty", "html_no_text"}
_SPACE = re.compile(r"\s+")


@cache
def _terms() -> tuple[tuple[str, str], ...]:
    return tuple((row["term"], row["family"]) for row in read_vocab_csv("report_terms.csv"))


@dataclass
class Genre:
    is_report: bool
    terms: tuple[str, ...]
    reason: str = ""


def genre_terms(parsed: ParsedDocument, text: str, families=("accounts", "performance")):
    """The genre words of the given families the document uses: in its text, its tables'
    titles and label cells."""
    parts = [text]
    for table in parsed.tables:
        parts.append(table.title)
        parts.extend(cell for row in table.rows[:40] for cell in row[:4])
    flat = _SPACE.sub("", " ".join(parts))
    return tuple(t for t, family in _terms() if family in families and t in flat)


def judge_genre(parsed: ParsedDocument, text: str, facts: list[Fact]) -> Genre | None:
    """None when the document could not be read (its reader's error says so already)."""
    errors = {i.code for i in parsed.issues if i.severity == "error"}
    if errors & _UNREAD:
        return None
    if errors & _NO_TEXT:
        return Genre(
            False,
            (),
            "the page as fetched has no readable text (a redirect, a bot "
            "check or a page its scripts build)",
        )
    terms = genre_terms(parsed, text)
    if facts and len(terms) >= MIN_TERMS:
        return Genre(True, terms)
    if len(terms) >= MIN_TERMS or genre_terms(parsed, text, ("name",)):
        reason = (
            "names budget or final-accounts reports but states none of their figures "
            "(a listing, landing or navigation page)"
        )
        if parsed.attachments:
            reason += f"; the report may be in its attachment: {parsed.attachments[0]}"
    elif facts:
        reason = (
            f"states figures but uses {len(terms)} of the words budget, final-accounts and "
            f"performance reports are written in (a policy, notice or news page); "
            f"{len(facts)} figures not taken as facts"
        )
    else:
        reason = "no budget, final-accounts or performance content (a portal, notice or form)"
    return Genre(False, terms, reason)


def not_a_report_issue(genre: Genre, parsed: ParsedDocument, text: str) -> ParseIssue:
    head = parsed.title or next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
    return ParseIssue("warning", "not_a_report", f"not a report: {genre.reason}", quote=head[:120])
