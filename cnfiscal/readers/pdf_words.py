"""Words with boxes from pdfium's characters, the raw material for table rebuilding.

Each character's loose box (font ascent to descent, so "一" and "." are as tall as their line)
is read with one raw pdfium call; asking pdfium for the text of each of its runs instead cost
about 8x more. Characters following each other on a line join into a word unless a gap of
about half a character or a vertical ruling line separates them: a cell border then splits
"68,632.12一、" that pdfium keeps in one run when the text does not follow the drawn cells.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float  # distance from the page top (y grows downwards)
    bottom: float
    conf: float | None = None  # OCR confidence 0..1; None for a text layer's words

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


Rule = tuple[float, float, float]  # x, top, bottom of a vertical ruling line
HRule = tuple[float, float, float]  # y, x0, x1 of a horizontal ruling line


def display_box(page):
    """A function from a PDF-space box (left, bottom, right, top) to the box as the page is
    shown (x0, x1, top, bottom; y down), for /Rotate 0, 90, 180 or 270: landscape tables are
    often portrait pages turned, and pdfium reports boxes unturned."""
    rotation = page.get_rotation() % 360
    w, h = page.get_width(), page.get_height()  # as shown
    if rotation == 90:
        return lambda lf, b, r, t: (b, t, lf, r)
    if rotation == 180:
        return lambda lf, b, r, t: (w - r, w - lf, b, t)
    if rotation == 270:
        return lambda lf, b, r, t: (w - t, w - b, h - r, h - lf)
    return lambda lf, b, r, t: (lf, r, h - t, h - b)


def page_words(textpage, text: str, box, rules: list[Rule] = ()) -> list[Word]:
    """Characters of the page joined into words, in reading order (top to bottom, left to
    right). `text` is the page's full text range, one character per pdfium char index;
    `box` maps PDF-space boxes to the shown page (display_box)."""
    import pypdfium2.raw as pdfium_c

    rect = pdfium_c.FS_RECTF()
    ref = ctypes.byref(rect)
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    raw = textpage.raw
    xs = sorted({round(x, 1) for x, _, _ in rules})
    runs: list[Word] = []
    cur: Word | None = None
    for i, ch in enumerate(text):
        if ch.isspace() or ch in "\x00\ufffe\x02":
            continue
        if not loose_box(raw, i, ref):
            continue
        x0, x1, top, bottom = box(rect.left, rect.bottom, rect.right, rect.top)
        if cur is not None and _joins(cur, x0, top, bottom, xs, rules):
            cur.text += ch
            cur.x1 = max(cur.x1, x1)
            continue
        cur = Word(ch, x0, x1, top, bottom)
        runs.append(cur)
    return _join_runs(runs, xs, rules)


def _joins(cur: Word, x0: float, top: float, bottom: float, xs, rules) -> bool:
    """The next character continues `cur`: same line, just right of it, no rule between."""
    h = cur.bottom - cur.top
    overlap = min(cur.bottom, bottom) - max(cur.top, top)
    if overlap < 0.5 * min(h, bottom - top):
        return False
    gap = x0 - cur.x1
    if not -0.3 * h <= gap < 0.5 * h:
        return False
    return not _rule_between(cur.x1 - 0.5, x0 + 0.5, (top + bottom) / 2, xs, rules)


def _rule_between(a: float, b: float, y: float, xs: list[float], rules) -> bool:
    if not xs or b <= a:
        return False
    k = bisect_right(xs, a)
    if k >= len(xs) or xs[k] >= b:
        return False
    return any(a < x < b and t - 1 <= y <= bt + 1 for x, t, bt in rules)


def _join_runs(runs: list[Word], xs, rules) -> list[Word]:
    """Runs that pdfium emitted apart (another text object) but sit next to each other."""
    words: list[Word] = []
    for line in group_lines(runs):
        prev: Word | None = None
        for run in line:
            if (
                prev is not None
                and -0.5 * run.height <= run.x0 - prev.x1 < 0.5 * max(prev.height, run.height)
                and not _rule_between(prev.x1 - 0.5, run.x0 + 0.5, run.mid_y, xs, rules)
            ):
                prev.text += run.text
                prev.x1 = max(prev.x1, run.x1)
                prev.top = min(prev.top, run.top)
                prev.bottom = max(prev.bottom, run.bottom)
            else:
                prev = Word(run.text, run.x0, run.x1, run.top, run.bottom)
                words.append(prev)
    return words


def group_lines(words: list[Word]) -> list[list[Word]]:
    """Words sharing a text line (vertical overlap), each line sorted left to right."""
    lines: list[list[Word]] = []
    boxes: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: w.top):
        for i in range(len(lines) - 1, max(len(lines) - 4, -1), -1):
            top, bottom = boxes[i]
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap > 0.5 * min(bottom - top, word.height):
                lines[i].append(word)
                break
        else:
            lines.append([word])
            boxes.append((word.top, word.bottom))
    for line in lines:
        line.sort(key=lambda w: w.x0)
    return lines


def page_objects(page):
    """(kind, handle) of every object on the page, forms opened up to two deep. Raw pdfium
    calls: pypdfium2's object wrappers cost ~10x more on pages drawn with thousands of paths."""
    import pypdfium2.raw as pdfium_c

    def walk(count, get, depth: int):
        for i in range(count):
            obj = get(i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 2:
                yield from walk(
                    pdfium_c.FPDFFormObj_CountObjects(obj),
                    lambda k, o=obj: pdfium_c.FPDFFormObj_GetObject(o, k),
                    depth + 1,
                )
            else:
                yield kind, obj

    raw = page.raw
    yield from walk(
        pdfium_c.FPDFPage_CountObjects(raw), lambda k: pdfium_c.FPDFPage_GetObject(raw, k), 1
    )


def vertical_rules(page, box, across: list[HRule] | None = None) -> list[Rule]:
    """x, top, bottom of the page's vertical ruling lines and of the sides of drawn boxes;
    the horizontal lines (y, x0, x1) go to `across` when given (row borders of ruled forms).
    Ruled tables carry their column borders as paths."""
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, bottom, right, top)]
    rules: list[Rule] = []
    for kind, obj in page_objects(page):
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH or not pdfium_c.FPDFPageObj_GetBounds(obj, *refs):
            continue
        x0, x1, t, b = box(left.value, bottom.value, right.value, top.value)
        if b - t < 4:
            if across is not None and x1 - x0 > 10:
                across.append(((t + b) / 2, x0, x1))
            continue
        if x1 - x0 < 2:
            rules.append(((x0 + x1) / 2, t, b))
        else:
            rules.append((x0, t, b))
            rules.append((x1, t, b))
    return rules


@dataclass
class PageGeometry:
    """What table rebuilding needs of one page. A page judged prose carries only its text
    lines (as one word each), enough to pass a table title at its foot to the next page."""

    words: list[Word]
    width: float
    rules: list[Rule]
    tabular: bool = True
    across: list[HRule] = field(default_factory=list)  # horizontal rules


def text_lines(text: str) -> list[Word]:
    lines = [ln.strip() for ln in text.split("\n")]
    return [Word(ln, 0.0, 1.0, 10.0 * k, 10.0 * k + 8) for k, ln in enumerate(lines) if ln]
