"""Cover rules of metadata detection on small made-up covers (none taken from a real report)."""

from cnfiscal.extract.metadata import detect_metadata


def _meta(text: str):
    issues: list = []
    return detect_metadata(text, {}, "", issues), issues


def test_title_before_year_central_body_has_no_region():
    meta, issues = _meta("国家档案局\n2023 年度部门决算\n目 录\n第一部分 概况\n")
    assert (meta.agency, meta.region, meta.fiscal_year) == ("国家档案局", "", 2023)
    assert meta.doc_kind == "final_account"
    assert any(i.code == "no_region" for i in issues)


def test_title_split_over_lines_keeps_party_prefix():
    meta, _ = _meta("中共南京市委\n组织部 2022 年度\n部门预算目 录\n一、部门职责\n")
    assert meta.agency == "中共南京市委组织部"
    assert meta.region == "南京市"
    assert (meta.fiscal_year, meta.doc_kind) == (2022, "budget")


def test_budget_with_performance_target_tables_is_a_budget():
    text = "杭州市林业水利局\n2021 年部门预算公开目 录\n9、项目支出绩效目标表\n"
    text += "10、部门整体支出绩效目标表\n"
    meta, _ = _meta(text + "绩效 " * 50)
    assert meta.doc_kind == "budget"


def test_performance_title_wins_over_budget_word():
    meta, _ = _meta("部门整体预算绩效目标申报表\n部门名称 佛山市财政局\n2024年度\n")
    assert (meta.doc_kind, meta.agency, meta.fiscal_year) == ("performance", "佛山市财政局", 2024)


def test_year_first_title_and_level_words():
    meta, _ = _meta("2024年宁波市审计局\n部门预算\n目录\n")
    assert (meta.agency, meta.fiscal_year, meta.doc_kind) == ("宁波市审计局", 2024, "budget")
    meta, _ = _meta("成都市武侯区2020年区级部门预算\n预算主管部门:成都市武侯区教育局目 录\n")
    assert (meta.agency, meta.region, meta.fiscal_year) == ("成都市武侯区教育局", "武侯区", 2020)


def test_cover_field_beats_sentences_and_units():
    meta, _ = _meta("南昌市2019年度\n市级部门预算公开报表\n部 门:中共南昌市委办公室 单位:万元\n")
    assert meta.agency == "中共南昌市委办公室"


def test_tables_only_attachment_takes_year_from_headings():
    text = "预算01表 收支总表\n金额单位:万元\n"
    text += "预算13表 部门整体支出绩效目标表\n(2025年度)\n" * 3
    meta, _ = _meta(text + "在2024年工作的基础上\n")
    assert (meta.fiscal_year, meta.doc_kind) == (2025, "budget")
