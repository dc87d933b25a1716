"""OCR of scanned pages with the real tesseract: a page drawn with Pillow in a CJK font (a
sentence and a ruled table), saved as an image-only PDF, read back into words, table cells
and facts that carry the engine's confidence. Skipped only where tesseract with its Chinese
model or a CJK font is truly absent."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from cnfiscal.extract import extract_bytes
from cnfiscal.readers import read_document
from cnfiscal.readers.ocr_engines import ENGINES, OcrError, TesseractEngine
from tests.pdf_bytes import pdf_from_objects

DPI = 150


def _cjk_font() -> str | None:
    if not shutil.which("fc-match"):
        return None
    out = subprocess.run(
        ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
    ).stdout
    files = sorted(ln.split(":")[0] for ln in out.splitlines() if "Sans" in ln or "Hei" in ln)
    return files[0] if files else None


FONT = _cjk_font()
needs_engine = pytest.mark.skipif(
    TesseractEngine().problem() is not None or FONT is None,
    reason="tesseract with chi_sim, or a CJK font (fonts-noto-cjk), is not installed",
)


@pytest.fixture(params=sorted(ENGINES))
def engine(request, monkeypatch):
    """Each engine in turn, the real one, through the whole pipeline."""
    problem = ENGINES[request.param]().problem()
    if problem or FONT is None:
        pytest.skip(problem or "no CJK font (fonts-noto-cjk) to draw the scan with")
    monkeypatch.setenv("CNFISCAL_OCR_ENGINE", request.param)
    return request.param


def _scan(rows: list[tuple[str, ...]], sentence: str) -> bytes:
    """An A4 page at 150 dpi: a title, a sentence, a unit line and a ruled table."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = int(8.27 * DPI), int(11.69 * DPI)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    big = ImageFont.truetype(FONT, 30)
    font = ImageFont.truetype(FONT, 22)
    draw.text((150, 120), "某区财政局2026年部门预算", font=big, fill=0)
    draw.text((120, 700), sentence, font=font, fill=0)
    draw.text((120, 740), TERMS, font=font, fill=0)
    draw.text((120, 300), "2026年支出总表", font=big, fill=0)
    draw.text((120, 355), "单位：万元", font=font, fill=0)
    xs = [120, 520, 750, 980, 1180]
    top, row_h = 400, 50
    for r, row in enumerate(rows):
        y = top + r * row_h
        for c, cell in enumerate(row):
            tw = draw.textlength(cell, font=font)
            x = xs[c] + 10 if c == 0 else xs[c + 1] - 10 - tw  # figures right-aligned
            draw.text((x, y + 12), cell, font=font, fill=0)
    bottom = top + len(rows) * row_h
    for r in range(len(rows) + 1):
        draw.line([(xs[0], top + r * row_h), (xs[-1], top + r * row_h)], fill=0, width=2)
    for x in xs:
        draw.line([(x, top), (x, bottom)], fill=0, width=2)
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=DPI)
    return buf.getvalue()


ROWS = [
    ("项目", "合计", "基本支出", "项目支出"),
    ("支出合计", "1,234.56", "800.00", "434.56"),
    ("一般公共服务支出", "1,034.56", "700.00", "334.56"),
    ("教育支出", "200.00", "100.00", "100.00"),
]
SENTENCE = "2026年收入预算1,234.56万元，支出预算1,234.56万元。"
# words a report uses (genre.py): without them the page would be judged no report at all
TERMS = "本部门预算包括基本支出和项目支出，资金为一般公共预算财政拨款。"


