"""Table genres met on reports no rule was written for (issue 16's failure classes), each as a
small grid built here. The grids imitate what the PDF reader rebuilds: group names printed
once over their columns, wrapped header words, a unit's own name as the total row."""

from dataclasses import replace
from decimal import Decimal

from cnfiscal.extract.tables import extract_table_facts
from cnfiscal.model import DocumentMeta
from cnfiscal.readers import Table

META = DocumentMeta(agency="某市交通运输局", region="某市", fiscal_year=2026, doc_kind="budget")


def _facts(tables, meta=META):
    issues: list = []
    facts = extract_table_facts(tables, meta, issues)
    return {(f.statement, f.item, f.scope, f.year, f.measure): f.value for f in facts}, issues


def test_item_groups_split_by_fund_with_rows_by_year():
    """1b: each "三公" item over 一般公共预算 | 政府性基金预算 | 国有资本经营预算, the item name
    over the middle column only, the fund names wrapped over two header lines; rows 2025年,
    2026年 and 增减变化金额."""
    funds_1 = ["一般公共预", "政府性基金", "国有资本经"]
    funds_2 = ["算", "预算", "营预算"]
    rows = [
        ["", "", "", "总计", "", "", "因公出国(境)费", "", "", "公务接待费", "", "", "", "", ""],
        ["", "", "", "", "", "", "", "", "", "", "", "", "公务用车购置及运行费", "", ""],
        ["预算单位", "年度"] + funds_1 * 4 + ["一般公共预"],
        ["", ""] + funds_2 * 4 + ["算"],
        ["某市交通运输局（本级）", "2025年", "176.01", "0.00", "0.00", "129.80", "0.00", "0.00"]
        + ["15.11", "0.00", "0.00", "31.10", "0.00", "0.00", "0.00"],
        ["", "2026年", "147.90", "0.00", "0.00", "115.00", "0.00", "0.00"]
        + ["5.10", "0.00", "0.00", "27.80", "0.00", "0.00", "0.00"],
        ["", "增减变化金额", "-28.11", "0.00", "0.00", "-14.80", "0.00", "0.00"]
        + ["-10.01", "0.00", "0.00", "-3.30", "0.00", "0.00", "0.00"],
    ]
    # the last column is a lone 一般公共预算 column of no group; it must not matter
    table = Table(rows=rows, title="表9 财政拨款“三公”经费支出表", unit="万元", header_rows=4)
    got, _ = _facts([table])
    for scope in ("general_public", "fiscal"):
        assert got[("three_public", "total", scope, 2026, "amount")] == Decimal("147.90")
        assert got[("three_public", "overseas", scope, 2026, "amount")] == Decimal("115.00")
        assert got[("three_public", "reception", scope, 2026, "amount")] == Decimal("5.10")
        assert got[("three_public", "vehicle", scope, 2026, "amount")] == Decimal("27.80")
        assert got[("three_public", "total", scope, 2025, "amount")] == Decimal("176.01")
        assert got[("three_public", "total", scope, 2026, "delta")] == Decimal("-28.11")


def test_unit_row_is_the_total_row():
    """1g: tables by unit open with the unit's own row, written with （本级）."""
    rows = [
        ["预算单位", "科目编码", "科目名称", "支出总计", "基本支出", "项目支出"],
        ["某市交通运输局（本级）", "", "", "384,598.56", "11,826.97", "372,771.59"],
        ["", "205", "教育支出", "41.99", "2.00", "39.99"],
        ["", "214", "交通运输支出", "384,556.57", "11,824.97", "372,731.60"],
    ]
    table = Table(
        rows=rows, title="表7 一般公共预算支出表（按功能分类）", unit="万元", header_rows=1
    )
    got, _ = _facts([table])
    assert got[("expenditure", "total", "general_public", 2026, "amount")] == Decimal("384598.56")
    assert got[("expenditure", "basic", "general_public", 2026, "amount")] == Decimal("11826.97")
    assert got[("expenditure", "project", "general_public", 2026, "amount")] == Decimal("372771.59")


