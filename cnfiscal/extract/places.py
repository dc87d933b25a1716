"""Official place names (cnfiscal/vocab/regions.csv) found in text, fast.

Reports are scanned for ~3,200 division names; testing every name against every document is
what made metadata slow. Names are indexed once by their first two characters (one pass over the
text, one dict probe per position, longest name wins).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache
from importlib import resources


@cache
def regions() -> tuple[dict[str, tuple[str, str, str]], dict[str, str]]:
    """name → (code, level, parent_code); stem (name without 市/县/区/省) → name."""
    names: dict[str, tuple[str, str, str]] = {}
    stems: dict[str, str] = {}
    path = resources.files("cnfiscal.vocab").joinpath("regions.csv")
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"]
            names.setdefault(name, (row["code"], row["level"], row.get("parent_code", "")))
            if len(name) >= 3 and name[-1] in "市县区省":
                stems.setdefault(name[:-1], name)
    return names, stems


class _Index:
    """Longest-match lookup of a word set, keyed by each word's first two characters.

    One dict probe per text position; a regex alternation of 3,000 names tries them one by one.
    When every word ends with one of a few characters (place names end with 市/县/区/…), words
    are found from those ends instead: one regex scan for the end characters, then a probe of
    the few word lengths that end there.
    """

    def __init__(self, words) -> None:
        self.words = {w for w in words if len(w) >= 2}
        lengths: dict[str, set[int]] = {}
        for w in self.words:
            lengths.setdefault(w[:2], set()).add(len(w))
        self.lengths = {k: sorted(v, reverse=True) for k, v in lengths.items()}
        # positions worth a probe are found by one character class, scanned in C
        self.first = re.compile("[" + "".join(sorted({re.escape(w[0]) for w in self.words})) + "]")
        ends = {w[-1] for w in self.words}
        self.by_end = None
        if self.words and len(ends) <= 16:
            by_end: dict[str, set[int]] = {}
            for w in self.words:
                by_end.setdefault(w[-2:], set()).add(len(w))
            self.by_end = {k: sorted(v) for k, v in by_end.items()}
            self.last = re.compile("[" + "".join(sorted(re.escape(c) for c in ends)) + "]")

    def match_at(self, text: str, pos: int) -> str:
        for n in self.lengths.get(text[pos : pos + 2], ()):
            word = text[pos : pos + n]
            if len(word) == n and word in self.words:
                return word
        return ""

    def _occurrences(self, text: str) -> dict[int, int]:
        """start → length of the longest word starting there (all words, overlapping)."""
        found: dict[int, int] = {}
        words, by_end = self.words, self.by_end
        for m in self.last.finditer(text, 1):
            end = m.end()
            for n in by_end.get(text[end - 2 : end], ()):
                start = end - n
                if start >= 0 and text[start:end] in words and found.get(start, 0) < n:
                    found[start] = n
        return found

    def finditer(self, text: str):
        """(start, word) of each match, left to right, not overlapping."""
        if self.by_end is not None:
            found = self._occurrences(text)
            pos = 0
            for start in sorted(found):
                if start >= pos:
                    n = found[start]
                    yield start, text[start : start + n]
                    pos = start + n
            return
        pos = 0
        search = self.first.search
        while True:
            m = search(text, pos)
            if m is None:
                return
            pos = m.start()
            word = self.match_at(text, pos)
            if word:
                yield pos, word
                pos += len(word)
            else:
                pos += 1


@cache
def name_index() -> _Index:
    names, _ = regions()
    return _Index(names)


@cache
def stem_index(level_char: str) -> _Index:
    """Stems of the names ending with `level_char` (all stems when it is empty)."""
    _, stems = regions()
    return _Index(s for s, n in stems.items() if n.endswith(level_char))


def region_prefix(agency: str) -> str:
    """The innermost official place name at the start of an agency name (中共 skipped)."""
    pos = len(party_prefix(agency))
    best = ""
    index = name_index()
    while pos < len(agency):
        hit = index.match_at(agency, pos)
        if not hit:
            break
        best = hit
        pos += len(hit)
    return best


def party_prefix(name: str) -> str:
    """ "中共" / "中国共产党" when a party body's name starts with it."""
    m = re.match(r"中共|中国共产党", name)
    return m.group() if m else ""


def first_place(run: str) -> tuple[int, str] | None:
    """The first place name in `run` not glued to a larger place word (…市区 / 省市…)."""
    index = name_index()
    if index.by_end is not None and not index.last.search(run):
        return None  # no character a place name ends with
    for start, word in index.finditer(run):
        if start == 0 or run[start - 1] not in "省市县区":
            return start, word
    return None


def stem_counts(text: str, level_char: str) -> Counter:
    """How often each place of the given level is named (by stem) in `text`."""
    _, stems = regions()
    counts: Counter = Counter()
    for _, stem in stem_index(level_char).finditer(text):
        counts[stems[stem]] += 1
    return counts
