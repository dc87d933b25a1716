"""Decoding of plain-text bytes: UTF-8 (with or without BOM), GB18030/GBK, or best guess."""

from __future__ import annotations

from cnfiscal.model import ParseIssue


def decode_text(data: bytes) -> tuple[str, list[ParseIssue]]:
    issues: list[ParseIssue] = []
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), issues
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        issues.append(ParseIssue("warning", "encoding_guessed", f"decoded as {best.encoding}"))
        return str(best), issues
    issues.append(ParseIssue("error", "undecodable", "bytes are not text in any known encoding"))
    return data.decode("utf-8", errors="replace"), issues
