"""Turn a published file's bytes into text and tables, whatever its format.

`read_document` is the one entry point: it detects the format from the content (magic bytes),
never from the file name, and never raises — a file it cannot read comes back with a parse issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnfiscal.model import ParseIssue


@dataclass
class Table:
    """One table as a grid of cell strings, with where it came from."""

    rows: list[list[str]]
    page: int | None = None  # 1-based page of the first row (PDF); None for HTML/DOCX
    index: int = 0  # 0-based order of the table in the document
    title: str = ""  # caption or the text line(s) just above the table
    unit: str = ""  # unit stated for the table (单位：元 / 万元), if any
    pages: list[int] = field(default_factory=list)  # every page it spans (joined tables)
    header_rows: int = 0  # how many leading rows are column headers (0 = unknown)
    row_pages: list[int] = field(default_factory=list)  # page of each row (joined PDF tables)
    aliases: list[str] = field(default_factory=list)  # fuller names elsewhere (目录)


@dataclass
class ParsedDocument:
    format: str  # txt, html, pdf, docx, xlsx, xls, unknown
    text: str = ""  # the readable text, pages joined by form feeds for PDFs
    tables: list[Table] = field(default_factory=list)
    page_offsets: list[int] = field(default_factory=list)  # char offset where each page starts
    issues: list[ParseIssue] = field(default_factory=list)
    title: str = ""  # the page's own title (HTML <title>), when the format has one
    attachments: list[str] = field(default_factory=list)  # links to report files (HTML)
    # pages read by OCR: 1-based page → (word text, confidence 0..1) of each word read
    ocr_pages: dict[int, list[tuple[str, float]]] = field(default_factory=dict)
    ocr_engine: str = ""


def read_document(data: bytes, name: str = "") -> ParsedDocument:
    from cnfiscal.readers.dispatch import read_any

    return read_any(data, name)
