"""The words discovery goes by (words.csv): report kinds, exclusions, pager texts, attachment
extensions. Data, so a portal's quirks are a row, not a code change."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORDS_CSV = Path(__file__).with_name("words.csv")


@dataclass(frozen=True)
class Words:
    kinds: tuple[tuple[str, str], ...]  # (word, kind), longest word first
    exclude: tuple[str, ...]
    listing: tuple[str, ...]
    org_suffixes: tuple[str, ...]  # longest first
    title_seps: tuple[str, ...]
    next_page: frozenset[str]
    last_page: frozenset[str]
    page_stems: frozenset[str]
    page_params: frozenset[str]
    attachment_exts: dict[str, str]  # extension → format it holds
    unsupported_exts: frozenset[str]
    attachment_words: tuple[str, ...]
    file_params: frozenset[str]
    report_markers: tuple[str, ...]
    redirect_titles: tuple[str, ...]
    bot_markers: tuple[str, ...]
    mentions: tuple[str, ...]  # money words that name no report by themselves


def _rows(path: Path) -> dict[str, list[tuple[str, str]]]:
    by_role: dict[str, list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            word = row["word"]
            if word.strip():
                by_role.setdefault(row["role"].strip(), []).append((word, row["value"].strip()))
    return by_role


@cache
def words() -> Words:
    rows = _rows(WORDS_CSV)

    def plain(role: str) -> list[str]:
        return [w for w, _ in rows.get(role, [])]

    def longest_first(items: list[str]) -> tuple[str, ...]:
        return tuple(sorted(items, key=len, reverse=True))

    def lower(role: str) -> frozenset[str]:
        return frozenset(w.strip().lower() for w in plain(role))

    return Words(
        kinds=tuple(sorted(rows.get("kind", []), key=lambda r: len(r[0]), reverse=True)),
        exclude=tuple(plain("exclude")),
        listing=tuple(plain("listing")),
        org_suffixes=longest_first(plain("org_suffix")),
        title_seps=longest_first(plain("title_sep")),
        next_page=lower("next_page"),
        last_page=lower("last_page"),
        page_stems=lower("page_stem"),
        page_params=lower("page_param"),
        attachment_exts={w.lower(): v or w.lower() for w, v in rows.get("attachment_ext", [])},
        unsupported_exts=lower("unsupported_ext"),
        attachment_words=tuple(plain("attachment_word")),
        file_params=lower("file_param"),
        report_markers=tuple(plain("report_marker")),
        redirect_titles=tuple(plain("redirect_title")),
        bot_markers=tuple(plain("bot_marker")),
        mentions=tuple(plain("mention")),
    )
