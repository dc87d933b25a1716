"""PDF reading with pypdfium2: per-page text layer, and words with boxes for table rebuilding.

pypdfium2 was measured at ~275 pages/s for text on the real corpus against ~16 pages/s for
pdfplumber (see benchmarks/bench_pdf.py), so text and table geometry both come from it.
Pages with no text of their own but a large image are read by OCR instead (pdf_ocr.py).
"""

from __future__ import annotations

from cnfiscal.model import ParseIssue
from cnfiscal.readers import ParsedDocument
from cnfiscal.readers.limits import MAX_PDF_PAGES, MAX_TEXT_CHARS
from cnfiscal.readers.pdf_ocr import (
    MAX_OCR_PAGES,
    MAX_OCR_SECONDS,
    OCR_DPI,
    OcrRun,
    needs_ocr,
    ocr_page,
    page_text,
)
from cnfiscal.readers.pdf_words import PageGeometry


def _clean_page_text(text: str) -> str:
    # pdfium ends lines with \r\n and marks soft hyphens/NULs; keep plain \n lines
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.replace("\ufffe", "").replace("\x02", "")


def _page_geometry(page, textpage, raw_text: str, text: str) -> tuple:
    """Words and rules of a page that may hold a table; prose pages keep only their lines
    (enough to carry a table title over to the next page)."""
    from cnfiscal.readers.pdf_tables import looks_tabular
    from cnfiscal.readers.pdf_words import display_box, page_words, text_lines, vertical_rules

    width = page.get_width()
    if not looks_tabular(text):
        return PageGeometry(text_lines(text), width, [], tabular=False)
    box = display_box(page)
    across: list = []
    rules = vertical_rules(page, box, across)
    words = page_words(textpage, raw_text, box, rules)
    return PageGeometry(words, width, rules, across=across)


def _ocr_geometry(words, rules, across, width: float, text: str) -> PageGeometry:
    """An OCR'd page as a text layer's would be: words when it may hold a table, else lines."""
    from cnfiscal.readers.pdf_tables import looks_tabular
    from cnfiscal.readers.pdf_words import text_lines

    if not looks_tabular(text):
        return PageGeometry(text_lines(text), width, [], tabular=False)
    return PageGeometry(words, width, rules, across=across)


def _ocr_issues(doc: ParsedDocument, ocr: OcrRun, n_pages: int) -> None:
    """What OCR did, on the record: the pages read and their mean confidence, those left."""
    if ocr.skipped:
        doc.issues.append(
            ParseIssue(
                "warning",
                "ocr_capped",
                f"{len(ocr.skipped)} pages not OCR'd (over {MAX_OCR_PAGES} pages or "
                f"{MAX_OCR_SECONDS:.0f} s per document): pages {_page_list(ocr.skipped)}",
                page=ocr.skipped[0],
            )
        )
    if not ocr.pages:
        return
    doc.ocr_engine = ocr.engine.name
    doc.ocr_pages = {p: [(w.text, w.conf or 0.0) for w in ws] for p, ws in ocr.pages.items()}
    mean = ocr.mean_confidence()
    pages = sorted(ocr.pages)
    doc.issues.append(
        ParseIssue(
            "info",
            "ocr_read",
            f"{len(pages)} of {n_pages} pages read by OCR ({ocr.engine.name}, {OCR_DPI} dpi): "
            f"pages {_page_list(pages)}; mean word confidence "
            + (f"{mean:.3f}" if mean is not None else "n/a"),
            page=pages[0],
        )
    )


def _page_list(pages: list[int]) -> str:
    """1-3, 5, 7-8"""
    spans: list[list[int]] = []
    for p in pages:
        if spans and p == spans[-1][1] + 1:
            spans[-1][1] = p
        else:
            spans.append([p, p])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def read_pdf(data: bytes, with_tables: bool = True) -> ParsedDocument:
    import pypdfium2 as pdfium

    doc = ParsedDocument(format="pdf")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        code = "pdf_password" if "password" in msg.lower() else "pdf_corrupt"
        text = "password-protected PDF" if code == "pdf_password" else "unreadable PDF"
        doc.issues.append(ParseIssue("error", code, f"{text}: {msg}"))
        return doc
    try:
        n_pages = len(pdf)
        if n_pages > MAX_PDF_PAGES:
            doc.issues.append(
                ParseIssue(
                    "warning",
                    "too_many_pages",
                    f"{n_pages} pages; only the first {MAX_PDF_PAGES} are read",
                )
            )
            n_pages = MAX_PDF_PAGES
        texts: list[str] = []
        page_words = []
        ocr = OcrRun()
        total = 0
        empty_pages = 0
        for i in range(n_pages):
            try:
                page = pdf[i]
                textpage = page.get_textpage()
                raw_text = textpage.get_text_range()
                text = _clean_page_text(raw_text)
                read = ocr_page(page, i + 1, ocr, doc.issues) if needs_ocr(page, text) else None
                if read is not None:
                    text = page_text(read[0])
                    if with_tables:
                        page_words.append(_ocr_geometry(*read, page.get_width(), text))
                elif with_tables:
                    page_words.append(_page_geometry(page, textpage, raw_text, text))
                textpage.close()
                page.close()
            except Exception as exc:  # one broken page must not lose the others
                doc.issues.append(
                    ParseIssue("warning", "pdf_page_error", f"page {i + 1}: {exc}", page=i + 1)
                )
                text = ""
                page_words.append(PageGeometry([], 0.0, [], tabular=False))
            if not text.strip():
                empty_pages += 1
            total += len(text)
            if total > MAX_TEXT_CHARS:
                doc.issues.append(
                    ParseIssue("warning", "text_truncated", f"text cut at page {i + 1}")
                )
                break
            texts.append(text)
    finally:
        pdf.close()
    offsets = []
    pos = 0
    for text in texts:
        offsets.append(pos)
        pos += len(text) + 1  # the "\f" joining pages
    doc.text = "\f".join(texts)
    doc.page_offsets = offsets
    _ocr_issues(doc, ocr, len(texts))
    if texts and empty_pages == len(texts):
        why = ocr.problem or ("OCR found no text" if ocr.checked else "no image to OCR")
        doc.issues.append(
            ParseIssue(
                "error",
                "no_text_layer",
                f"no text layer on any of {len(texts)} pages (image-only PDF; {why})",
            )
        )
    elif empty_pages:
        doc.issues.append(
            ParseIssue("info", "empty_pages", f"{empty_pages} of {len(texts)} pages have no text")
        )
    if with_tables and page_words:
        from cnfiscal.readers.pdf_tables import tables_from_pages

        doc.tables = tables_from_pages(page_words, doc.issues)
    return doc
