"""What the words just before a number say about it: comparison, change direction, share, label.

A report writes "公务接待费比年初预算减少5.67万元", "占总支出的76.49%", "降幅为5%". The text
between the previous figure and this one (a segment) is read here; no account knowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PIECE_SPLIT = re.compile(r"[,，;；:：。]")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# change verbs at the end of a segment; the template leftover "增加/减少" is kept as such
_TEMPLATE = re.compile(r"(?:增加|增长)\s*/\s*(?:减少|下降)\s*(?:了)?\s*$")
_UP = re.compile(r"(?:增加|增长|上升|提高|增|升|增幅|涨幅)\s*(?:了)?\s*(?:为|到|达)?\s*$")
_DOWN = re.compile(
    r"(?:减少|下降|降低|节约|节省|压减|减|降|降幅|减幅|下降幅度)\s*(?:了)?\s*(?:为|到|达)?\s*$"
)
_SHARE = re.compile(r"占[^,，;；。]*$")
_SAME = re.compile(
    r"(?:与|同|较|和|比)\s*(?:((?:19|20)\d\d)\s*年度?|去年|上年|上一年|上年度)(?:同期)?\s*"
    r"(?:预算|决算)?(?:数)?(?:相比)?(?:基本)?持平|基本持平"
)

_CMP_PREV = re.compile(
    r"(?:比|较|与|同)\s*(?:上年|上一年度|上一年|去年|上年度)(?:同期)?\s*(年初)?\s*(预算|决算)?(?:数)?"
    r"(?:相比|比较)?"
)
_CMP_YEAR = re.compile(
    r"(?:比|较|与)\s*((?:19|20)\d\d)\s*年度?\s*(年初)?\s*(预算|决算)?(?:数)?(?:相比|比较)?"
)
_CMP_SAME_YEAR = re.compile(r"(?:比|较|与)\s*(年初)?\s*(预算|决算)(?:数)?(?:相比|比较)?")
_CMP_YOY = re.compile(r"同比")
# every comparison above starts with one of these; a piece without them compares nothing
_CMP_CHAR = re.compile(r"[比较与同]")
# last characters of the change verbs above: a piece whose end (after blanks and 了/为/到/达)
# is none of them has no change verb, and the three end-anchored searches are skipped
_VERB_LAST = frozenset("加长升高增幅少降低约省减度")


@dataclass
class Compare:
    year: int | None  # None: the fact's own year (比预算)
    basis: str | None  # None: the document's basis
    relative: bool = False  # 比上年: year is fact year − 1
    span: tuple[int, int] = (0, 0)
    explicit_year: bool = False


@dataclass
class Segment:
    label: str  # the words naming the line (before 比/较, verbs removed)
    change: int  # +1 / −1 / 0 (none)
    template: bool  # "增加/减少" left unresolved
    share: bool
    compare: Compare | None
    compare_label: str  # words after the comparison ("比2018年基本支出" → 基本支出)
    piece: str  # the last clause of the segment, untouched


def find_compare(text: str) -> Compare | None:
    if not _CMP_CHAR.search(text):
        return None
    m = _CMP_YEAR.search(text)
    if m:
        basis = {"预算": "budget", "决算": "actual"}.get(m.group(3) or "")
        if m.group(2):
            basis = "budget"
        return Compare(int(m.group(1)), basis, span=m.span(), explicit_year=True)
    m = _CMP_PREV.search(text)
    if m:
        basis = {"预算": "budget", "决算": "actual"}.get(m.group(2) or "")
        if m.group(1):
            basis = "budget"
        return Compare(None, basis, relative=True, span=m.span())
    m = _CMP_SAME_YEAR.search(text)
    if m:
        basis = "budget" if m.group(1) else {"预算": "budget", "决算": "actual"}[m.group(2)]
        return Compare(None, basis, span=m.span())
    m = _CMP_YOY.search(text)
    if m:
        return Compare(None, None, relative=True, span=m.span())
    return None


def last_piece(segment: str) -> str:
    parts = _PIECE_SPLIT.split(segment)
    return parts[-1] if parts else segment


def _may_change(piece: str) -> bool:
    """False when no change verb can end the piece (see _VERB_LAST)."""
    s = piece.rstrip()
    if s[-1:] in ("为", "到", "达"):
        s = s[:-1].rstrip()
    if s[-1:] == "了":
        s = s[:-1].rstrip()
    return s[-1:] in _VERB_LAST


def read_segment(segment: str) -> Segment:
    piece = last_piece(segment)
    if " " in piece:  # justified PDF lines space out every character: "与 上 年 相 比 减 少"
        piece = _CJK_GAP.sub("", piece)
    maybe = _may_change(piece)
    template = maybe and bool(_TEMPLATE.search(piece))
    change = 0
    rest = piece
    if not maybe:
        pass
    elif template:
        rest = _TEMPLATE.sub("", piece)
    else:
        m = _DOWN.search(piece) or None
        if m:
            change, rest = -1, piece[: m.start()]
        else:
            m = _UP.search(piece)
            if m:
                change, rest = 1, piece[: m.start()]
    share = "占" in piece and bool(_SHARE.search(piece))
    compare = find_compare(rest)
    compare_label = ""
    label = rest
    if compare is not None:
        label = rest[: compare.span[0]]
        compare_label = rest[compare.span[1] :]
    return Segment(label, change, template, share, compare, compare_label, piece)


def same_as_before(sentence: str) -> list[tuple[str, int, int, int | None]]:
    """("与去年持平") mentions: (label before it, start, end) — a delta of 0."""
    out = []
    if "持平" not in sentence:  # every _SAME wording ends with it
        return out
    for m in _SAME.finditer(sentence):
        before = last_piece(sentence[: m.start()])
        year = int(m.group(1)) if m.group(1) else None  # "与2024年持平" names the year
        out.append((before, m.start(), m.end(), year))
    return out
