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
# "1.464万元" – a list number followed directly by digits; resolved from siblings.
_RUN_IN = re.compile(r"(\d{1,2})\.(?=\d)")
_ORDINAL = re.compile(r"\d+")
_SENT_END = re.compile(r"[。;；!！?？]+|\n")
_TITLE_END = re.compile(r"[。;；!！?？:：]+|\n")
# A line this short without a full stop is a title, not a paragraph.
_TITLE_MAX = 40


@dataclass
class Block:
    level: int
    marker: str
    title: str  # the line after its marker, up to the first sentence break
    start: int  # char offset of the line in the text
    end: int  # end of the line
    ordinal: int | None = None  # 1 for "1." / "(一)" / "一、", when readable
    pure_title: bool = False  # the line is only a heading (no sentence, no figure)
    run_in: bool = False  # list number was written straight into an amount


@dataclass
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


def _ordinal(marker: str) -> int | None:
    m = _ORDINAL.search(marker)
    if m:
        return int(m.group())
    cn = "".join(ch for ch in marker if ch in _CN)
    if not cn:
        return None
    from cnfiscal.extract.numbers import parse_number

    value = parse_number(cn)
    return int(value) if value is not None else None


def match_marker(line: str) -> tuple[str, int] | None:
    md = _MD_HEADING.match(line)
    if md:
        return md.group(), len(md.group(1)) - 1
    for pattern, level in _MARKERS:
        m = pattern.match(line)
        if m:
            return m.group(), level
    return None


def _run_in_lines(lines: list[tuple[int, str]]) -> set[int]:
    """Indices of lines whose "N.<digits>" start is list numbering, judged from neighbours.

    Line i counts when a neighbouring numbered line (either style) carries N-1 or N+1.
    """
    numbers: dict[int, int] = {}
    for i, (_, line) in enumerate(lines):
        m = _RUN_IN.match(line) or re.match(r"(\d{1,2})\s*[.、](?!\d)", line)
        if m:
            numbers[i] = int(m.group(1))
    out = set()
    for i, (_, line) in enumerate(lines):
        if not _RUN_IN.match(line):
            continue
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
    for idx, (pos, line) in enumerate(lines):
        stripped = line.lstrip()
        if not stripped.strip():
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
            pure = len(body.strip()) <= _TITLE_MAX and not re.search(r"[。；;]\s*\S", body)
            pure = pure and not re.search(r"\d", body)
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
        is_row = "\t" in line
        chunks = list(_trim(line, body_off, len(line))) if is_row else _iter_chunks(line, body_off)
        first = True
        for m in chunks:
            s, e = m
            out.append(
                Sentence(
                    text=line[s:e],
                    start=pos + s,
                    end=pos + e,
                    path=path,
                    block=block if first else None,
                    in_table_row=is_row,
                    line=idx,
                )
            )
            first = False
        if block is not None:
            stack.append(block)
    return out


def _iter_chunks(line: str, offset: int):
    """(start, end) spans of the sentences in `line[offset:]`, trimmed of blanks."""
    pos = offset
    for m in _SENT_END.finditer(line, offset):
        yield from _trim(line, pos, m.end())
        pos = m.end()
    yield from _trim(line, pos, len(line))


def _trim(line: str, s: int, e: int):
    while s < e and line[s].isspace():
        s += 1
    while e > s and line[e - 1].isspace():
        e -= 1
    if e > s:
        yield (s, e)
