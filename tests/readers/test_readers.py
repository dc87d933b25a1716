import io
import zipfile
from pathlib import Path

import pytest

from cnfiscal.extract import extract_bytes
from cnfiscal.readers import read_document
from cnfiscal.readers.limits import MAX_INPUT_BYTES

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
REAL = SHARED / "corpus" / "real"


def _codes(doc):
    return {i.code for i in doc.issues}


PAGE = """<html><head><meta charset="{cs}"><title>t</title>
<script>var x = "收入总计 99999";</script><style>.a{{}}</style></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/z">政务公开</a></div>
<div class="main"><h1>{agency}2024年部门预算</h1><p>发布日期：2024-02-01</p>
<p>{agency}2024年收入预算{total}万元。</p>
<table><tr><td>项目</td><td>金额</td></tr><tr><td>收入总计</td><td>{total}</td></tr></table>
<p>责任编辑：张三</p></div><div class="footer">版权所有 某某政府</div></body></html>"""


@pytest.mark.parametrize(
    ("encoding", "agency", "total"),
    [
        ("gbk", "某县教育局", "1,234.50"),
        ("gb18030", "某市财政局", "88.00"),
        ("utf-8-sig", "某区卫健委", "7"),
    ],
)
def test_html_encodings_main_text_and_tables(encoding, agency, total):
    cs = "utf-8" if encoding == "utf-8-sig" else encoding
    data = PAGE.format(cs=cs, agency=agency, total=total).encode(encoding)
    doc = read_document(data, "page.html")
    assert doc.format == "html"
    assert f"{agency}2024年收入预算{total}万元" in doc.text
    assert "99999" not in doc.text  # script content dropped
    assert "发布日期" not in doc.text and "责任编辑" not in doc.text and "版权所有" not in doc.text
    assert doc.tables and doc.tables[0].rows[1] == ["收入总计", total]


def test_html_full_of_scripts_and_named_pdf():
    body = "<script>" + "document.write('x');" * 5000 + "</script>"
    data = f"<!DOCTYPE html><html><body>{body}<p>部门预算说明正文</p></body></html>".encode()
    doc = read_document(data, "report.pdf")
    assert doc.format == "html"
    assert doc.text == "部门预算说明正文"
    assert "misleading_extension" in _codes(doc)


def _pdf_bytes():
    pdfs = sorted(REAL.glob("*.pdf"))
    if not pdfs:
        pytest.skip("real corpus not available")
    return min(pdfs, key=lambda p: p.stat().st_size).read_bytes()


@pytest.mark.parametrize("fraction", [0.02, 0.3, 0.7, 0.95])
def test_truncated_pdf_never_raises(fraction):
    data = _pdf_bytes()
    cut = data[: int(len(data) * fraction)]
    doc = read_document(cut, "cut.pdf")
    assert doc.format == "pdf"
    assert doc.issues or doc.text  # either readable parts or a stated problem


def test_garbage_pdf_and_empty_and_binary():
    doc = read_document(b"%PDF-1.7\n" + bytes(range(256)) * 40, "x.pdf")
    assert "pdf_corrupt" in _codes(doc)
    assert "empty_document" in _codes(read_document(b"  \n", "e.txt"))
    assert read_document(b"\x00\x01\x02" * 100, "b.bin").issues


def _encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_password_protected_pdf_is_a_parse_issue_and_spares_the_next_document():
    locked = read_document(_encrypted_pdf("secret"), "locked.pdf")
    assert locked.format == "pdf"
    assert "pdf_password" in _codes(locked)
    assert not locked.text
    # an owner password alone (printing/copy restrictions) does not stop reading
    restricted = read_document(_encrypted_pdf(""), "restricted.pdf")
    assert "pdf_password" not in _codes(restricted)
    after = read_document("2019年部门预算收入100万元。".encode(), "next.txt")
    assert "100万元" in after.text and not after.issues


def test_too_large_input_refused():
    data = b"%PDF-1.4\n" + b"0" * (MAX_INPUT_BYTES + 10)
    doc = read_document(data, "huge.pdf")
    assert "too_large" in _codes(doc)
    assert not doc.text


@pytest.mark.parametrize("size_mb", [4, 12])
def test_zip_bomb_docx_refused(size_mb):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (size_mb * 1024 * 1024))
    doc = read_document(buf.getvalue(), "bomb.docx")
    assert doc.format == "docx"
    assert "zip_bomb" in _codes(doc)


def test_docx_text_and_table():
    import docx

    d = docx.Document()
    d.add_paragraph("某局2023年部门决算")
    d.add_paragraph("收入支出决算总表 单位：万元")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "项目", "金额"
    t.cell(1, 0).text, t.cell(1, 1).text = "本年收入合计", "512.30"
    buf = io.BytesIO()
    d.save(buf)
    doc = read_document(buf.getvalue(), "misnamed.xls")
    assert doc.format == "docx"
    assert "某局2023年部门决算" in doc.text
    assert doc.tables[0].rows == [["项目", "金额"], ["本年收入合计", "512.30"]]
    assert doc.tables[0].unit == "万元" and "收入支出决算总表" in doc.tables[0].title


def test_bad_document_does_not_affect_the_next():
    good = PAGE.format(cs="utf-8", agency="某县民政局", total="10").encode()
    first = extract_bytes(b"%PDF-1.5 broken", "bad.pdf")
    second = extract_bytes(good, "good.html")
    assert any(i.severity == "error" for i in first.issues)
    assert "某县民政局" in second.text


def test_real_pdfs_text_layer_and_offsets():
    pdfs = sorted(REAL.glob("*.pdf"))[:6] + sorted(REAL.glob("*北京*2026年部门预算.pdf"))
    if not pdfs:
        pytest.skip("real corpus not available")
    for path in pdfs:
        doc = read_document(path.read_bytes(), path.name)
        assert doc.format == "pdf"
        assert len(doc.page_offsets) == doc.text.count("\f") + 1
        for off in doc.page_offsets[1:]:
            assert doc.text[off - 1] == "\f"
        if "no_text_layer" in _codes(doc):
            assert not doc.text.replace("\f", "").strip()
        else:
            assert len(doc.text) > 1000