def _line(y: float, cells: list[tuple[float, str]]):
    from cnfiscal.readers.pdf_words import Word

    return [Word(t, x, x + 6 * len(t), y, y + 8) for x, t in cells]


def test_table_whose_title_repeats_on_every_page_is_one_table():
    """1e/1f: a long table printing its title on each page is one table; its figures sit a
    little right of their header on one page and under it on the next, and are one column."""
    from cnfiscal.readers.pdf_tables import tables_from_pages
    from cnfiscal.readers.pdf_words import PageGeometry

    title = [(40, "表7 一般公共预算支出表（按功能分类）"), (400, "单位：万元")]
    head = [(40, "科目编码"), (120, "科目名称"), (300, "支出总计")]
    page1 = [
        _line(20, title),
        _line(40, head),
        _line(60, [(40, "合计"), (330, "1,200.00")]),
        _line(80, [(40, "201"), (120, "一般公共服务支出"), (330, "1,000.00")]),
    ]
    page2 = [
        _line(20, title),
        _line(40, head),
        _line(60, [(40, "208"), (120, "社会保障和就业支出"), (300, "200.00")]),
    ]
    pages = [PageGeometry([w for ln in p for w in ln], 595.0, []) for p in (page1, page2)]
    tables = tables_from_pages(pages, [])
    assert len(tables) == 1 and tables[0].pages == [1, 2]
    got, _ = _facts(tables)
    assert got[("expenditure", "total", "general_public", 2026, "amount")] == Decimal("1200")
    assert got[("expenditure", "func:201", "general_public", 2026, "amount")] == Decimal("1000")
    assert got[("expenditure", "func:208", "general_public", 2026, "amount")] == Decimal("200")


def test_columns_by_year_and_their_change():
    """1b: 2025年执行数 | 2026年预算数 | 2026年预算数比2025年执行数增减额 are three readings,
    not one year's."""
    rows = [
        [
            "科目编码",
            "科目名称",
            "2025年执行数",
            "2026年预算数",
            "2026年预算数比2025年执行数增减额",
        ],
        ["", "合计", "37,241.42", "16,474.82", "-20,766.60"],
        ["201", "一般公共服务支出", "33,586.67", "13,144.37", "-20,442.30"],
    ]
    table = Table(rows=rows, title="部门公开表5 一般公共预算支出表", unit="万元", header_rows=1)
    facts = extract_table_facts([table], META, [])
    got = {
        (f.item, f.basis, f.year, f.measure, f.compare_year, f.compare_basis): f.value
        for f in facts
    }
    assert got[("total", "budget", 2026, "amount", None, None)] == Decimal("16474.82")
    assert got[("total", "actual", 2025, "amount", None, None)] == Decimal("37241.42")
    assert got[("func:201", "budget", 2026, "amount", None, None)] == Decimal("13144.37")
    assert got[("func:201", "actual", 2025, "amount", None, None)] == Decimal("33586.67")
    assert got[("total", "budget", 2026, "delta", 2025, "actual")] == Decimal("-20766.60")


def test_side_by_side_halves_keep_their_own_labels_and_a_dash_is_zero():
    """1a + 1d: a "-" in the 收入 half is a printed nothing (0), and ends that half's label, so
    the 支出 half's figure on the same line keeps its own label."""
    rows = [
        ["收入", "", "支出", ""],
        ["项目", "预算数", "项目", "预算数"],
        ["一、一般公共预算拨款收入", "1,000.00", "一、一般公共服务支出", "800.00"],
        ["二、政府性基金预算拨款收入", "-", "二、教育支出", "200.00"],
        ["本年收入合计", "1,000.00", "本年支出合计", "1,000.00"],
    ]
    got, _ = _facts([Table(rows=rows, title="收支预算总表", unit="万元", header_rows=2)])
    assert got[("income", "gov_fund_budget", "all", 2026, "amount")] == 0
    assert got[("expenditure", "func:205", "all", 2026, "amount")] == Decimal("200.00")
    assert got[("expenditure", "total", "all", 2026, "amount")] == Decimal("1000.00")


