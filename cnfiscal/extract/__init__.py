"""From a report's bytes to an `Extraction`: metadata, facts with provenance, parse issues.

Each stage is a plain function in its own module; a stage that fails is recorded as a parse
issue and the other stages still run, so one bad section never loses a document's other facts.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

from cnfiscal.model import NOT_A_REPORT, DocumentMeta, Extraction, Fact, ParseIssue
from cnfiscal.readers import ParsedDocument, read_document

PARSER_VERSION = "0.1.6"


def _guarded(stage: str, fn: Callable, issues: list[ParseIssue], default):
    try:
        return fn()
    except Exception as exc:  # a parser bug must not take the run down
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        issues.append(ParseIssue("error", "stage_failed", f"{stage} failed: {tb}"))
        return default


def extract_parsed(parsed: ParsedDocument, name: str = "", hints: dict | None = None) -> Extraction:
    from cnfiscal.extract.balance import arbitrate, ocr_identity_issues
    from cnfiscal.extract.genre import judge_genre, not_a_report_issue
    from cnfiscal.extract.merge import merge_facts
    from cnfiscal.extract.metadata import detect_metadata
    from cnfiscal.extract.normalize import normalize_text
    from cnfiscal.extract.ocr_marks import mark_ocr_facts
    from cnfiscal.extract.performance import extract_performance
    from cnfiscal.extract.prose import extract_prose
    from cnfiscal.extract.sections import split_sentences
    from cnfiscal.extract.tables import extract_table_facts

    issues: list[ParseIssue] = list(parsed.issues)
    text = _guarded("normalize", lambda: normalize_text(parsed.text), issues, parsed.text)
    meta = _guarded(
        "metadata",
        lambda: detect_metadata(text, hints or {}, name, issues),
        issues,
        DocumentMeta(),
    )
    # Prose and performance read the same sentences: split them once.
    sentences = _guarded("sentences", lambda: split_sentences(text), issues, None)
    facts: list[Fact] = []
    facts += _guarded("prose", lambda: extract_prose(text, meta, issues, sentences), issues, [])
    facts += _guarded(
        "tables", lambda: extract_table_facts(parsed.tables, meta, issues), issues, []
    )
    facts += _guarded(
        "performance",
        lambda: extract_performance(text, parsed.tables, meta, issues, sentences),
        issues,
        [],
    )
    facts = _guarded("balance", lambda: arbitrate(facts, issues), issues, facts)
    facts = _guarded("merge", lambda: merge_facts(facts, issues), issues, facts)
    if parsed.ocr_pages:
        _guarded("ocr", lambda: mark_ocr_facts(facts, parsed, text), issues, None)
        _guarded("ocr_balance", lambda: ocr_identity_issues(facts, issues), issues, None)
    genre = _guarded("genre", lambda: judge_genre(parsed, text, facts), issues, None)
    if genre is not None and not genre.is_report:
        # what the stages said of its would-be facts and metadata is noise; errors stay
        meta.doc_kind = NOT_A_REPORT
        issues = [i for i in issues if i in parsed.issues or i.severity == "error"]
        issues.append(not_a_report_issue(genre, parsed, text))
        facts = []
    elif not facts and not any(i.severity == "error" for i in issues):
        issues.append(ParseIssue("warning", "no_facts", "no fiscal figures found in the document"))
    return Extraction(document=meta, facts=facts, issues=issues, text=text, format=parsed.format)


def extract_bytes(data: bytes, name: str = "", hints: dict | None = None) -> Extraction:
    issues: list[ParseIssue] = []
    parsed = _guarded("read", lambda: read_document(data, name), issues, None)
    if parsed is None:
        parsed = ParsedDocument(format="unknown", issues=issues)
    return extract_parsed(parsed, name, hints)


def extract_file(path: str | Path, hints: dict | None = None) -> Extraction:
    path = Path(path)
    return extract_bytes(path.read_bytes(), path.name, hints)
