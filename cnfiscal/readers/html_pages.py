"""Tables from PDF pages converted to HTML (pdf2htmlEX and the like): every text run and rule
is an absolutely positioned <div> inside a page <div>, so the PDF table rebuilding applies
once the runs become word boxes. Widths are not written; they are estimated from the font
size (a CJK character one em, Latin and digits half), which is close enough for column gaps.
"""

from __future__ import annotations

import re

from cnfiscal.model import ParseIssue
from cnfiscal.readers import Table
from cnfiscal.readers.pdf_words import PageGeometry, Word

_PT = re.compile(r"(top|left|width|height|font-size|line-height)\s*:\s*(-?[\d.]+)pt")


def _style(node) -> dict[str, float]:
    return {k: float(v) for k, v in _PT.findall(node.attributes.get("style") or "")}


def _em_width(text: str) -> float:
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _page(page) -> PageGeometry:
    words: list[Word] = []
    rules = []
    for node in page.css("div"):
        st = _style(node)
        if "top" not in st or "left" not in st:
            continue
        x, top = st["left"], st["top"]
        text = "".join((node.text(deep=True) or "").split())
        if text:
            size = st.get("font-size", 9.0)
            height = st.get("line-height", size)
            words.append(Word(text, x, x + _em_width(text) * size, top, top + height))
        elif st.get("height", 0) > 4:
            w = st.get("width", 0.0)
            rules.append(
                (x + w / 2, top, top + st["height"]) if w < 2 else (x, top, top + st["height"])
            )
            if w >= 2:
                rules.append((x + w, top, top + st["height"]))
    width = _style(page).get("width", 595.0)
    return PageGeometry(words, width, rules)


def positioned_tables(root, issues: list[ParseIssue]) -> list[Table]:
    """Tables of a converted-PDF page set, or [] when the HTML is not one."""
    pages = [p for p in root.css("div") if (p.attributes.get("class") or "") == "page"]
    if len(pages) < 1 or not any(
        "position:absolute" in (d.attributes.get("style") or "") for d in pages[0].css("div")[:20]
    ):
        return []
    from cnfiscal.readers.pdf_tables import tables_from_pages

    return tables_from_pages([_page(p) for p in pages], issues)