def test_unit_stated_inside_the_grid_applies_to_every_figure():
    """1c: 单位：元 in a cell above the header, or 合计（元） in the headers, with no unit in the
    title: every figure of that table is in 元, whatever the other tables use."""
    in_cell = [
        ["单位：元", "", "", ""],
        ["科目名称", "合计", "基本支出", "项目支出"],
        ["合计", "12,345,678.00", "10,000,000.00", "2,345,678.00"],
    ]
    in_head = [
        ["科目名称", "合计（元）", "基本支出（元）", "项目支出（元）"],
        ["合计", "12,345,678.00", "10,000,000.00", "2,345,678.00"],
    ]
    other = Table(rows=[["项目", "金额"], ["合计", "5.00"]], title="三公经费表", unit="万元")
    for rows, n_head in ((in_cell, 2), (in_head, 1)):
        table = Table(rows=rows, title="一般公共预算支出表", unit="", header_rows=n_head)
        got, _ = _facts([table, other])
        assert got[("expenditure", "total", "general_public", 2026, "amount")] == Decimal(
            "1234.5678"
        )
        assert got[("expenditure", "basic", "general_public", 2026, "amount")] == 1000


def test_a_table_read_in_the_wrong_unit_is_rescaled_by_the_reports_other_statements():
    """1c: the same lines stated in another table agree only times 10,000."""
    from cnfiscal.extract.balance import arbitrate

    summary = Table(
        rows=[
            ["科目名称", "合计", "基本支出", "项目支出"],
            ["合计", "1,234.57", "1,000.00", "234.57"],
        ],
        title="一般公共预算支出表",
        unit="万元",
        header_rows=1,
    )
    wrong = Table(
        rows=[
            ["科目名称", "合计", "基本支出", "项目支出"],
            ["合计", "12,345,700", "10,000,000", "2,345,700"],
        ],
        title="一般公共预算支出功能分类表",
        unit="万元",  # the 单位：元 line was lost
        header_rows=1,
        index=1,
    )
    issues: list = []
    facts = extract_table_facts([summary, wrong], META, issues)
    # a pair of tables alone does not say which is wrong
    alone: list = []
    arbitrate(list(facts), alone)
    assert not any(i.code == "unit_corrected" for i in alone)
    prose = [replace(f, source="text", table=None) for f in facts if f.table == 0]
    facts = arbitrate(facts + prose, issues)
    assert {f.value for f in facts if f.item == "basic"} == {Decimal(1000)}
    assert any(i.code == "unit_corrected" for i in issues)


def test_three_public_meeting_training_table_whose_subtotal_is_the_three_public_total():
    """2: "三公"经费、会议费、培训费 down the rows: 合计 counts the meeting and training fees,
    the 小计 above the 三公 parts is the "三公" total."""
    for subtotal in ("小计", "“三公”经费小计"):
        rows = [
            ["项目", "2026年预算数"],
            ["合计", "50.00"],
            [subtotal, "30.00"],
            ["1.因公出国（境）费", "10.00"],
            ["2.公务接待费", "5.00"],
            ["3.公务用车购置及运行维护费", "15.00"],
            ["会议费", "10.00"],
            ["培训费", "10.00"],
        ]
        table = Table(rows=rows, title="2026年“三公”经费、会议费、培训费预算表", unit="万元")
        got, _ = _facts([table])
        assert got[("three_public", "total", "all", 2026, "amount")] == Decimal("30.00"), subtotal
        assert got[("operating_cost", "econ:30215", "all", 2026, "amount")] == 10


