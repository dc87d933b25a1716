"""Pages per second on the real corpus PDFs: our whole PDF path (text + tables + table facts)
beside pdfplumber's defaults (extract_text, extract_tables) and pypdfium2's raw text layer.

    .venv/bin/python benchmarks/bench_pdf.py [N_FILES]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pypdfium2 as pdfium

from cnfiscal.extract.tables import extract_table_facts
from cnfiscal.model import DocumentMeta
from cnfiscal.readers import read_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _time(fn, files) -> tuple[int, float]:
    pages, start = 0, time.perf_counter()
    for path in files:
        pages += fn(path)
    return pages, time.perf_counter() - start


def ours(path: Path) -> int:
    doc = read_document(path.read_bytes(), path.name)
    extract_table_facts(doc.tables, DocumentMeta(fiscal_year=2024, doc_kind="budget"), [])
    return len(doc.page_offsets)


def raw_text(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    for page in pdf:
        page.get_textpage().get_text_range()
    return len(pdf)


def plumber(what: str):
    def run(path: Path) -> int:
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text() if what == "text" else page.extract_tables()
            return len(pdf.pages)

    return run


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    files = sorted((SHARED / "corpus" / "real").glob("*.pdf"))
    files = sorted(files, key=lambda p: p.stat().st_size)[:n]
    for name, fn in [
        ("pypdfium2 raw text", raw_text),
        ("cnfiscal text+tables+facts", ours),
        ("pdfplumber extract_text", plumber("text")),
        ("pdfplumber extract_tables", plumber("tables")),
    ]:
        pages, secs = _time(fn, files)
        print(f"{name:30s} {pages:5d} pages {secs:7.2f} s {pages / secs:7.1f} pages/s")


if __name__ == "__main__":
    main()
