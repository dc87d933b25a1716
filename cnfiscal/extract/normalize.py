"""Text normalization: full-width digits and punctuation to ASCII, unified line breaks, and
PDF lines re-joined into paragraphs.

A PDF's text layer breaks lines where the page ran out of width ("…预算 40233.95 万" / "元,主要
是…"), which splits labels, units and "与2024年持平" across lines; prose is read paragraph by
paragraph, so those wraps are undone. A document counts as hard-wrapped when most of its long
lines end mid-sentence (typed text ends its paragraphs with 。); there, a long line that ends
mid-sentence is joined to the next unless that one opens a heading or list item, or either
line is a table row. In any document, a line that can only continue a sentence — it opens with
a sum of money (1,234.56万元，…), a comma or 各增加 / 均为 — is joined to the line before.
"""

from __future__ import annotations

import re
import unicodedata

from cnfiscal.extract.sections import match_marker

_PARA_END = frozenset("。;；!！?？:：")
_LONG = 40  # display width (CJK = 2) from which a line can be a wrapped one
_WRAPPED_SHARE = 0.5
# a line that cannot open a sentence: it starts with a sum of money, a comma or 各 / 均 and a
# verb (各增加, 均为). Not a share: lines of bare percentages are a text table's cells.
_CONTINUES = re.compile(
    r"^(?:-?\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|元)|[，,、]|[各均](?=-?\d)|[各均](?:为|是|增加|减少|增长|下降|降低|达))"
)
# a number not followed by a unit: a table cell ("96,722.18 87,574.01")
_CELL = re.compile(
    r"(?<![\d.,])-?\d[\d,]*(?:\.\d+)?(?![\d.,])(?!\s*(?:[万亿千百]|元|%|个|人|辆|台|项|年|月|日|家|次|名|户|平方))"
)


# The characters NFKC changes most often in Chinese reports (full-width punctuation and digits,
# ideographic and no-break spaces, …), each with its NFKC form. Replacing them first changes
# nothing NFKC would not (same compatibility decomposition); when no other such character is
# left the text is already NFKC and the costly full normalization is skipped.
_COMMON_NFKC = tuple(
    (ch, unicodedata.normalize("NFKC", ch))
    for ch in "，（）：；％．！？－／＝＋＜＞０１２３４５６７８９\u3000\u00a0…"
)


def _nfkc(text: str) -> str:
    for ch, repl in _COMMON_NFKC:
        if ch in text:
            text = text.replace(ch, repl)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def normalize_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _reflow(_nfkc(text))


_WIDE = re.compile("[\u2e81-\U0010ffff]")


def _long(line: str) -> bool:
    """Display width (CJK = 2) at least _LONG; only lines of _LONG/2 to _LONG chars need a count."""
    n = len(line)
    if n >= _LONG:
        return True
    if 2 * n < _LONG:
        return False
    return n + len(_WIDE.findall(line)) >= _LONG


def _tabular(line: str) -> bool:
    return len(_CELL.findall(line)) >= 2


def _wraps(line: str) -> bool:
    s = line.rstrip()
    return bool(s) and s[-1] not in _PARA_END and "\t" not in s and _long(s)


def _continued(prev: str, nxt: str) -> bool:
    """`nxt` can only be the rest of the sentence `prev` began (whatever the line widths)."""
    s = prev.rstrip()
    if len(s) < 4 or s[-1] in _PARA_END or "\t" in s:
        return False
    return bool(_CONTINUES.match(nxt))


def _reflow(text: str) -> str:
    lines = text.split("\n")
    long_lines = [ln for ln in lines if _long(ln.strip())]
    open_ended = sum(1 for ln in long_lines if ln.rstrip()[-1] not in _PARA_END)
    wrapped = bool(long_lines) and open_ended >= _WRAPPED_SHARE * len(long_lines)
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        nxt = line.strip()
        if (
            nxt
            and ((wrapped and _wraps(prev)) or _continued(prev, nxt))
            and match_marker(nxt) is None
            and not _tabular(prev)
            and not _tabular(line)
        ):
            out[-1] = prev.rstrip() + nxt
        else:
            out.append(line)
    return "\n".join(out)
