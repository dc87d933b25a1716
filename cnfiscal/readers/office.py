"""Word and Excel attachments: DOCX via python-docx, XLSX/XLS via python-calamine.

Zip packages are checked before opening: the declared uncompressed size and the per-member
compression ratio are capped, so a zip bomb is refused instead of inflated.
"""

from __future__ import annotations

import io
import zipfile

from cnfiscal.model import ParseIssue
from cnfiscal.readers import ParsedDocument, Table
from cnfiscal.readers.limits import MAX_SHEET_CELLS, MAX_UNZIPPED_BYTES, MAX_ZIP_RATIO


def sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    return "zip"


def _zip_bomb(data: bytes) -> str | None:
    """A reason to refuse the package, or None when its sizes are sane."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > 1_000_000 and ratio > MAX_ZIP_RATIO:
                    return f"{info.filename} inflates {ratio:.0f}x"
            if total > MAX_UNZIPPED_BYTES:
                return f"uncompressed size {total // (1024 * 1024)} MB over the limit"
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"broken zip: {exc}"
    return None


def _read_docx(data: bytes) -> ParsedDocument:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    doc = ParsedDocument(format="docx")
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    recent: list[str] = []
    # body order: paragraphs and tables interleaved, so a table's title is the text above it
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(block, document).text.strip()
            if text:
                lines.append(text)
                recent = (recent + [text])[-3:]
        elif tag == "tbl":
            table = DocxTable(block, document)
            rows = []
            for row in table.rows:
                cells = ["".join(c.text.split()) for c in row.cells]
                if any(cells):
                    rows.append(cells)
                    lines.append("\t".join(cells))
            if rows:
                title = " ".join(recent)
                doc.tables.append(
                    Table(rows=rows, index=len(doc.tables), title=title, unit=_unit(title, rows))
                )
            recent = []
    doc.text = "\n".join(lines)
    return doc


def _unit(title: str, rows: list[list[str]]) -> str:
    import re

    head = title + " " + " ".join(" ".join(r) for r in rows[:3])
    m = re.search(r"单位[:：]?\s*(万元|亿元|元)", head)
    return m.group(1) if m else ""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # calamine gives numbers as float; repr keeps the shortest exact decimal form
        return repr(value) if value != int(value) else str(int(value))
    return "".join(str(value).split())


def _read_sheets(kind: str, data: bytes) -> ParsedDocument:
    from python_calamine import CalamineWorkbook

    doc = ParsedDocument(format=kind)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    lines: list[str] = []
    cells = 0
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        rows = []
        for raw in sheet.to_python(skip_empty_area=True):
            cells += len(raw)
            if cells > MAX_SHEET_CELLS:
                doc.issues.append(ParseIssue("warning", "sheet_truncated", f"cut in sheet {name}"))
                break
            row = [_cell(v) for v in raw]
            if any(row):
                rows.append(row)
        # the title rows above the header sit in the sheet itself; keep the sheet name too
        title_rows = [r for r in rows[:4] if sum(1 for c in r if c) <= 2]
        title = " ".join([name] + ["".join(r) for r in title_rows])
        lines.append(name)
        lines.extend("\t".join(r) for r in rows)
        if rows:
            doc.tables.append(
                Table(rows=rows, index=len(doc.tables), title=title, unit=_unit(title, rows))
            )
        if cells > MAX_SHEET_CELLS:
            break
    doc.text = "\n".join(lines)
    return doc


def read_office(kind: str, data: bytes) -> ParsedDocument:
    if kind in ("docx", "xlsx"):
        reason = _zip_bomb(data)
        if reason:
            return ParsedDocument(
                format=kind,
                issues=[ParseIssue("error", "zip_bomb", f"package refused: {reason}")],
            )
    if kind == "docx":
        return _read_docx(data)
    if kind == "xlsx":
        return _read_sheets("xlsx", data)
    # OLE2: legacy .xls opens with calamine; a legacy .doc has no reader here
    try:
        return _read_sheets("xls", data)
    except Exception as exc:
        return ParsedDocument(
            format="ole",
            issues=[
                ParseIssue(
                    "error", "unsupported_format", f"OLE file is not a readable .xls ({exc})"
                )
            ],
        )
