"""Format detection by content and dispatch to the reader for that format."""

from __future__ import annotations

from cnfiscal.model import ParseIssue
from cnfiscal.readers import ParsedDocument
from cnfiscal.readers.text import decode_text


def sniff_format(data: bytes) -> str:
    head = data[:2048].lstrip()
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    low = head.lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta")) or b"<html" in low:
        return "html"
    return "txt"


def read_any(data: bytes, name: str = "") -> ParsedDocument:
    if not data or not data.strip():
        return ParsedDocument(
            format="unknown",
            issues=[ParseIssue("error", "empty_document", f"{name or 'input'} is empty")],
        )
    kind = sniff_format(data)
    if kind == "txt":
        text, issues = decode_text(data)
        return ParsedDocument(format="txt", text=text, issues=issues)
    return ParsedDocument(
        format=kind,
        issues=[ParseIssue("error", "unsupported_format", f"no reader for {kind} yet")],
    )
