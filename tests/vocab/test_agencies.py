"""Agency name folding, ids and lineage: general rules, checked on made-up variants too."""

from __future__ import annotations

import pytest

from cnfiscal.vocab.agencies import (
    agency_id,
    agency_lineage,
    agency_region,
    canonical_agency,
    predecessors,
    successors,
)


@pytest.mark.parametrize(
    ("variants", "canonical", "region_code"),
    [
        (
            [
                ("秦皇岛市山海关区人民政府政务服务中心", None),
                ("山海关区人民政府政务服务中心", None),
                ("山海关区政务服务中心", None),
                ("河北省秦皇岛市山海关区政务服务中心", None),
                ("区政府政务服务中心", "山海关区"),
            ],
            "山海关区政务服务中心",
            "130303",
        ),
        (  # made up: the same rules on another county and another kind of agency
            [
                ("岳阳市汨罗市人民政府农业农村局", None),
                ("汨罗市农业农村局", None),
                ("湖南省岳阳市汨罗市农业农村局", None),
                ("市农业农村局", "汨罗市"),
                (" 汨罗市 农业农村局 ", None),
            ],
            "汨罗市农业农村局",
            "430681",
        ),
        (
            [
                ("株洲市荷塘区人民政府财政局", None),
                ("荷塘区财政局", "株洲"),
                ("荷塘区政府财政局", None),
            ],
            "荷塘区财政局",
            "430202",
        ),
        (
            [("湖北省鄂州市统计局", None), ("鄂州市统计局", None), ("统计局", "鄂州市")],
            "鄂州市统计局",
            "420700",
        ),
    ],
)
def test_variants_fold_to_one_agency(variants, canonical, region_code):
    assert {canonical_agency(n, r) for n, r in variants} == {canonical}
    assert {agency_region(n, r).code for n, r in variants} == {region_code}
    assert len({agency_id(n, r) for n, r in variants}) == 1


def test_government_general_office_keeps_its_infix():
    # 区政府办公室 is an agency of its own; dropping 人民政府 would name nothing.
    assert canonical_agency("上海市普陀区人民政府办公室") == "普陀区人民政府办公室"
    assert canonical_agency("中共上海市普陀区委社会工作部") == "中共普陀区委社会工作部"


def test_region_words_inside_the_agency_name_are_not_regions():
    # 公安县 lies under 荆州市, but 荆州市公安局 is the city's police bureau.
    assert canonical_agency("荆州市公安局") == "荆州市公安局"
    assert agency_region("荆州市公安局").code == "421000"


def test_same_name_in_two_places_gets_two_ids():
    beijing = agency_id("朝阳区教育委员会", "北京市")
    changchun = agency_id("朝阳区教育委员会", "长春")
    assert beijing != changchun
    assert agency_id("北京市朝阳区教育委员会") == beijing
    assert agency_region("朝阳区教育委员会") is None  # ambiguous without a hint


def test_different_agencies_differ_and_ids_are_stable():
    assert agency_id("山海关区政务服务中心") != agency_id("山海关区财政局")
    assert agency_id("山海关区政务服务中心") == agency_id("山海关区政务服务中心", "秦皇岛")
    assert agency_id("山海关区政务服务中心").startswith("ag_")
    assert len(agency_id("山海关区政务服务中心")) == 15


def test_lineage_from_seed_004():
    rows = agency_lineage()
    assert any(s.year == 2019 and "株洲市行政审批服务局" in s.evidence for s in rows)
    after = successors("株洲市政务服务中心")
    assert [s.successor for s in after] == ["株洲市行政审批服务局"]
    assert [s.predecessor for s in predecessors("株洲市行政审批服务局")] == ["株洲市政务服务中心"]
    # a predecessor is a different agency: it keeps its own id
    assert agency_id("株洲市政务服务中心") != agency_id("株洲市行政审批服务局")
    assert successors("株洲市财政局") == []
