"""Pages per second on the real corpus PDFs: our whole PDF path (text + tables + table facts)
beside pdfplumber's defaults (extract_text, extract_tables) and pypdfium2's raw text layer.

    .venv/bin/python benchmarks/bench_pdf.py [N_FILES|all] [--ours-only]

One process, so the figures are per core. The default 12 smallest files keep pdfplumber's
runs under a minute each; `all --ours-only` times our path on every real PDF.
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


def _time(fn, files) -> tuple[int, float, float]:
    """Pages, wall seconds and CPU seconds (the machine is shared: CPU time is the per-core
    figure that other load does not skew)."""
    pages, start, cpu = 0, time.perf_counter(), time.process_time()
    for path in files:
        pages += fn(path)
    return pages, time.perf_counter() - start, time.process_time() - cpu


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
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = None if args and args[0] == "all" else int(args[0]) if args else 12
    files = sorted((SHARED / "corpus" / "real").glob("*.pdf"))
    files = sorted(files, key=lambda p: p.stat().st_size)[:n]
    runs = [("pypdfium2 raw text", raw_text), ("cnfiscal text+tables+facts", ours)]
    if "--ours-only" not in sys.argv:
        runs += [
            ("pdfplumber extract_text", plumber("text")),
            ("pdfplumber extract_tables", plumber("tables")),
        ]
    print(f"{len(files)} real PDFs")
    for name, fn in runs:
        pages, secs, cpu = _time(fn, files)
        print(
            f"{name:30s} {pages:5d} pages {secs:7.2f} s wall {pages / secs:7.1f} pages/s"
            f" | {cpu:7.2f} s cpu {pages / cpu:7.1f} pages/cpu-s"
        )


if __name__ == "__main__":
    main()
