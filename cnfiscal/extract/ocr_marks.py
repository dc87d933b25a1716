"""Facts read from OCR'd pages carry the engine's confidence in their figure.

A fact's page is its table's page, or for prose the page its characters sit on (pages are
joined by form feeds, which normalization keeps). Its confidence is that of the OCR word
holding its figure: the word on that page whose digits are the fact's digits (a figure
converted from 元 keeps its digits, only the point moves). When no word matches (a figure the
prose spelled out, a sum) the page's mean word confidence stands in.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from cnfiscal.model import Fact, format_decimal
from cnfiscal.readers import ParsedDocument

_NON_DIGIT = re.compile(r"\D")


def _digits(text: str) -> str:
    return _NON_DIGIT.sub("", text).strip("0")


def fact_page(f: Fact, feeds: list[int]) -> int | None:
    if f.source == "table" or f.start is None:
        return f.page
    return bisect_right(feeds, f.start) + 1


def mark_ocr_facts(facts: list[Fact], parsed: ParsedDocument, text: str) -> None:
    if not parsed.ocr_pages:
        return
    feeds = [i for i, ch in enumerate(text) if ch == "\f"]
    by_page: dict[int, dict[str, float]] = {}
    means: dict[int, float] = {}
    for page, words in parsed.ocr_pages.items():
        best: dict[str, float] = {}
        for word, conf in words:
            for token in re.findall(r"\d[\d,.]*", word):
                key = _digits(token)
                if key:
                    best[key] = max(best.get(key, 0.0), conf)
        by_page[page] = best
        means[page] = sum(c for _, c in words) / len(words) if words else 0.0
    for f in facts:
        page = fact_page(f, feeds)
        if page not in by_page:
            continue
        key = _digits(format_decimal(abs(f.value)))
        conf = by_page[page].get(key) if key else None
        f.ocr_confidence = round(conf if conf is not None else means[page], 3)
        if f.page is None:
            f.page = page  # where on the scan to look
