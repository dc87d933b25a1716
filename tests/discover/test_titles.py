"""The title classifier: report or not, and the kind, year and agency a title names."""

import pytest

from cnfiscal.discover.titles import classify_title, classify_titles, exclusion


@pytest.mark.parametrize(
    ("title", "kind", "year", "agency"),
    [
        ("温州市公安局2026年部门预算", "budget", 2026, "温州市公安局"),
        ("2026年上海市交通运输局部门预算", "budget", 2026, "上海市交通运输局"),
        ("南通市人民政府办公室2026年度部门预算公开", "budget", 2026, "南通市人民政府办公室"),
        ("荷塘区政务服务中心2017年度部门决算", "final_account", 2017, "荷塘区政务服务中心"),
        (
            "株洲市行政审批服务局2019年度部门整体支出绩效自评报告",
            "performance",
            2019,
            "株洲市行政审批服务局",
        ),
        ("汨罗市政务服务中心2016年度绩效自评", "performance", 2016, "汨罗市政务服务中心"),
        ("中共温州市委宣传部2026年部门预算", "budget", 2026, "中共温州市委宣传部"),
        ("苏州市司法局2026年度单位预算公开", "budget", 2026, "苏州市司法局"),
        # performance targets are published with the budget, not a self-evaluation
        ("苏州市司法局2026年度部门整体支出绩效目标", "budget", 2026, "苏州市司法局"),
        ("国务院国资委部门预算（2026年）", "budget", 2026, "国务院国资委"),
        # exclusion words inside the agency's own name do not count
        ("温州市审计局2026年部门预算", "budget", 2026, "温州市审计局"),
        (
            "武汉市审计局政府投资项目审计中心2026年单位预算",
            "budget",
            2026,
            "武汉市审计局政府投资项目审计中心",
        ),
        # full-width digits, a bracketed tag, a year in Chinese numerals
        ("【部门预算】某市教育局２０２４年部门预算公开", "budget", 2024, "某市教育局"),
        ("某县财政局二〇二三年度部门决算", "final_account", 2023, "某县财政局"),
        ("2024年部门预算表.xlsx", "budget", 2024, ""),
    ],
)
def test_report_titles(title, kind, year, agency):
    info = classify_title(title)
    assert (info.role, info.kind, info.year, info.agency) == ("report", kind, year, agency)


@pytest.mark.parametrize(
    ("title", "role", "word"),
    [
        ("关于做好2027年部门预算编制工作的通知", "excluded", "通知"),
        ("2026年部门预算公开政策解读", "excluded", "解读"),
        ("关于2024年度部门预算执行情况的审计结果", "excluded", "审计"),
        ("某市2026年预算草案的报告", "mention", "预算"),  # the government's budget
        ("2023年预算执行情况", "mention", "预算"),
        ("2018年部门预算公开目录", "listing", "目录"),
        ("部门预算", "vague", "部门预算"),  # a column's name: no year, no agency
        ("市财政局召开2026年工作会议", "other", ""),
        ("首页", "other", ""),
    ],
)
def test_titles_that_are_not_reports(title, role, word):
    info = classify_title(title)
    assert (info.role, info.word) == (role, word)
    assert not info.is_report


def test_page_titles_with_column_and_site_parts():
    # <article>_<column>_<site>: the report part wins, the site's name is not the agency
    info = classify_title("南通市人民政府办公室2026年度部门预算公开 - 预算")
    assert info.is_report and info.agency == "南通市人民政府办公室"
    # 天津's agency pages: the heading is the agency's name, the <title> the list's
    info = classify_titles(
        ["天津市教育委员会", "天津市教育委员会_2018年部门预算公开目录_天津市财政局"]
    )
    assert (info.role, info.year, info.kind, info.agency) == (
        "listing",
        2018,
        "budget",
        "天津市教育委员会",
    )
    # a link text that says little, completed by the page's title
    info = classify_titles(["附件1.pdf", "温州市公安局2026年部门预算"])
    assert (info.role, info.agency, info.year) == ("report", "温州市公安局", 2026)


def test_exclusion_outside_the_agency_name():
    assert exclusion("济南市信访局政府信息公开申请表.doc") == "申请表"
    assert exclusion("依申请公开办理流程图.docx") == "流程图"
    assert exclusion("温州市审计局2026年部门预算.pdf") == ""
