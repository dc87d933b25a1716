"""Report structure: numbered headings and list items, and sentences that know their heading path.

Reports nest 第一部分 > 一、 > (一)/（一） > 1./1、 > (1), sometimes with markdown "#" titles or
"- " bullets. Each line that starts with such a marker opens a `Block`; a sentence's `path` is
the chain of blocks it sits under (outermost first), so a figure can inherit statement and
fund scope from its headings.

List numbering run into an amount ("1.464万元" in a list 1.…5.) is resolved here from the
sibling numbers and flagged `run_in` so callers can report it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CN = "一二三四五六七八九十"
# (pattern, level). Order matters: the first pattern that matches a line wins.
_MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"第[{_CN}\d]+(?:部分|章|节)\s*[:、.]?\s*"), 0),
    (re.compile(rf"[{_CN}]{{1,3}}\s*[、.]\s*"), 1),
    (re.compile(rf"[(（]\s*[{_CN}]{{1,3}}\s*[)）]\s*[、.]?\s*"), 2),
    (re.compile(r"\d{1,2}\s*[、](?!\d)\s*"), 3),
    (re.compile(r"\d{1,2}\s*\.(?!\d)\s*"), 3),
    (re.compile(r"[(（]\s*\d{1,2}\s*[)）]\s*[、.]?\s*"), 4),
    (re.compile(r"[①②③④⑤⑥⑦⑧⑨⑩]\s*"), 5),
    (re.compile(r"[-*•·]\s+"), 6),
)
_MD_HEADING = re.compile(r"(#{1,6})\s+")
# All of the above as one alternation, tried in the same order (first alternative wins): one
# regex call per line instead of nine. Group i + 1 is _MARKERS[i]; group 1 a markdown heading.
_ANY_MARKER = re.compile("|".join(["(#{1,6}\\s+)"] + [f"({p.pattern})" for p, _ in _MARKERS]))
_GROUP_LEVEL = (None, -1) + tuple(level for _, level in _MARKERS)
# characters a marker can start with (besides any decimal digit): other lines skip the regex
_MARKER_START = frozenset("#第" + _CN + "(（①②③④⑤⑥⑦⑧⑨⑩-*•·")
# "1.464万元" – a list number followed directly by digits; resolved from siblings.
_RUN_IN = re.compile(r"(\d{1,2})\.(?=\d)")
_LIST_NUMBER = re.compile(r"(\d{1,2})\s*[.、](?!\d)")
_ORDINAL = re.compile(r"\d+")
_SENT_END = re.compile(r"[。;；!！?？]+|\n")
# one trimmed sentence of a line: text up to and with its run of sentence ends, or the line's
# trimmed rest (the same spans as cutting at _SENT_END and trimming blanks)
_CHUNK = re.compile(
    r"[^\s。;；!！?？][^。;；!！?？]*[。;；!！?？]+|[。;；!！?？]+"
    r"|[^\s。;；!！?？](?:[^。;；!！?？]*[^\s。;；!！?？])?"
)
_BODY_SENTENCE = re.compile(r"[。；;]\s*\S")
_HAS_DIGIT = re.compile(r"\d")
_TITLE_END = re.compile(r"[。;；!！?？:：]+|\n")
# A line this short without a full stop is a title, not a paragraph.
_TITLE_MAX = 40


@dataclass(slots=True)  # one per heading line, one per sentence: slots keep them small
class Block:
    level: int
    marker: str
    title: str  # the line after its marker, up to the first sentence break
    start: int  # char offset of the line in the text
    end: int  # end of the line
    ordinal: int | None = None  # 1 for "1." / "(一)" / "一、", when readable
    pure_title: bool = False  # the line is only a heading (no sentence, no figure)
    run_in: bool = False  # list number was written straight into an amount


@dataclass(slots=True)
class Sentence:
    text: str
    start: int
    end: int
    path: list[Block] = field(default_factory=list)
    block: Block | None = None  # the block whose line this sentence starts, if any
    in_table_row: bool = False  # a tab-separated line (kept whole, never split)
    line: int = 0  # index of the text line (paragraph) the sentence sits in

    def heading_text(self) -> str:
        """All heading titles above this sentence, outermost first, joined by " > "."""
        return " > ".join(b.title for b in self.path)


_CN_CHAR = re.compile(f"[{_CN}]")
_CN_VALUE = {ch: i + 1 for i, ch in enumerate(_CN[:9])}


def _small_numeral(cn: str) -> int | None:
    """一 … 九十九 in the usual forms (十二, 二十, 二十三); None for anything else."""
    v = _CN_VALUE
    if len(cn) == 1:
        return 10 if cn == "十" else v.get(cn)
    if len(cn) == 2:
        if cn[0] == "十":
            return 10 + v[cn[1]] if cn[1] in v else None
        return v[cn[0]] * 10 if cn[1] == "十" and cn[0] in v else None
    if len(cn) == 3 and cn[1] == "十" and cn[0] in v and cn[2] in v:
        return v[cn[0]] * 10 + v[cn[2]]
    return None


def _ordinal(marker: str) -> int | None:
    m = _ORDINAL.search(marker)
    if m:
        return int(m.group())
    cn = "".join(_CN_CHAR.findall(marker))
    if not cn:
        return None
    small = _small_numeral(cn)
    if small is not None:
        return small
    from cnfiscal.extract.numbers import parse_number

    value = parse_number(cn)
    return int(value) if value is not None else None


def match_marker(line: str) -> tuple[str, int] | None:
    if not line or (line[0] not in _MARKER_START and not line[0].isdecimal()):
        return None
    m = _ANY_MARKER.match(line)
    if m is None:
        return None
    marker = m.group()
    level = _GROUP_LEVEL[m.lastindex]
    if level == -1:  # markdown: one "#" is level 0
        level = marker.count("#") - 1
    return marker, level


def _run_in_lines(lines: list[tuple[int, str]]) -> set[int]:
    """Indices of lines whose "N.<digits>" start is list numbering, judged from neighbours.

    Line i counts when a neighbouring numbered line (either style) carries N-1 or N+1.
    """
    numbers: dict[int, int] = {}
    run_in: list[int] = []
    for i, (_, line) in enumerate(lines):
        if not line[:1].isdecimal():  # both patterns start with a digit
            continue
        m = _RUN_IN.match(line)
        if m:
            run_in.append(i)
        else:
            m = _LIST_NUMBER.match(line)
        if m:
            numbers[i] = int(m.group(1))
    out = set()
    for i in run_in:
        n = numbers[i]
        before = [numbers[j] for j in range(i - 1, max(-1, i - 4), -1) if j in numbers]
        after = [numbers[j] for j in range(i + 1, min(len(lines), i + 4)) if j in numbers]
        prev_n = before[0] if before else None
        next_n = after[0] if after else None
        if prev_n == n - 1 or next_n == n + 1:
            out.add(i)
    return out


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` with char offsets and heading paths.

    A sentence ends at 。；;！？ or a line break; blanks around it are trimmed from the span, so
    `text[s.start:s.end] == s.text` always holds.
    """
    lines = _lines(text)
    run_in = _run_in_lines(lines)
    stack: list[Block] = []
    out: list[Sentence] = []
    append = out.append
    path: list[Block] = []
    for idx, (pos, line) in enumerate(lines):
        stripped = line.lstrip()
        if not stripped:  # (lstrip leaves no blank at its start, so no blank-only line)
            continue
        lead = len(line) - len(stripped)
        block = None
        body_off = lead
        if idx in run_in:
            m = _RUN_IN.match(stripped)
            marker, level = m.group(), 3
        else:
            found = match_marker(stripped)
            marker, level = found if found else ("", -1)
        if marker:
            body_off = lead + len(marker)
            body = line[body_off:]
            # "(一)收入预算:包括一般公共预算…" — the heading is the words before the colon
            title = _TITLE_END.split(body, maxsplit=1)[0].strip()
            pure = len(body.strip()) <= _TITLE_MAX and not _BODY_SENTENCE.search(body)
            pure = pure and not _HAS_DIGIT.search(body)
            block = Block(
                level=level,
                marker=marker.strip(),
                title=title,
                start=pos + lead,
                end=pos + len(line),
                ordinal=_ordinal(marker),
                pure_title=pure,
                run_in=idx in run_in,
            )
            while stack and stack[-1].level >= level:
                stack.pop()
            path = list(stack)
        elif len(path) != len(stack):
            path = list(stack)
        # sentences of the same heading share one path list (it is never mutated)
        first = block
        if "\t" in line:
            for s, e in _trim(line, body_off, len(line)):
                append(Sentence(line[s:e], pos + s, pos + e, path, first, True, idx))
        else:
            for m in _CHUNK.finditer(line, body_off):
                s, e = m.span()
                append(Sentence(m.group(), pos + s, pos + e, path, first, False, idx))
                first = None
        if block is not None:
            stack.append(block)
    return out


def _trim(line: str, s: int, e: int):
    while s < e and line[s].isspace():
        s += 1
    while e > s and line[e - 1].isspace():
        e -= 1
    if e > s:
        yield (s, e)
