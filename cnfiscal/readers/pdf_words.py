"""Words with boxes from pypdfium2's text runs, the raw material for table rebuilding.

pdfium groups characters into runs ("rects") per line; a run can stop inside a word (font
change) or hold a whole cell. Runs on one line closer than about half a character height are
joined into one word, so a cell's text stays together while neighbouring cells stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float  # distance from the page top (y grows downwards)
    bottom: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


def page_words(page, textpage) -> list[Word]:
    """Runs of the page joined into words, in reading order (top to bottom, left to right)."""
    height = page.get_height()
    runs: list[Word] = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        text = "".join(text.split())
        if not text:
            continue
        runs.append(Word(text, left, right, height - top, height - bottom))
    words: list[Word] = []
    for line in group_lines(runs):
        prev: Word | None = None
        for run in line:
            if prev is not None and -0.5 * run.height <= run.x0 - prev.x1 < 0.6 * max(
                prev.height, run.height
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


def vertical_rules(page) -> list[tuple[float, float, float]]:
    """x, top, bottom of the page's vertical ruling lines and of the sides of drawn boxes.

    Ruled tables carry their column borders as paths; reading them costs a few ms a page and
    makes columns exact where text alignment (right-aligned numbers under centred headers)
    would mislead.
    """
    import pypdfium2.raw as pdfium_c

    height = page.get_height()
    rules = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if top - bottom < 4:
            continue
        if right - left < 2:
            rules.append(((left + right) / 2, height - top, height - bottom))
        else:
            rules.append((left, height - top, height - bottom))
            rules.append((right, height - top, height - bottom))
    return rules
