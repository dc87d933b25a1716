"""Decoding of text bytes: UTF-8 (with or without BOM), GB18030/GBK, or a detected guess."""

from __future__ import annotations

import re

from cnfiscal.model import ParseIssue

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GBK and GB2312 pages are decoded as GB18030, their superset, so rare characters survive.
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030", "utf8": "utf-8"}


def decode_text(data: bytes) -> tuple[str, list[ParseIssue]]:
    issues: list[ParseIssue] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), issues
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), issues
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is not None:
        issues.append(ParseIssue("warning", "encoding_guessed", f"decoded as {best.encoding}"))
        return data.decode(best.encoding, errors="replace"), issues
    issues.append(ParseIssue("error", "undecodable", "bytes are not text in any known encoding"))
    return data.decode("utf-8", errors="replace"), issues


def decode_html(data: bytes) -> tuple[str, list[ParseIssue]]:
    """BOM first, then strict UTF-8, then the declared charset, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii", "ignore").lower()
        name = _ALIASES.get(name, name)
        try:
            return data.decode(name), []
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("gb18030"), []
    except UnicodeDecodeError:
        pass
    return decode_text(data)
