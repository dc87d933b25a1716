"""The direct DOCX reader (zipfile + lxml) against python-docx's reading of the same files.

`office._read_docx_direct` must give exactly what `office._read_docx_python_docx` gives (text,
tables, titles, units) on ordinary packages, and anything unusual must end as python-docx ends
(the same parse issues), since the direct reader hands those packages to python-docx.
"""

from __future__ import annotations

import importlib.util
import io
import random
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from cnfiscal.readers import office, read_document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REPO = Path(__file__).resolve().parents[2]
SYNTH_REPORTS = Path("/work/bench/s200/reports")


def _rezip(data: bytes, replace: dict[str, bytes] | None = None, drop=()) -> bytes:
    """The package with some members replaced, added or dropped."""
    replace = dict(replace or {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            blob = replace.pop(info.filename, None)
            dst.writestr(info, src.read(info) if blob is None else blob)
        for name, blob in replace.items():
            dst.writestr(name, blob, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def _xml(fragment: str):
    from docx.oxml import parse_xml

    return parse_xml(f'<w:root xmlns:w="{W_NS}">{fragment}</w:root>')[0]


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    raw = zlib.compress(b"\x00\xff\x00\x00" * 1)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _save(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _basic():
    import docx

    d = docx.Document()
    d.add_paragraph("某局2023年部门决算")
    d.add_paragraph("收入支出决算总表 单位：万元")
    t = d.add_table(rows=3, cols=3)
    for i, row in enumerate([["项目", "本年数", "上年数"], ["本年收入合计", "512.30", "400"]]):
        for j, v in enumerate(row):
            t.cell(i, j).text = v
    d.add_paragraph("   ")
    d.add_paragraph("\u3000说明：全年支出\u00a0 512.30万元。 ")
    return _save(d)


def _merged():
    """Horizontal, vertical and block merges, a cell of several paragraphs, a nested table."""
    import docx

    d = docx.Document()
    d.add_paragraph("一般公共预算支出决算表")
    d.add_paragraph("单位：元")
    t = d.add_table(rows=6, cols=5)
    for i in range(6):
        for j in range(5):
            t.cell(i, j).text = f"r{i}c{j}"
    t.cell(0, 0).merge(t.cell(0, 2)).text = "科目 名称"
    t.cell(1, 0).merge(t.cell(4, 0)).text = "功能分类"
    t.cell(2, 2).merge(t.cell(3, 4)).text = "合并块"
    t.cell(5, 3).merge(t.cell(5, 4))
    cell = t.cell(1, 4)
    cell.text = "第一段"
    cell.add_paragraph("第二 段")
    inner = cell.add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "嵌套表不计"
    d.add_paragraph("表后正文。")
    second = d.add_table(rows=2, cols=2)  # back to back with the next one: no title of its own
    second.cell(0, 0).text = "甲"
    third = d.add_table(rows=2, cols=2)
    third.cell(1, 1).text = "乙"
    d.add_table(rows=2, cols=2)  # all empty: no table at all
    return _save(d)


def _runs():
    """Tabs, line/page/column breaks, soft returns, hyphens, spaces kept or not."""
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("项目")
    p.add_run().add_tab()
    p.add_run("金额")
    r = p.add_run("一行")
    r.add_break()
    r.add_text("二行")
    r.add_break(WD_BREAK.PAGE)
    r.add_text("分页后")
    r.add_break(WD_BREAK.COLUMN)
    p.add_run("  两头空格  ")
    p = d.add_paragraph("前")
    for frag in (
        "<w:r><w:t>A</w:t><w:cr/><w:t>B</w:t><w:noBreakHyphen/><w:t>C</w:t><w:ptab/>"
        "<w:softHyphen/><w:sym w:char='F0E0'/><w:t/><w:br w:type='textWrapping'/>"
        "<w:br w:type='bogus'/><w:tab/></w:r>",
        "<w:r><w:t xml:space='preserve'> 有空格 </w:t></w:r>",
        "<w:r><w:rPr><w:b/></w:rPr><w:t>粗体</w:t><w:delText>不要</w:delText></w:r>",
    ):
        p._p.append(_xml(frag))
    d.add_paragraph("")
    d.add_paragraph("\t\n")
    return _save(d)


def _wrappers():
    """Content wrapped in hyperlinks, revisions, fields, smart tags and content controls:
    python-docx keeps hyperlink runs and drops the rest; so must the direct reader."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    d = docx.Document()
    rid = d.part.relate_to("http://www.example.gov.cn/", RT.HYPERLINK, is_external=True)
    p = d.add_paragraph("见")
    for frag in (
        f"<w:hyperlink xmlns:r='http://schemas.openxmlformats.org/officeDocument/2006/"
        f"relationships' r:id='{rid}'><w:r><w:t>政府网站</w:t></w:r><w:r><w:tab/></w:r>"
        "<w:proofErr/></w:hyperlink>",
        "<w:ins w:id='1' w:author='a'><w:r><w:t>插入的</w:t></w:r></w:ins>",
        "<w:del w:id='2' w:author='a'><w:r><w:delText>删掉的</w:delText></w:r></w:del>",
        "<w:fldSimple w:instr='PAGE'><w:r><w:t>7</w:t></w:r></w:fldSimple>",
        "<w:smartTag w:uri='u' w:element='e'><w:r><w:t>标签</w:t></w:r></w:smartTag>",
        "<w:sdt><w:sdtContent><w:r><w:t>控件</w:t></w:r></w:sdtContent></w:sdt>",
        "<w:r><w:t>公布。</w:t></w:r>",
    ):
        p._p.append(_xml(frag))
    body = d.element.body
    sectPr = body[-1]
    sectPr.addprevious(
        _xml(
            "<w:sdt><w:sdtContent><w:p><w:r><w:t>块级控件里的段落</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        )
    )
    sectPr.addprevious(_xml("<w:bookmarkStart w:id='0' w:name='x'/>"))
    sectPr.addprevious(
        _xml("<w:customXml w:element='c'><w:p><w:r><w:t>自定义</w:t></w:r></w:p></w:customXml>")
    )
    d.add_paragraph("末段")
    return _save(d)


def _grid():
    """Rows that start late (gridBefore) and end early (gridAfter), vertical merges whose
    grid offset has to count spans and skipped columns, vMerge="restart" written out."""
    import docx

    rows = [
        "<w:tr><w:tc><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:tcPr><w:gridSpan w:val='2'/></w:tcPr><w:p><w:r><w:t>金额</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:tcPr><w:vMerge w:val='restart'/></w:tcPr><w:p><w:r><w:t>备注</w:t></w:r></w:p>"
        "</w:tc></w:tr>",
        "<w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>"
        "<w:tc><w:p><w:r><w:t>本年</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>上年</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>",
        "<w:tr><w:tc><w:p><w:r><w:t>合计</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:tcPr><w:vMerge w:val='continue'/></w:tcPr><w:p/></w:tc></w:tr>",
        "<w:tr><w:trPr><w:gridAfter w:val='2'/></w:trPr>"
        "<w:tc><w:tcPr><w:gridSpan w:val='2'/></w:tcPr><w:p><w:r><w:t>注</w:t></w:r></w:p></w:tc>"
        "</w:tr>",
    ]
    grid = "<w:tblGrid>" + "<w:gridCol w:w='1000'/>" * 4 + "</w:tblGrid>"
    tbl = "<w:tbl><w:tblPr/>" + grid + "".join(rows) + "</w:tbl>"
    d = docx.Document()
    d.add_paragraph("项目支出表（单位：万元）")
    d.element.body[-1].addprevious(_xml(tbl))
    return _save(d)


def _with_parts():
    """A picture (image part), header/footer, core properties: more parts to walk past."""
    import docx

    d = docx.Document()
    d.core_properties.title = "某局预算"
    d.sections[0].header.paragraphs[0].text = "页眉不算正文"
    d.sections[0].footer.paragraphs[0].text = "页脚"
    d.add_paragraph("带图的报告")
    d.add_picture(io.BytesIO(_png()))
    d.add_paragraph("图后")
    return _save(d)


def _elsewhere():
    """The main part is not word/document.xml: python-docx follows the relationships."""
    data = _basic()
    rels = _member(data, "_rels/.rels").replace(b"word/document.xml", b"word/main.xml")
    types = _member(data, "[Content_Types].xml").replace(b"/word/document.xml", b"/word/main.xml")
    doc_rels = _member(data, "word/_rels/document.xml.rels")
    return _rezip(
        data,
        {
            "_rels/.rels": rels,
            "[Content_Types].xml": types,
            "word/main.xml": _member(data, "word/document.xml"),
            "word/_rels/main.xml.rels": doc_rels,
        },
        drop={"word/_rels/document.xml.rels"},
    )


def _generated(seed: int):
    """A report as benchmarks/synth writes it (the DOCX of the synthetic corpus)."""
    spec = importlib.util.spec_from_file_location(
        "synth_generate", REPO / "benchmarks/synth/generate.py"
    )
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = random.Random(seed)
    place = rng.choice(gen._places(rng))
    return gen._as_docx(gen.report(rng, place, "财政局", 2015 + seed % 10, seed % 3))


ORDINARY = {
    "basic": _basic,
    "merged": _merged,
    "runs": _runs,
    "wrappers": _wrappers,
    "grid": _grid,
    "with_parts": _with_parts,
    "elsewhere": _elsewhere,
    "generated_1": lambda: _generated(1),
    "generated_2": lambda: _generated(2),
    "generated_3": lambda: _generated(3),
}


def _doc_xml_edit(old: bytes, new: bytes, count: int = 1, base=_basic):
    def build():
        data = base()
        xml = _member(data, "word/document.xml")
        assert old in xml
        return _rezip(data, {"word/document.xml": xml.replace(old, new, count)})

    return build


def _rels_edit(name: str, old: bytes, new: bytes):
    def build():
        data = _with_parts()
        blob = _member(data, name)
        assert old in blob, blob
        return _rezip(data, {name: blob.replace(old, new, 1)})

    return build


def _corrupt_member(name: str):
    def build():
        data = bytearray(_with_parts())
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
            info = zf.getinfo(name)
        # the member's data starts after its local header; flip bytes in the middle
        name_len, extra_len = struct.unpack(
            "<HH", data[info.header_offset + 26 : info.header_offset + 30]
        )
        start = info.header_offset + 30 + name_len + extra_len
        mid = start + info.compress_size // 2
        data[mid : mid + 4] = bytes(b ^ 0x5A for b in data[mid : mid + 4])
        return bytes(data)

    return build


_FIRST_TC = b"<w:tc><w:tcPr>"
UNUSUAL = {
    # python-docx raises on these while reading the body
    "vmerge_first_row": _doc_xml_edit(_FIRST_TC, _FIRST_TC + b"<w:vMerge/>"),
    "vmerge_misaligned": _doc_xml_edit(  # no cell above starts at its grid column
        "<w:tc><w:p><w:r><w:t>上年".encode(),
        "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p><w:r><w:t>上年".encode(),
        base=_grid,
    ),
    "gridspan_no_val": _doc_xml_edit(_FIRST_TC, _FIRST_TC + b"<w:gridSpan/>"),
    "gridspan_not_int": _doc_xml_edit(_FIRST_TC, _FIRST_TC + b"<w:gridSpan w:val='2.0'/>"),
    "comment_in_body": _doc_xml_edit(b"<w:body>", b"<w:body><!-- note -->"),
    "foreign_p": _doc_xml_edit(b"<w:body>", b"<w:body><x:p xmlns:x='urn:x'>\xe5\xa4\x96</x:p>"),
    "no_body": _doc_xml_edit(b"w:body>", b"w:bodx>", -1),
    "bad_xml": _doc_xml_edit(b"</w:body>", b"</w:bod>"),
    # package-level trouble python-docx refuses
    "docm": _rels_edit(
        "[Content_Types].xml",
        b"wordprocessingml.document.main+xml",
        b"wordprocessingml.template.main+xml",
    ),
    "missing_target": _rels_edit(
        "word/_rels/document.xml.rels", b'Target="media/', b'Target="media/missing'
    ),
    "no_content_type": _rels_edit("[Content_Types].xml", b'Extension="png"', b'Extension="xyz"'),
    "no_main_rel": _rels_edit("_rels/.rels", b"relationships/officeDocument", b"relationships/x"),
    "duplicate_rid": _rels_edit(
        "_rels/.rels",
        b"<Relationship ",
        b'<Relationship Id="rId1" Type="urn:other" Target="docProps/app.xml"/><Relationship ',
    ),
    "corrupt_document": _corrupt_member("word/document.xml"),
    "no_content_types": lambda: _rezip(_basic(), drop={"[Content_Types].xml"}),
}


def _same(a, b) -> None:
    assert a.format == b.format
    assert a.text == b.text
    assert a.tables == b.tables
    assert a.issues == b.issues


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_direct_reader_matches_python_docx(name):
    data = ORDINARY[name]()
    direct = office._read_docx_direct(_zip(data))  # must not need the fallback
    _same(direct, office._read_docx_python_docx(data))
    assert direct.text  # every sample has some text, so an empty reading cannot pass


def test_samples_exercise_what_they_claim():
    merged = office._read_docx_direct(_zip(ORDINARY["merged"]()))
    rows = merged.tables[0].rows
    assert rows[0][:3] == ["科目名称"] * 3 and rows[2][0] == "功能分类"
    assert rows[2][2:] == ["合并块"] * 3 and rows[1][4] == "第一段第二段"
    assert merged.tables[0].unit == "元" and len(merged.tables) == 3
    grid = office._read_docx_direct(_zip(ORDINARY["grid"]())).tables[0].rows
    assert grid[1] == ["本年", "上年", "备注"] and grid[2][-1] == "备注" and grid[3] == ["注", "注"]
    runs = office._read_docx_direct(_zip(ORDINARY["runs"]())).text
    assert "项目\t金额一行\n二行分页后" in runs and "A\nB-C\t" in runs and " 有空格 粗体" in runs
    wrappers = office._read_docx_direct(_zip(ORDINARY["wrappers"]())).text
    assert "见政府网站\t公布。" in wrappers and "插入" not in wrappers and "控件" not in wrappers


def _issues(doc) -> list[tuple[str, str, str]]:
    # python-docx names the BytesIO it was given, with its address, in some messages
    return [(i.severity, i.code, re.sub(r"0x[0-9a-f]+", "0x…", i.message)) for i in doc.issues]


@pytest.mark.parametrize("name", sorted(UNUSUAL))
def test_unusual_packages_end_as_with_python_docx(name, monkeypatch):
    data = UNUSUAL[name]()
    got = read_document(data, "x.docx")

    def python_docx_only(data: bytes, zf):
        return office._read_docx_python_docx(data)

    monkeypatch.setattr(office, "_read_docx", python_docx_only)
    want = read_document(data, "x.docx")
    assert (got.format, got.text, got.tables) == (want.format, want.text, want.tables)
    assert _issues(got) == _issues(want)
    with pytest.raises(Exception):  # noqa: B017 - the direct reader must decline, not guess
        office._read_docx_direct(_zip(data))


def test_synthetic_corpus_docx_match():
    files = sorted(SYNTH_REPORTS.rglob("*.docx"))[:10]
    if not files:
        pytest.skip("synthetic corpus not generated")
    for path in files:
        data = path.read_bytes()
        _same(office._read_docx_direct(_zip(data)), office._read_docx_python_docx(data))


def test_broken_and_oversized_packages_still_refused():
    broken = office.read_office("docx", b"PK\x03\x04 not a zip at all")
    assert [(i.code, i.message[:28]) for i in broken.issues] == [
        ("zip_bomb", "package refused: broken zip:")
    ]
    bomb = _rezip(_basic(), {"word/media/big.bin": b"\0" * (3 * 1024 * 1024)})
    refused = office.read_office("docx", bomb)
    assert [i.code for i in refused.issues] == ["zip_bomb"] and not refused.text
