"""Scanned pages read by OCR into the same words and text a text layer gives.

A page is OCR'd only when its text layer says next to nothing and an image covers much of it
(a scan, or a table pasted as a picture); pages with their own text never are. The page is
rendered with pypdfium2, the engine's word boxes are scaled back to PDF points (y down, as
pdf_words.Word) and joined into words the way characters of a text layer are, so table
rebuilding and prose reading downstream cannot tell where the words came from — except by the
confidence each OCR word keeps, which facts inherit (cnfiscal/extract/ocr_marks.py).

Limits: at most MAX_OCR_PAGES pages and MAX_OCR_SECONDS per document, OCR_PAGE_TIMEOUT per
page. An engine that is missing, fails or times out leaves a parse issue, never an exception.
"""

from __future__ import annotations

import ctypes
import re
import time
from dataclasses import dataclass, field
from functools import cache

from cnfiscal.model import ParseIssue
from cnfiscal.readers.ocr_engines import OcrEngine, OcrError, OcrWord, get_engine
from cnfiscal.readers.pdf_words import Word, group_lines, page_objects
from cnfiscal.vocab import read_vocab_csv

OCR_DPI = 200  # the scale measured in benchmarks/bench_ocr.py; small table print is ~8 pt
MAX_OCR_PAGES = 60
MAX_OCR_SECONDS = 600.0
OCR_PAGE_TIMEOUT = 120.0
# a page "without text": fewer visible characters than this in its text layer …
SPARSE_TEXT_CHARS = 40
# … and images covering at least this share of it
IMAGE_SHARE = 0.3
# words the engine is less sure of than this are specks and border debris, not text
MIN_WORD_CONF = 0.2


@dataclass
class OcrRun:
    """OCR state of one document: the engine, what it read, and the budget left."""

    # chosen when a page first needs OCR: text PDFs never import an engine's package
    engine: OcrEngine | None = None
    started: float | None = None
    pages: dict[int, list[Word]] = field(default_factory=dict)  # 1-based page → words
    problem: str | None = None
    checked: bool = False
    skipped: list[int] = field(default_factory=list)  # pages over the caps

    def mean_confidence(self) -> float | None:
        confs = [w.conf for ws in self.pages.values() for w in ws if w.conf is not None]
        return sum(confs) / len(confs) if confs else None


def image_share(page) -> float:
    """Share of the page's area under image objects (top level and one form deep)."""
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, bottom, right, top)]
    area = 0.0

    for kind, obj in page_objects(page):
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE and pdfium_c.FPDFPageObj_GetBounds(obj, *refs):
            area += max(right.value - left.value, 0) * max(top.value - bottom.value, 0)
    page_area = max(page.get_width() * page.get_height(), 1.0)
    return min(area / page_area, 1.0)


def needs_ocr(page, text: str) -> bool:
    """Little text of its own and a large image: a scanned page or a pictured table."""
    visible = sum(1 for ch in text if not ch.isspace())
    return visible < SPARSE_TEXT_CHARS and image_share(page) >= IMAGE_SHARE


def ocr_page(page, page_no: int, run: OcrRun, issues: list[ParseIssue]):
    """The page's words read by OCR with the ruling lines found in the scan (rules, across:
    PDF points, as pdf_words gives them), or None (engine unusable, caps reached, failure)."""
    from cnfiscal.readers.ocr_lines import find_rules

    if not run.checked:
        run.checked = True
        run.engine = run.engine or get_engine()
        run.problem = run.engine.problem()
        if run.problem:
            issues.append(
                ParseIssue("error", "ocr_unavailable", f"OCR engine unusable: {run.problem}")
            )
    if run.problem:
        return None
    now = time.monotonic()
    if run.started is None:
        run.started = now
    if len(run.pages) >= MAX_OCR_PAGES or now - run.started > MAX_OCR_SECONDS:
        run.skipped.append(page_no)
        return None
    scale = OCR_DPI / 72
    try:
        image = page.render(scale=scale, grayscale=True).to_pil()
        image, rules, across = find_rules(image, OCR_DPI)
        left = MAX_OCR_SECONDS - (now - run.started)
        raw = run.engine.words(image, timeout=max(min(OCR_PAGE_TIMEOUT, left), 5.0))
    except OcrError as exc:
        issues.append(ParseIssue("warning", "ocr_failed", f"page {page_no}: {exc}", page=page_no))
        return None
    rules = [(x / scale, t / scale, b / scale) for x, t, b in rules]
    across = [(y / scale, a / scale, b / scale) for y, a, b in across]
    points = [_to_points(w, scale) for w in raw if w.conf >= MIN_WORD_CONF]
    words = join_words([p for w in points for p in split_at_rules(w, rules)], rules)
    words = [w for w in words if w.text]
    run.pages[page_no] = words
    return words, rules, across


