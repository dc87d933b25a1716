"""Telling reports from the other pages a crawl brings (doc_kind not_a_report)."""

from cnfiscal.extract import extract_bytes

POLICY = (
    "关于印发《2026年民生实事工作实施方案》的通知\n"
    "各县、区人民政府：\n"
    "一、总体目标\n"
    "为10000名以上残疾人提供康复服务，基本康复服务率达到90%以上，"
    "群众满意率达到95%以上，对新建项目给予最高100万元奖励。\n"
)

PORTAL = """<html><head><title>某市交通运输局</title></head><body>
<div class="nav"><a href="/a">首页</a><a href="/b">政府信息公开</a><a href="/c">部门预算</a>
<a href="/d">部门决算</a><a href="/e">绩效评价</a></div>
<div class="news"><p>全市交通工作会议召开，部署2026年重点任务，完成投资120亿元。</p>
<p>我局开展安全生产检查，整改率达到100%。</p></div></body></html>"""

LANDING = """<html><head><title>某市公安局2026年部门预算</title></head><body>
<div class="content"><h1>某市公安局2026年部门预算</h1><p>发布日期：2026-03-02</p>
<p>如果内容不能正常显示，请安装pdf阅读器</p>
<script>var sPdfUrl = "/files/attach/2026/budget.pdf";</script></div></body></html>"""

REPORT = (
    "某市民政局2026年部门预算\n"
    "一、收支预算总体情况\n"
    "2026年收入预算总计1200.50万元，支出预算总计1200.50万元。其中基本支出800.20万元，"
    "项目支出400.30万元。一般公共预算财政拨款支出1100万元。\n"
    '二、"三公"经费预算\n"三公"经费预算12万元，其中公务接待费2万元，公务用车运行维护费10万元。\n'
)


def _run(text: str, name: str = "x.txt"):
    return extract_bytes(text.encode("utf-8"), name)


def _issue(result, code):
    return [i for i in result.issues if i.code == code]


def test_policy_notice_with_figures_is_not_a_report():
    result = _run(POLICY)
    assert result.document.doc_kind == "not_a_report"
    assert result.facts == []
    (issue,) = _issue(result, "not_a_report")
    assert issue.severity == "warning" and issue.quote.startswith("关于印发")
    assert not _issue(result, "no_facts")


def test_portal_page_with_report_menu_is_not_a_report():
    result = _run(PORTAL, "x.html")
    assert result.document.doc_kind == "not_a_report" and result.facts == []
    assert _issue(result, "not_a_report")[0].quote == "某市交通运输局"


def test_landing_page_points_at_its_attachment():
    result = _run(LANDING, "x.html")
    assert result.document.doc_kind == "not_a_report"
    (issue,) = _issue(result, "not_a_report")
    assert "/files/attach/2026/budget.pdf" in issue.message
    assert "none of their figures" in issue.message


def test_script_only_page_is_not_a_report():
    result = _run('<html><body><script>location.href="/x"</script></body></html>', "x.html")
    assert result.document.doc_kind == "not_a_report"
    assert "no readable text" in _issue(result, "not_a_report")[0].message


def test_report_stays_a_report():
    result = _run(REPORT)
    assert result.document.doc_kind == "budget"
    assert any(f.statement == "expenditure" and f.item == "basic" for f in result.facts)
    assert not _issue(result, "not_a_report")


def test_unreadable_pdf_is_not_judged():
    result = extract_bytes(b"%PDF-1.4 broken", "x.pdf")
    assert result.document.doc_kind != "not_a_report"
    assert not _issue(result, "not_a_report")


def test_shared_corpora(shared_dir):
    """Every crawled HTML page in the wild corpus is a portal, listing or notice page; every
    seed and real report with a text layer is a report."""
    wild = sorted((shared_dir / "corpus" / "wild").glob("*.htm*"))
    kinds = {p.name: extract_bytes(p.read_bytes(), p.name).document.doc_kind for p in wild}
    assert wild and set(kinds.values()) == {"not_a_report"}
    reports = sorted((shared_dir / "corpus" / "seeds").glob("*.txt")) + sorted(
        (shared_dir / "corpus" / "real").glob("*.html")
    )
    for path in reports:
        assert extract_bytes(path.read_bytes(), path.name).document.doc_kind != "not_a_report"
