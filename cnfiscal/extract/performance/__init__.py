"""Performance indicators (statement `performance`): volumes, rates, scores and targets.

Prose in the report's performance regions and the 绩效目标表 / 绩效自评表 grids (PDF tables or
tab-separated lines) each give facts; the checks then flag rates above 100 %, scores above
their scale and targets without an achievement. `code` carries the vocabulary key
(cnfiscal/vocab/indicators.csv) when the name matches one.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from cnfiscal.extract.performance.checks import check_facts
from cnfiscal.extract.performance.prose import Context, facts_from_sentence
from cnfiscal.extract.performance.regions import is_performance_report, performance_flags
from cnfiscal.extract.performance.tables import facts_from_tables, text_grids
from cnfiscal.extract.sections import Sentence, split_sentences
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


def _target_form(text: str) -> bool:
    head = text[:400]
    return bool(_TARGET_FORM.search(head)) and not _SELF_EVAL.search(head)


def _default_basis(text: str, meta: DocumentMeta) -> str:
    if meta.doc_kind == "budget" or _target_form(text):
        return "budget"
    return "actual"


def extract_performance(
    text: str,
    tables: list[Table],
    meta: DocumentMeta,
    issues: list[ParseIssue],
    sentences: list[Sentence] | None = None,
) -> list[Fact]:
    """`sentences`: split_sentences(text), when the caller already has them."""
    fy = _fiscal_year(text, meta)
    if fy is None:
        issues.append(
            ParseIssue("warning", "performance_no_year", "no fiscal year: indicators skipped")
        )
        return []
    ctx = Context(fiscal_year=fy, basis=_default_basis(text, meta))
    if sentences is None:
        sentences = split_sentences(text)
    whole = is_performance_report(text, sentences, meta.doc_kind)
    flags = performance_flags(sentences, whole)
    facts: list[Fact] = []
    for sent, pieces in _unwrapped(text, sentences, flags):
        try:
            found = facts_from_sentence(sent, ctx, issues, sent.heading_text())
            facts += _located(found, sent, pieces) if len(pieces) > 1 else found
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
    if meta.doc_kind not in ("budget", "final_account") and _target_form(text):
        for f in facts:  # a target form states targets, whatever tense its prose uses
            f.basis = "budget"
    table_facts = facts_from_tables(tables, ctx, issues)
    table_facts += facts_from_tables(text_grids(text), ctx, issues, from_text=True)
    facts = table_facts + _drop_table_echoes(facts, table_facts)
    facts = _dedupe(facts)
    check_facts(facts, issues)
    return facts


_ENDED = re.compile(r"[。;；!！?？:：]$")
# a line the page (or a wide table cell) wrapped is long; short ones are table cells or labels
_WRAP_MIN = 12
# broken off inside a clause: a word, figure or list comma at the line end
_MID_WORD = re.compile(r"[\u4e00-\u9fff\d、“]$")
# a line of a table echoed in the page text: words set apart by blanks, or two free-standing
# figures; prose only puts blanks around its figures ("完成 3 份")
_TABLE_WORDS = re.compile(r"[^\s\d.,%％]\s+[^\s\d.,%％]")
_FREE_FIGURE = re.compile(r"(?:^|(?<=\s))[-\d.,%％]*\d[-\d.,%％]*(?=\s|$)")
# a continuation goes on with words; a figure, a comparison or "指标3：" starts a cell or item
_CONTINUES = re.compile(r"^(?![^:：]{0,7}[:：])[\u4e00-\u9fff、，,“”‘’《》（(]")
_BLANK = re.compile(r"\s")
_BLANKS = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_CLAUSE_MARK = re.compile(r"[，,。；;]")


def _tabular(line: str) -> bool:
    if not _BLANK.search(line):  # both need a blank (two free figures: one after a blank)
        return False
    return bool(_TABLE_WORDS.search(line)) or len(_FREE_FIGURE.findall(line)) >= 2


def _unwrapped(
    text: str, sentences: list[Sentence], flags: list[bool]
) -> list[tuple[Sentence, list[Sentence]]]:
    """The performance sentences with wrapped lines joined again, each with its pieces.

    A PDF's text breaks lines where the page (or a table cell) wrapped them, and a sentence
    ends at a line break, so a name is cut mid-word ("…40个市" + "直部门…" gives an indicator
    "市"). A sentence that ends its line without punctuation continues with the first sentence
    of the next line, unless either line is a table row echoed in the text or the next line
    opens a heading.
    """
    lines: list[str] | None = None  # split when a performance sentence needs its line
    tabular_lines: dict[int, bool] = {}  # a line's sentences share its reading
    out: list[tuple[Sentence, list[Sentence]]] = []
    run: list[Sentence] = []

    def flush() -> None:
        if len(run) == 1:
            out.append((run[0], list(run)))
        elif run:
            first = run[0]
            joined = Sentence(
                "".join(s.text for s in run), first.start, run[-1].end, first.path, first.block,
                False, first.line,
            )  # fmt: skip
            out.append((joined, list(run)))
        run.clear()

    prev_ok = False
    for sent, on in zip(sentences, flags, strict=True):
        if not on or sent.in_table_row:
            flush()
            prev_ok = False
            continue
        if lines is None:
            lines = text.split("\n")
        line = lines[sent.line] if sent.line < len(lines) else ""
        tabular = tabular_lines.get(sent.line)
        if tabular is None:
            tabular = tabular_lines[sent.line] = _tabular(line.strip())
        if (
            run
            and prev_ok
            and sent.block is None
            and not tabular
            and text.count("\n", run[-1].end, sent.start) == 1
            and _starts_line(text, sent)
            and bool(_CONTINUES.match(line.strip()))
        ):
            run.append(sent)
        else:
            flush()
            run.append(sent)
        last = run[-1]
        prev_ok = (
            not tabular
            and not _ENDED.search(last.text)
            and not (last.block is not None and last.block.pure_title and len(run) == 1)
            and not text[last.end : last.end + 1].strip()
            and _ends_line(text, last)
            and len(_BLANK.sub("", line)) >= _WRAP_MIN  # a wrapped line is a full one
            and bool(_MID_WORD.search(last.text))
        )
    flush()
    return out


def _starts_line(text: str, sent: Sentence) -> bool:
    return not text[text.rfind("\n", 0, sent.start) + 1 : sent.start].strip()


def _ends_line(text: str, sent: Sentence) -> bool:
    nl = text.find("\n", sent.end)
    return not text[sent.end : nl if nl >= 0 else len(text)].strip()


def _located(facts: list[Fact], sent: Sentence, pieces: list[Sentence]) -> list[Fact]:
    """Facts of a joined sentence with their spans put back on the page text."""
    offsets = []
    pos = 0
    for p in pieces:
        offsets.append(pos)
        pos += len(p.text)

    def where(rel: int, end: bool = False) -> int:
        k = bisect.bisect_right(offsets, rel - 1 if end else rel) - 1
        return pieces[k].start + rel - offsets[k]

    for f in facts:
        if f.start is not None and f.end is not None:
            f.start, f.end = where(f.start - sent.start), where(f.end - sent.start, end=True)
    return facts


# a cell that says more than a figure (a name, "全年≥10000家次"): prose quoting it echoes the row
_WORDED = re.compile(r"[\u4e00-\u9fff].*[\u4e00-\u9fff]")


def _flat(s: str) -> str:
    return _BLANKS.sub("", unicodedata.normalize("NFKC", s or ""))


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
            plain = _THOUSANDS.sub("", f.evidence or "")
            line_like = plain and not _CLAUSE_MARK.search(plain)
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