def split_at_rules(w: Word, rules) -> list[Word]:
    """A word that runs over a cell border is two cells the engine read as one (the border
    erased, the figures of neighbouring cells nearly touch): cut it there. The engine gives no
    character boxes, so the cut goes where the border falls in proportion, moved to the
    nearest place that leaves a well-formed figure on both sides when there is one."""
    from cnfiscal.readers.pdf_tables import AMOUNT

    for x, top, bottom in rules:
        if not (w.x0 < x < w.x1 and top - 1 <= w.mid_y <= bottom + 1):
            continue
        n = len(w.text)
        if n < 2 or min(x - w.x0, w.x1 - x) < 3:
            # a box edge over the border by a hair: the box, not the word, is off
            if x - w.x0 < w.x1 - x:
                w.x0 = x + 1
            else:
                w.x1 = x - 1
            continue
        guess = n * (x - w.x0) / (w.x1 - w.x0)
        cuts = sorted(range(1, n), key=lambda k: abs(k - guess))
        good = [k for k in cuts if AMOUNT.match(w.text[:k]) and AMOUNT.match(w.text[k:])]
        k = good[0] if good and abs(good[0] - guess) <= 3 else cuts[0]
        left = Word(w.text[:k], w.x0, x - 1, w.top, w.bottom, conf=w.conf)
        right = Word(w.text[k:], x + 1, w.x1, w.top, w.bottom, conf=w.conf)
        return split_at_rules(left, rules) + split_at_rules(right, rules)
    return [w]


def _to_points(w: OcrWord, scale: float) -> Word:
    return Word(
        clean_token(w.text),
        w.x0 / scale,
        w.x1 / scale,
        w.top / scale,
        w.bottom / scale,
        conf=w.conf,
    )


def join_words(words: list[Word], rules=()) -> list[Word]:
    """Engine words next to each other on a line joined into one: tesseract's Chinese model
    cuts "101,673.03" into "101," "673." "03" and prose into single characters; a gap under
    about half a character joins, a table's column gap does not (a figure cut after its comma
    or point joins over a wider gap: no cell ends so). A joined word is as sure as its least
    sure part."""
    out: list[Word] = []
    for line in group_lines([w for w in words if w.text]):
        prev: Word | None = None
        for w in line:
            h = max(prev.height if prev else 0, w.height)
            reach = _reach(prev, w)
            if (
                prev is not None
                and w.x0 - prev.x1 < reach * h  # an overlap: one word boxed twice
                and not any(
                    prev.x1 - 1 <= x <= w.x0 + 1 and t - 1 <= w.mid_y <= b + 1 for x, t, b in rules
                )
            ):
                prev.text = clean_token(prev.text + w.text)
                prev.x1 = max(prev.x1, w.x1)
                prev.top, prev.bottom = min(prev.top, w.top), max(prev.bottom, w.bottom)
                prev.conf = min(prev.conf or 0.0, w.conf or 0.0)
            else:
                prev = Word(w.text, w.x0, w.x1, w.top, w.bottom, conf=w.conf)
                out.append(prev)
    return out


_CUT_FIGURE = re.compile(r"\d[,.]\|\d")
_CJK_SEAM = re.compile(r"[\u4e00-\u9fff]\|.|.\|[\u4e00-\u9fff]")


def _reach(prev: Word | None, w: Word) -> float:
    """How wide a gap (in character heights) still joins prev and w: a figure cut after its
    comma or point, or Chinese text (set with wide spacing, 2026 年) beside anything, joins
    over more than the half character that separates words elsewhere."""
    if prev is None:
        return 0.0
    seam = prev.text[-2:] + "|" + w.text[:1]
    if _CUT_FIGURE.search(seam):
        return 1.2
    return 1.0 if _CJK_SEAM.search(seam) else 0.6


# figures side by side stay apart (cells of a table written as text); so do words a column
# gap apart. Other gaps in Chinese text are the engine's, not the author's.
_FIGURE_END = re.compile(r"[\d%]$")
_FIGURE_START = re.compile(r"^[-\d]")
_COLUMN_GAP = 1.5
# a page number as OCR reads it: the dashes around it come out as 一 (yi)
_PAGE_NUMBER = re.compile(r"^[一—–-]\s*(\d{1,4})\s*[一—–-]$")


def page_text(words: list[Word]) -> str:
    """Lines top to bottom, as a text layer would give them: the engine's spaces inside
    Chinese text dropped, figures and table columns kept apart by one space."""
    out = []
    for line in group_lines(words):
        text = line[0].text
        for prev, w in zip(line, line[1:], strict=False):
            apart = w.x0 - prev.x1 > _COLUMN_GAP * max(prev.height, w.height) or (
                _FIGURE_END.search(prev.text) and _FIGURE_START.search(w.text)
            )
            text += (" " if apart else "") + w.text
        out.append(_PAGE_NUMBER.sub(r"- \1 -", text))
    return "\n".join(out)


@cache
def _confusions() -> tuple[tuple[re.Pattern, str], ...]:
    rows = read_vocab_csv("ocr_confusions.csv")
    return tuple((re.compile(r["pattern"]), r["replacement"]) for r in rows)


def clean_token(text: str) -> str:
    """Characters an OCR engine misreads inside figures, read back (cnfiscal/vocab/
    ocr_confusions.csv: a letter O among digits is a 0, a Chinese comma a thousands comma)."""
    text = text.replace(" ", "")
    for pattern, repl in _confusions():
        text = pattern.sub(repl, text)
    return text
