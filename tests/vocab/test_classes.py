"""Classification tables: shape, validity ranges, and historical lookups."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources

import pytest

from cnfiscal.vocab import (
    economic_by_code,
    economic_by_name,
    economic_classes,
    functional_by_code,
    functional_by_name,
    functional_classes,
    normalize_name,
)

TABLES = {"functional": functional_classes, "economic": economic_classes}


def _overlap(a, b) -> bool:
    lo_a, hi_a = a.valid_from or 0, a.valid_to or 9999
    lo_b, hi_b = b.valid_from or 0, b.valid_to or 9999
    return lo_a <= hi_b and lo_b <= hi_a


@pytest.mark.parametrize("table", TABLES)
def test_one_name_per_code_at_any_time(table):
    by_code = defaultdict(list)
    for entry in TABLES[table]():
        by_code[entry.code].append(entry)
    clashes = [
        (code, a.name, b.name)
        for code, rows in by_code.items()
        for i, a in enumerate(rows)
        for b in rows[i + 1 :]
        if _overlap(a, b)
    ]
    assert clashes == []


@pytest.mark.parametrize("table", TABLES)
def test_levels_codes_and_parents(table):
    entries = TABLES[table]()
    classes = {e.code for e in entries if e.level == "类"}
    for e in entries:
        assert e.code.isdigit() and len(e.code) == {"类": 3, "款": 5}[e.level], e
        assert e.valid_from is None or e.valid_to is None or e.valid_from <= e.valid_to, e
        if e.level == "款":
            assert e.parent_code == e.code[:3] and e.parent_code in classes, e


@pytest.mark.parametrize("filename", ["functional_classes.csv", "economic_classes.csv"])
def test_csv_is_a_plain_seed(filename):
    text = resources.files("cnfiscal.vocab").joinpath(filename).read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    header = rows[0]
    for col in ["code", "level", "parent_code", "name", "valid_from", "valid_to", "source"]:
        assert col in header
    assert all(len(r) == len(header) for r in rows), "ragged rows"
    assert not any(r[0].startswith("#") for r in rows)


def test_functional_covers_the_common_classes():
    kuan = defaultdict(set)
    for e in functional_classes():
        if e.level == "款":
            kuan[e.parent_code].add(e.code)
    for cls in ["201", "204", "205", "206", "207", "208", "210", "211", "212", "213", "214"]:
        assert len(kuan[cls]) >= 4, cls
    assert {"20101", "20103", "20131", "20199"} <= kuan["201"]
    assert {"22101", "22102", "22103"} <= kuan["221"]
    assert "22401" in kuan["224"]


def test_functional_renames_by_year():
    assert functional_by_code("210", 2018).name == "医疗卫生与计划生育支出"
    assert functional_by_code("210", 2019).name == "卫生健康支出"
    assert functional_by_code("210").name == "卫生健康支出"
    assert functional_by_code("207", 2018).name == "文化体育与传媒支出"
    assert functional_by_code("220", 2019).name == "自然资源海洋气象等支出"
    assert functional_by_code("224", 2018) is not None  # out of range: newest name, not None
    assert functional_by_code("224", 2019).valid_from == 2019
    assert functional_by_name("医疗卫生与计划生育支出", 2018).code == "210"
    assert functional_by_name("卫生健康支出", 2020).code == "210"
    assert functional_by_code("99999") is None


def test_economic_history_and_mapping():
    assert economic_by_name("其他资本性支出", 2017).code == "310"
    assert economic_by_name("其他资本性支出", 2019).code == "31099"
    assert economic_by_code("310", 2017).name == "其他资本性支出"
    assert economic_by_code("310", 2018).name == "资本性支出"
    assert economic_by_code("304", 2016).name == "对企事业单位的补贴"
    assert economic_by_name("住房公积金", 2016).code == "30311"
    assert economic_by_name("住房公积金", 2019).code == "30113"
    assert economic_by_code("30215").gov_code == "50202"
    assert economic_by_code("30101").gov_code_inst == "50501"
    assert economic_by_name("会议费", scheme="governmental").code == "50202"


def test_every_gov_code_exists():
    gov = {e.code for e in economic_classes() if e.scheme == "governmental"}
    for e in economic_classes():
        assert e.scheme in {"departmental", "governmental"}, e
        assert e.code[0] == ("5" if e.scheme == "governmental" else "3"), e
        for target in filter(None, [e.gov_code, e.gov_code_inst]):
            assert target in gov, (e.code, target)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("对个人和家庭补助", "303"),
        ("对个人和家庭的补助", "303"),
        ("工资福利", "301"),
        ("维修(护)费", "30213"),
        ("维修 （护） 费", "30213"),
        ("因公出国(境)费用", "30212"),
        ("资本性支出(基本建设)", "309"),
    ],
)
def test_economic_written_variants(written, code):
    assert economic_by_name(written, 2020).code == code


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("一般公共服务", "201"),
        ("一、一般公共服务支出", "201"),
        ("（三）教育支出", "205"),
        ("政府办公厅(室)及相关机构事务", "20103"),
        ("司法（款）", "20406"),
        ("住房保障", "221"),
    ],
)
def test_functional_written_variants(written, code):
    assert functional_by_name(written, 2020).code == code


def test_normalize_does_not_merge_distinct_names():
    # Folding must not make two different current rows of one table look alike.
    for table in TABLES.values():
        seen = {}
        for e in table():
            if e.valid_to is not None:
                continue
            key = (normalize_name(e.name), e.level, e.scheme, e.parent_code)
            assert key not in seen or seen[key] == e.code, (e, seen[key])
            seen[key] = e.code


def test_unknown_names():
    assert functional_by_name("不存在的科目") is None
    assert economic_by_name("") is None
