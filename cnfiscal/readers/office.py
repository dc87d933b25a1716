"""Word and Excel attachments: DOCX from its document.xml (python-docx for packages out of the
ordinary), XLSX/XLS via python-calamine.

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


def _zip_bomb(zf: zipfile.ZipFile) -> str | None:
    """A reason to refuse the package, or None when its sizes are sane."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > MAX_ZIP_RATIO:
            return f"{info.filename} inflates {ratio:.0f}x"
    if total > MAX_UNZIPPED_BYTES:
        return f"uncompressed size {total // (1024 * 1024)} MB over the limit"
    return None


# WordprocessingML names the direct DOCX reader needs
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC, _R = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "r"
_T, _BR, _HYPERLINK, _VAL = _W + "t", _W + "br", _W + "hyperlink", _W + "val"
_TCPR, _GRIDSPAN, _VMERGE = _W + "tcPr", _W + "gridSpan", _W + "vMerge"
_TRPR, _GRIDBEFORE = _W + "trPr", _W + "gridBefore"
_RUN_CHARS = {_W + "tab": "\t", _W + "ptab": "\t", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_WML_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class _Unusual(Exception):
    """A package the direct DOCX reader leaves to python-docx."""


def _read_docx(data: bytes, zf: zipfile.ZipFile) -> ParsedDocument:
    # python-docx parses every part of the package (styles.xml alone is ~350 KB in its own
    # template) before the body can be read; the body is all we use, so read it directly.
    # Anything the direct reader does not expect goes to python-docx, which then reads it or
    # fails on it exactly as before.
    try:
        return _read_docx_direct(zf)
    except Exception:
        return _read_docx_python_docx(data)


def _xml(blob: bytes):
    from lxml import etree

    # python-docx's parser settings, so text nodes come out the same
    return etree.fromstring(blob, etree.XMLParser(remove_blank_text=True, resolve_entities=False))


def _main_part(zf: zipfile.ZipFile) -> str:
    """Member name of the main document, after the checks python-docx makes on opening.

    python-docx follows the relationships from the package root to every part and refuses the
    file when a relationship points at a missing member or at a part without a content type,
    when there is not exactly one officeDocument relationship, or when its target is not a
    WordprocessingML document (.docm, .dotx). Those packages raise here, so python-docx reads
    them. What is not repeated: inflating and parsing the parts besides the main one (their
    CRCs, their XML), which is where its time goes.
    """
    import posixpath

    names = set(zf.namelist())
    types = _xml(zf.read("[Content_Types].xml"))
    overrides = {
        o.get("PartName").lower(): o.get("ContentType") for o in types.findall(_CT + "Override")
    }
    defaults = {
        d.get("Extension").lower(): d.get("ContentType") for d in types.findall(_CT + "Default")
    }

    def content_type(partname: str):
        if partname.lower() in overrides:
            return overrides[partname.lower()]
        ext = posixpath.splitext(partname)[1]
        ext = ext[1:] if ext.startswith(".") else ext
        if ext.lower() not in defaults:
            raise _Unusual(f"no content type for {partname}")
        return defaults[ext.lower()]

    def rels_of(source: str) -> list[tuple[str | None, str | None, str | None]]:
        base, filename = posixpath.split(source)
        member = posixpath.join(base, "_rels", filename + ".rels")[1:]
        if member not in names:
            return []
        rels = []
        for rel in _xml(zf.read(member)).findall(_PR + "Relationship"):
            if rel.get("TargetMode", "Internal") == "External":
                rels.append((rel.get("Id"), rel.get("Type"), None))
            else:
                target = posixpath.abspath(posixpath.join(base, rel.get("Target")))
                rels.append((rel.get("Id"), rel.get("Type"), target))
        return rels

    package = rels_of("/")
    ids = [rid for rid, _, _ in package]
    office = [target for _, rtype, target in package if rtype == _OFFICE_DOCUMENT]
    if len(set(ids)) != len(ids) or len(office) != 1 or office[0] is None:
        raise _Unusual("not one officeDocument relationship")
    main = office[0]
    if content_type(main) != _WML_MAIN:
        raise _Unusual("main part is not a Word document")
    seen: set[str] = set()
    pending = [package]
    while pending:
        for _, _, target in pending.pop():
            if target is None or target in seen:
                continue
            seen.add(target)
            if target[1:] not in names:
                raise _Unusual(f"missing part {target}")
            content_type(target)
            pending.append(rels_of(target))
    return main[1:]


def _run_text(r) -> str:
    # python-docx: w:t text, w:tab/w:ptab a tab, w:cr a newline, w:noBreakHyphen "-", and
    # w:br a newline unless it is a page or column break; other run children give nothing
    parts = []
    for e in r:
        tag = e.tag
        if tag == _T:
            parts.append(e.text or "")
        elif tag == _BR:
            if e.get(_W + "type", "textWrapping") == "textWrapping":
                parts.append("\n")
        else:
            ch = _RUN_CHARS.get(tag)
            if ch:
                parts.append(ch)
    return "".join(parts)


def _paragraph_text(p) -> str:
    # runs directly in the paragraph or in a hyperlink; runs inside w:ins, w:sdt, fields or
    # smart tags are skipped, as python-docx skips them
    parts = []
    for child in p:
        if child.tag == _R:
            parts.append(_run_text(child))
        elif child.tag == _HYPERLINK:
            parts.extend(_run_text(r) for r in child if r.tag == _R)
    return "".join(parts)


def _int_val(el) -> int:
    val = el.get(_VAL)
    if val is None:
        raise _Unusual(f"{el.tag} without w:val")
    return int(val)


def _first(el, tag: str):
    # the first child of that tag, as python-docx's element properties find it
    return next(el.iterchildren(tag), None)


def _cell_props(tc) -> tuple[int, bool]:
    """Grid columns the cell spans, and whether it continues a vertical merge from above."""
    tcPr = _first(tc, _TCPR)
    if tcPr is None:
        return 1, False
    span, vmerge = _first(tcPr, _GRIDSPAN), _first(tcPr, _VMERGE)
    return (
        1 if span is None else _int_val(span),
        vmerge is not None and vmerge.get(_VAL, "continue") == "continue",
    )


def _grid_before(tr) -> int:
    trPr = _first(tr, _TRPR)
    before = None if trPr is None else _first(trPr, _GRIDBEFORE)
    return 0 if before is None else _int_val(before)


def _cell_at(props: list[tuple[int, bool]], remaining: int) -> int:
    """Index of the cell starting `remaining` grid columns into the row (python-docx's
    `tc_at_grid_offset`)."""
    for k, (span, _) in enumerate(props):
        if remaining < 0:
            break
        if remaining == 0:
            return k
        remaining -= span
    raise _Unusual("no cell starts at that grid column")


def _table_rows(tbl) -> list[list[str]]:
    """Each row's cell texts as python-docx's `_Row.cells` gives them: a cell spanning n grid
    columns n times, a vertically merged cell as the cell it continues from."""
    trs = list(tbl.iterchildren(_TR))
    tcs = [list(tr.iterchildren(_TC)) for tr in trs]
    props = [[_cell_props(tc) for tc in row] for row in tcs]
    rows = []
    for i in range(len(trs)):
        row: list[str] = []
        for j in range(len(tcs[i])):
            ri, rj = i, j
            while props[ri][rj][1]:
                if ri == 0:
                    raise _Unusual("vertical merge continues from no row")
                offset = _grid_before(trs[ri]) + sum(span for span, _ in props[ri][:rj])
                ri, rj = ri - 1, _cell_at(props[ri - 1], offset - _grid_before(trs[ri - 1]))
            text = "\n".join(_paragraph_text(p) for p in tcs[ri][rj].iterchildren(_P))
            row.extend([text] * props[ri][rj][0])
        rows.append(row)
    return rows


def _read_docx_direct(zf: zipfile.ZipFile) -> ParsedDocument:
    root = _xml(zf.read(_main_part(zf)))
    body = _first(root, _W + "body") if root.tag == _W + "document" else None
    if body is None:
        raise _Unusual("no w:document/w:body")
    blocks: list = []
    for block in body.iterchildren():
        tag = block.tag
        if tag == _P:
            blocks.append(_paragraph_text(block))
        elif tag == _TBL:
            blocks.append(_table_rows(block))
        elif not isinstance(tag, str) or tag.rsplit("}", 1)[-1] in ("p", "tbl"):
            # a comment, or p/tbl in another namespace: python-docx's own business
            raise _Unusual(f"body child {tag!r}")
    return _docx_document(blocks)


def _read_docx_python_docx(data: bytes) -> ParsedDocument:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    blocks: list = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(block, document).text)
        elif tag == "tbl":
            table = DocxTable(block, document)
            blocks.append([[c.text for c in row.cells] for row in table.rows])
    return _docx_document(blocks)


def _docx_document(blocks: list) -> ParsedDocument:
    """Text and tables from the body's paragraphs (str) and tables (rows of cell texts)."""
    doc = ParsedDocument(format="docx")
    lines: list[str] = []
    recent: list[str] = []
    # body order: paragraphs and tables interleaved, so a table's title is the text above it
    for block in blocks:
        if isinstance(block, str):
            text = block.strip()
            if text:
                lines.append(text)
                recent = (recent + [text])[-3:]
            continue
        rows = []
        for row in block:
            cells = ["".join(c.split()) for c in row]
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


def _refused(kind: str, reason: str) -> ParsedDocument:
    return ParsedDocument(
        format=kind, issues=[ParseIssue("error", "zip_bomb", f"package refused: {reason}")]
    )


def read_office(kind: str, data: bytes) -> ParsedDocument:
    if kind in ("docx", "xlsx"):
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            return _refused(kind, f"broken zip: {exc}")
        with zf:  # one opening for the size checks and the DOCX reading
            reason = _zip_bomb(zf)
            if reason:
                return _refused(kind, reason)
            if kind == "docx":
                return _read_docx(data, zf)
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