def test_scanned_page_gives_words_table_cells_and_facts_with_confidence(engine):
    data = _scan(ROWS, SENTENCE)
    doc = read_document(data, "scan.pdf")
    codes = {i.code for i in doc.issues}
    assert "no_text_layer" not in codes and "ocr_read" in codes
    assert set(doc.ocr_pages) == {1}
    assert "1,234.56" in doc.text
    cells = [c for t in doc.tables for row in t.rows for c in row]
    assert {"1,234.56", "800.00", "434.56", "1,034.56"} <= set(cells)
    ex = extract_bytes(data, "scan.pdf")
    got = {
        (f.statement, f.item): f
        for f in ex.facts
        if f.measure == "amount" and f.scope == "all" and f.source == "table"
    }
    assert got[("expenditure", "total")].value == Decimal("1234.56")
    assert got[("expenditure", "basic")].value == Decimal("800")
    assert got[("expenditure", "project")].value == Decimal("434.56")
    for f in ex.facts:
        assert f.ocr_confidence is not None and 0 < f.ocr_confidence <= 1
        assert f.page == 1
    info = next(i for i in ex.issues if i.code == "ocr_read")
    assert "mean word confidence" in info.message and engine in info.message
    assert not any(i.code == "ocr_identity_failed" for i in ex.issues)


def test_identity_failing_on_ocr_figures_is_a_warning_quoting_the_cells(engine):
    rows = [ROWS[0], ("支出合计", "1,234.56", "800.00", "400.00"), ROWS[2], ROWS[3]]
    ex = extract_bytes(_scan(rows, "本部门2026年预算情况说明如下。"), "scan.pdf")
    warn = [i for i in ex.issues if i.code == "ocr_identity_failed"]
    assert warn and warn[0].severity == "warning"
    assert "1234.56" in warn[0].quote and "conf" in warn[0].quote


def _text_pdf() -> bytes:
    content = "BT /F1 12 Tf 72 760 Td (Budget 2026 total 1,234.56 basic 800.00) Tj ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_from_objects(objs)


def _joined(*docs: bytes) -> bytes:
    pdf = pdfium.PdfDocument.new()
    for data in docs:
        pdf.import_pages(pdfium.PdfDocument(data))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_only_the_page_without_text_is_ocrd(engine):
    doc = read_document(_joined(_text_pdf(), _scan(ROWS, SENTENCE)), "mixed.pdf")
    assert set(doc.ocr_pages) == {2}
    assert "Budget 2026 total" in doc.text.split("\f")[0]
    assert "1,234.56" in doc.text.split("\f")[1]


def test_text_layer_pdf_is_never_ocrd(monkeypatch, tmp_path):
    # with no engine on PATH an OCR attempt would leave an ocr_unavailable issue
    monkeypatch.setenv("CNFISCAL_OCR_ENGINE", "tesseract")
    monkeypatch.setenv("PATH", str(tmp_path))
    doc = read_document(_text_pdf(), "text.pdf")
    assert doc.ocr_pages == {}
    assert not any(i.code.startswith("ocr") for i in doc.issues)


def test_missing_engine_is_a_clear_issue_not_a_crash(monkeypatch, tmp_path):
    from PIL import Image

    img = Image.new("L", (400, 300), 255)
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=DPI)
    monkeypatch.setenv("CNFISCAL_OCR_ENGINE", "tesseract")
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract to be found
    ex = extract_bytes(buf.getvalue(), "scan.pdf")
    by_code = {i.code: i for i in ex.issues}
    assert by_code["ocr_unavailable"].severity == "error"
    assert "tesseract not found" in by_code["ocr_unavailable"].message
    assert "no_text_layer" in by_code
    assert ex.facts == []


@needs_engine
def test_default_engine_is_rapidocr_else_tesseract(monkeypatch):
    from cnfiscal.readers.ocr_engines import RapidOcrEngine, get_engine

    monkeypatch.delenv("CNFISCAL_OCR_ENGINE", raising=False)
    want = "rapidocr" if RapidOcrEngine().problem() is None else "tesseract"
    assert get_engine().name == want
    assert get_engine("tesseract").name == "tesseract"


@needs_engine
def test_engine_timeout_raises_ocr_error():
    from PIL import Image

    img = Image.new("L", (2000, 2000), 255)
    with pytest.raises(OcrError, match="timed out"):
        TesseractEngine().words(img, timeout=0.001)
