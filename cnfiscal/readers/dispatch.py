"""Format detection by content (magic bytes) and dispatch to the reader for that format."""

from __future__ import annotations

import re
import traceback

from cnfiscal.model import ParseIssue
from cnfiscal.readers import ParsedDocument
from cnfiscal.readers.limits import MAX_INPUT_BYTES
from cnfiscal.readers.text import decode_text

_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta|body|title|"
    rb"div|table|p|span|script|link|style|h[1-6])[\s>/]",
    re.I | re.S,
)


def sniff_format(data: bytes) -> str:
    """pdf, docx, xlsx, zip, ole (xls/doc), html, txt — from the bytes only."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        from cnfiscal.readers.office import sniff_zip

        return sniff_zip(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    head = data[:4096]
    if _HTML_START.match(head) or re.search(rb"<html[\s>]|<body[\s>]|<table[\s>]", head, re.I):
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "txt"


def _read(kind: str, data: bytes) -> ParsedDocument:
    if kind == "pdf":
        from cnfiscal.readers.pdf import read_pdf

        return read_pdf(data)
    if kind == "html":
        from cnfiscal.readers.html import read_html

        return read_html(data)
    if kind in ("docx", "xlsx", "ole"):
        from cnfiscal.readers.office import read_office

        return read_office(kind, data)
    if kind == "txt":
        text, issues = decode_text(data)
        return ParsedDocument(format="txt", text=text, issues=issues)
    return ParsedDocument(
        format="unknown",
        issues=[ParseIssue("error", "unsupported_format", f"no reader for {kind} content")],
    )


def read_any(data: bytes, name: str = "") -> ParsedDocument:
    label = name or "input"
    if not data or not data.strip():
        return ParsedDocument(
            format="unknown",
            issues=[ParseIssue("error", "empty_document", f"{label} is empty")],
        )
    if len(data) > MAX_INPUT_BYTES:
        return ParsedDocument(
            format="unknown",
            issues=[
                ParseIssue(
                    "error",
                    "too_large",
                    f"{label} is {len(data) // (1024 * 1024)} MB, over the "
                    f"{MAX_INPUT_BYTES // (1024 * 1024)} MB limit per document",
                )
            ],
        )
    kind = sniff_format(data)
    try:
        doc = _read(kind, data)
    except MemoryError:
        return ParsedDocument(
            format=kind,
            issues=[ParseIssue("error", "out_of_memory", f"{label}: ran out of memory")],
        )
    except Exception as exc:  # a reader bug becomes an issue, never a crash
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return ParsedDocument(
            format=kind, issues=[ParseIssue("error", "read_failed", f"{label}: {last}")]
        )
    from cnfiscal.readers.contents import name_tables_from_contents

    name_tables_from_contents(doc)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    fmt_exts = {"pdf": {"pdf"}, "html": {"html", "htm", "shtml"}, "docx": {"docx"}}
    if ext and doc.format in fmt_exts and ext in set().union(*fmt_exts.values()):
        if ext not in fmt_exts[doc.format]:
            doc.issues.append(
                ParseIssue(
                    "warning",
                    "misleading_extension",
                    f"{label} is named .{ext} but its content is {doc.format}",
                )
            )
    return doc
