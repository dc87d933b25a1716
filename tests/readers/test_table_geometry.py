"""Table rebuilding from page geometry: synthetic PDFs (text runs, ruling lines, rotated
pages, a total row alone on a page), converted-PDF HTML, and XLSX sheets."""

import io
from decimal import Decimal

from cnfiscal.extract.tables import extract_table_facts
from cnfiscal.model import DocumentMeta
from cnfiscal.readers import read_document
from tests.pdf_bytes import pdf_from_objects


def _pdf(pages: list[tuple[str, int]]) -> bytes:
    """A PDF of A4 pages, each a content stream and a /Rotate, text in Helvetica."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * k} 0 R" for k in range(n))
    font = 3 + 2 * n
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>",
    ]
    for k, (content, rotate) in enumerate(pages):
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate {rotate} "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * k} 0 R >>"
        )
        data = content.encode("latin-1")
        objs.append(f"<< /Length {len(data)} >>\nstream\n{content}\nendstream")
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return pdf_from_objects(objs)


def _text(x: float, y: float, s: str, size: int = 10) -> str:
    return f"BT /F1 {size} Tf {x} {y} Td ({s}) Tj ET"


def _grid(rows: list[list[str]], xs: list[float], top: float, step: float = 20) -> str:
    """Cells left-aligned at xs with ruling lines at every x border and between rows."""
    ops = []
    for r, row in enumerate(rows):
        y = top - r * step
        ops += [_text(x + 2, y, cell) for x, cell in zip(xs, row, strict=False) if cell]
    bottom = top - len(rows) * step + 14
    ops += [f"{x} {bottom} m {x} {top + 14} l S" for x in xs + [xs[-1] + 90]]
    return "\n".join(ops)


def test_ruling_line_splits_cells_whose_text_touches():
    # the figure's last digit touches the next cell's text: only the rule at x=160 parts them
    rows = [["Item", "Total", "Note"], ["Sum", "68,632.12", "A1"], ["Rent", "3.50", "B2"]]
    rows += [["Fee", "12.00", "C3"], ["Tax", "1.25", "D4"]]
    body = _grid(rows, [70, 112, 160], 700)
    doc = read_document(_pdf([(body, 0)]), "grid.pdf")
    table = doc.tables[0]
    assert ["Sum", "68,632.12", "A1"] in table.rows
    assert table.page == 1


def test_rotated_page_is_read_upright():
    # a landscape table printed on a portrait page turned by /Rotate 90: the text matrix
    # turns the glyphs so that the page, once shown, reads left to right
    ops = []
    for r, row in enumerate([["Item", "Total", "Basic"], ["Sum", "300.00", "200.00"]]):
        for c, cell in enumerate(row):
            x, y = 100 + 20 * r, 100 + 120 * c  # shown: x' = y, top' = x
            ops.append(f"BT /F1 10 Tf 0 1 -1 0 {x} {y} Tm ({cell}) Tj ET")
    doc = read_document(_pdf([("\n".join(ops), 90)]), "rotated.pdf")
    assert doc.tables, doc.issues
    assert ["Sum", "300.00", "200.00"] in doc.tables[0].rows


def test_total_row_alone_on_the_next_page_is_joined():
    head = _text(70, 780, "2024 Table") + "\n" + _text(70, 760, "Unit: yuan")
    rows = [["Item", "Total", "Basic"], ["A", "1,000", "600"], ["B", "2,000", "400"]]
    page1 = head + "\n" + _grid(rows, [70, 200, 330], 700)
    page2 = _grid([["Sum", "3,000", "1,000"]], [70, 200, 330], 800)
    doc = read_document(_pdf([(page1, 0), (page2, 0)]), "two.pdf")
    table = doc.tables[0]
    assert table.pages == [1, 2]
    assert table.rows[-1] == ["Sum", "3,000", "1,000"] and table.row_pages[-1] == 2


def _div(top, left, text, size=9.4):
    return (
        f'<div class="p" style="top:{top}pt;left:{left}pt;line-height:{size}pt;'
        f'font-size:{size}pt;width:auto;position:absolute;">{text}</div>'
    )


def test_html_of_a_converted_pdf_page_gives_its_table():
    cells = [
        _div(60, 200, "2026年一般公共预算支出情况表"),
        _div(80, 450, "单位：万元"),
        _div(100, 45, "科目编码"),
        _div(100, 120, "科目名称"),
        _div(100, 300, "合计"),
        _div(100, 400, "基本支出"),
        _div(120, 120, "合计"),
        _div(120, 290, "1,500.00"),
        _div(120, 395, "1,000.00"),
        _div(140, 45, "208"),
        _div(140, 120, "社会保障和就业支出"),
        _div(140, 290, "1,500.00"),
        _div(140, 395, "1,000.00"),
    ]
    rules = "".join(
        f'<div class="r" style="position:absolute;left:{x}pt;top:95pt;width:0.0pt;'
        f'height:60pt;border-left:0.5pt solid #000;"> </div>'
        for x in (40, 115, 280, 380, 480)
    )
    page = (
        '<div class="page" style="width:595.0pt;height:842.0pt;position:relative;">'
        + rules
        + "".join(cells)
        + "</div>"
    )
    html = f"<html><body><div class='main'>{page}</div></body></html>".encode()
    doc = read_document(html, "page.html")
    assert doc.format == "html" and doc.tables
    meta = DocumentMeta(fiscal_year=2026, doc_kind="budget")
    got = {(f.item, f.scope): f.value for f in extract_table_facts(doc.tables, meta, [])}
    assert got[("func:208", "general_public")] == 1500
    assert got[("basic", "general_public")] == 1000


def test_xlsx_sheet_text_and_table():
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收入总表"
    ws.append(["2024年部门收入总表"])
    ws.append(["单位：元"])
    ws.append(["项目", "金额"])
    ws.append(["本年收入合计", 5123000])
    ws.append(["一般公共预算财政拨款收入", 5000000])
    buf = io.BytesIO()
    wb.save(buf)
    doc = read_document(buf.getvalue(), "table.xlsx")
    assert doc.format == "xlsx"
    assert "2024年部门收入总表" in doc.text
    meta = DocumentMeta(fiscal_year=2024, doc_kind="budget")
    got = {f.item: f.value for f in extract_table_facts(doc.tables, meta, [])}
    assert got["total"] == Decimal("512.3")  # 元 → 万元
    assert got["general_public_budget"] == 500
