"""Metadata of every real report in ../shared/corpus/real against what SOURCES.tsv says it is.

File names there mislead (a 2026 folder holding a 2019 budget), so each case checks what the
content gives: fiscal year, kind of report, and an agency containing the core of the listed
name (its place prefix and a trailing "(汇总)" may differ). A file without a text layer must
come back with an issue and no invented metadata.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from cnfiscal.extract.metadata import detect_metadata
from cnfiscal.extract.normalize import normalize_text
from cnfiscal.readers import read_document
from cnfiscal.readers.pdf import read_pdf

REAL = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"
_KIND = {"final": "final_account"}
_PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{2,}?(?:省|自治区|市|自治州|州|区|县))+")


def _rows() -> list[dict[str, str]]:
    path = REAL / "SOURCES.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _core(agency: str) -> str:
    """The listed name without parenthetical notes, 中共 and leading place names."""
    name = re.sub(r"[(（][^)）]*[)）]", "", agency)
    name = re.sub(r"^中共", "", name)
    return _PLACE.sub("", name) or name


def _text(path: Path) -> tuple[str, list]:
    data = path.read_bytes()
    # tables are not needed for metadata; reading PDFs without them is ~10x faster
    doc = read_pdf(data, with_tables=False) if path.suffix == ".pdf" else read_document(data)
    return normalize_text(doc.text), list(doc.issues)


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["file"][:48])
def test_metadata_matches_sources(row):
    text, issues = _text(REAL / row["file"])
    meta = detect_metadata(text, {}, row["file"], issues)
    if not text.strip():
        assert issues, "a file without text must say why"
        assert not meta.agency and meta.fiscal_year is None
        return
    got = (meta.fiscal_year, meta.doc_kind)
    want = (int(row["fiscal_year"]), _KIND.get(row["doc_type"], row["doc_type"]))
    assert got == want, f"{row['file']}: year/kind {got}, SOURCES {want}"
    core = _core(row["agency"])
    assert core in meta.agency, f"{row['file']}: agency {meta.agency!r}, SOURCES {row['agency']!r}"


def test_core_name_rule():
    assert _core("中共上海市普陀区委社会工作部") == "委社会工作部"
    assert _core("西安市卫生健康委员会（汇总）") == "卫生健康委员会"
    assert _core("国家信访局") == "国家信访局"
    assert _core("长沙市人民政府国有资产监督管理委员会") == "人民政府国有资产监督管理委员会"