def test_label_wrapped_above_and_below_its_figures_is_one_row():
    """1f: a narrow name cell centred on its row: the name's first line above the figures,
    its last line below, the figures' line blank in that column."""
    from cnfiscal.readers.pdf_tables import tables_from_pages
    from cnfiscal.readers.pdf_words import PageGeometry

    lines = [
        _line(20, [(40, "表3 支出总表"), (400, "单位：万元")]),
        _line(40, [(40, "科目编码"), (120, "科目名称"), (300, "合计")]),
        _line(60, [(40, "208"), (120, "社会保障和就业支出"), (300, "906.67")]),
        _line(75, [(120, "机关事业单位基本养老")]),
        _line(82, [(40, "2080505"), (300, "611.41")]),
        _line(89, [(120, "保险缴费支出")]),
        _line(104, [(40, "2080506"), (120, "机关事业单位职业年金缴费支出"), (300, "295.26")]),
    ]
    page = PageGeometry([w for ln in lines for w in ln], 595.0, [])
    (table,) = tables_from_pages([page], [])
    labels = [r[1] for r in table.rows[table.header_rows :]]
    assert "机关事业单位基本养老保险缴费支出" in labels and len(labels) == 3
    facts = extract_table_facts([table], META, [])
    (row,) = [f for f in facts if f.item == "func:2080505"]
    assert row.label == "机关事业单位基本养老保险缴费支出" and row.value == Decimal("611.41")


def test_ruled_rows_keep_cells_that_wrapped_over_several_lines():
    """1f: in a table that rules every row, the lines between two rules are one row: a unit's
    name over two lines and a figure whose last digit fell to the next line."""
    from cnfiscal.readers.pdf_tables import tables_from_pages
    from cnfiscal.readers.pdf_words import PageGeometry

    lines = [
        _line(20, [(40, "表5 项目支出总表"), (400, "单位：万元")]),
        _line(40, [(40, "支出项目类别"), (200, "总计"), (300, "一般公共预算拨款")]),
        _line(62, [(40, "某市交通运输局（本"), (200, "411,130.6")]),
        _line(70, [(300, "407,130.67")]),
        _line(78, [(40, "级）"), (200, "7")]),
        _line(100, [(40, "港航管理"), (200, "4,000.00"), (300, "4,000.00")]),
    ]
    across = [(y, 30.0, 500.0) for y in (55, 90, 110)]
    page = PageGeometry([w for ln in lines for w in ln], 595.0, [], across=across)
    (table,) = tables_from_pages([page], [])
    body = table.rows[table.header_rows :]
    assert body[0][:2] == ["某市交通运输局（本级）", "411,130.67"] and len(body) == 2
    got, _ = _facts([table])
    assert got[("expenditure", "project", "all", 2026, "amount")] == Decimal("411130.67")


def test_amounts_printed_with_only_the_last_thousands_comma():
    """1h: 120258,600 is 120,258,600."""
    rows = [
        ["科目名称", "合计", "基本支出", "项目支出"],
        ["合计", "128138600", "25829012", "102309588"],
        ["社会保障和就业支出", "125360,898", "25829,012", "99531,886"],
    ]
    table = Table(rows=rows, title="一般公共预算支出表", unit="元", header_rows=1)
    got, _ = _facts([table])
    assert got[("expenditure", "func:208", "general_public", 2026, "amount")] == Decimal(
        "12536.0898"
    )


def test_figure_under_a_wrapped_label_in_a_three_half_summary_keeps_its_own_half():
    """1a: 收入 | 功能科目 | 支出用途 side by side. 三、单位预留机动经 / 费 wraps around its
    figure, whose own label cell is blank on that line: the figure is the reserve's, never
    the functional class printed in the half to its left (国防支出 has no figure)."""
    rows = [
        ["收入", "", "", "支出", "", ""],
        ["项目名称", "金额", "功能科目名称", "金额", "项目名称", "金额"],
        ["一、财政拨款", "100.00", "一、一般公共服务支出", "60.00", "一、基本支出", "50.00"],
        ["", "", "二、外交支出", "", "二、项目支出", "30.00"],
        ["", "", "", "", "三、单位预留机动经", ""],
        ["", "", "三、国防支出", "", "", "20.00"],
        ["", "", "", "", "费", ""],
        ["当年收入小计", "100.00", "", "当年支出小计", "", "100.00"],
    ]
    got, _ = _facts([Table(rows=rows, title="收支预算总表", unit="万元", header_rows=2)])
    assert not [k for k in got if k[0] == "expenditure" and k[1] == "func:203"]
    assert got[("expenditure", "func:201", "all", 2026, "amount")] == Decimal("60.00")
    assert got[("expenditure", "project", "all", 2026, "amount")] == Decimal("30.00")
