"""Discovery against a real HTTP server on 127.0.0.1 serving a site built here: a list on two
pages, articles, attachments, a dead link, a redirect loop, a GBK page, a script redirect, a
non-report article and a path robots.txt forbids. What is added, what is skipped and why, and
that a second run adds nothing."""

from __future__ import annotations

import yaml

from cnfiscal.catalog import batch_digests, discovered_path, load_catalog
from cnfiscal.discover import run_discovery
from cnfiscal.discover.urls import entry_id
from tests.discover.conftest import FAST, write_portals
from tests.discover.site import article, listing, pdf_bytes, xlsx_bytes, zip_bytes

GBK_REPORT = """<p>某市教育局2026年部门预算</p>
<p>一、收支预算总体情况。2026年收入预算1,234.50万元，支出预算1,234.50万元。</p>
<p>二、财政拨款收支情况。财政拨款收入1,000.00万元，其中基本支出800.00万元，项目支出200.00万元。</p>
<p>三、"三公"经费预算12.00万元，比上年减少1.00万元。机关运行经费预算50.00万元。</p>
<table><tr><td>项目</td><td>金额（万元）</td></tr><tr><td>收入总计</td><td>1,234.50</td></tr>
<tr><td>支出总计</td><td>1,234.50</td></tr></table>
<p>四、政府采购预算情况。2026年政府采购预算总额30.00万元，其中货物类20.00万元，服务类10.00万元。</p>
<p>五、国有资产占用情况。截至上年末，本部门共有车辆2辆，单位价值50万元以上通用设备0台。</p>
<p>六、预算绩效管理情况。2026年实行绩效目标管理的项目3个，涉及财政拨款200.00万元。</p>
<p>七、名词解释。基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。</p>"""


def build_site(site) -> None:
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    site.routes["/robots.txt"].content_type = "text/plain"
    page1 = listing(
        "部门预算_财政预决算_某市人民政府",
        [
            ("/art/a1.html", "温州市公安局2026年部门预算"),
            ("/art/a2.html", "市财政局2025年度部门决算"),
            ("/art/notice.html", "关于做好2027年部门预算编制工作的通知"),
            ("/art/dead.html", "市水务局2026年部门预算"),
            ("/private/secret.html", "市保密局2026年部门预算"),
            ("/art/meeting.html", "市财政局召开2026年工作会议"),
        ],
        pager='<a href="index.html">首页</a> <a href="index_1.html">下一页</a> '
        '<a href="index_1.html">尾页</a>',
    )
    site.page("/list/index.html", page1)
    page2 = listing(
        "部门预算_财政预决算_某市人民政府",
        [
            ("/art/gbk.html", "某市教育局2026年部门预算"),
            ("/art/loop.html", "市卫生健康委员会2026年部门预算"),
            ("/art/a3.html", "市统计局2026年部门预算"),
            ("/art/dup.html", "市民政局2026年部门预算"),
            ("/art/stub.html", "市交通运输局2026年部门预算"),
        ],
        pager='<a href="index.html">上一页</a> <script>createPageHTML(2, 1, "index", "html");'
        "</script>",
    )
    site.page("/list/index_1.html", page2)
    site.page(
        "/art/a1.html",
        article(
            "温州市公安局2026年部门预算",
            '<p>见附件</p><p><a href="/files/a1.pdf">附件：温州市公安局2026年部门预算.pdf</a></p>'
            '<p><a href="/files/form.doc">政府信息公开申请表.doc</a></p>',
        ),
    )
    site.file("/files/a1.pdf", pdf_bytes("a1"), "application/pdf")
    site.page(
        "/art/a2.html",
        article(
            "市财政局2025年度部门决算",
            '<p><a href="/download.do?id=7">2025年度部门决算表.xlsx</a></p>',
        ),
    )
    site.file("/download.do", xlsx_bytes([["项目", "金额"], ["支出合计", 10.5]]))
    site.page(
        "/art/notice.html", article("关于做好2027年部门预算编制工作的通知", "<p>各单位：</p>")
    )
    site.page("/art/meeting.html", article("市财政局召开2026年工作会议", "<p>会议指出……</p>" * 20))
    site.page("/private/secret.html", article("市保密局2026年部门预算", "<p>x</p>"))
    site.page(
        "/art/gbk.html",
        article("某市教育局2026年部门预算", GBK_REPORT, charset="gbk"),
        encoding="gbk",
    )
    site.redirect("/art/loop.html", "/art/loop2.html")
    site.redirect("/art/loop2.html", "/art/loop.html")
    site.page(
        "/art/a3.html",
        article(
            "市统计局2026年部门预算",
            '<p><a href="/files/missing.pdf">附件1：市统计局2026年部门预算.pdf</a></p>'
            '<p><a href="/files/pack.zip">附件2：市统计局2026年部门预算表.zip</a></p>',
        ),
    )
    site.page(
        "/art/dup.html",
        article("市民政局2026年部门预算", '<p><a href="/files/a1-copy.pdf">附件.pdf</a></p>'),
    )
    site.file("/files/a1-copy.pdf", pdf_bytes("a1"), "application/pdf")  # a1.pdf's bytes
    site.file("/files/pack.zip", zip_bytes(), "application/zip")
    site.page(
        "/art/stub.html",
        "<html><head><title>跳转中...</title></head><body><script>"
        'location.href="/art/a4.html";</script></body></html>',
    )
    site.page(
        "/art/a4.html",
        article(
            "市交通运输局2026年部门预算",
            '<iframe id="pdf_iframe" src=""></iframe><script>var sPdfUrl = "/files/a4.pdf";'
            "</script>",
        ),
    )
    site.file("/files/a4.pdf", pdf_bytes("a4"), "application/pdf")


def _portal(site) -> dict:
    return {
        "name": "test-city",
        "url": site.url("/list/index.html"),
        "region": "某市",
        "link_pattern": "/art/",
    }


def _skips(run) -> dict[str, str]:
    path = lambda u: u.split("127.0.0.1", 1)[1].split("/", 1)[1]  # noqa: E731
    return {"/" + path(s["url"]): s["reason"] for p in run.report["portals"] for s in p["skipped"]}


def test_discovery_adds_the_reports_and_records_every_skip(site, settings):
    build_site(site)
    write_portals(settings, [_portal(site)])
    run = run_discovery(settings, config=FAST)

    added = {row["location"].split(site.base, 1)[1]: row for row in run.added}
    assert set(added) == {"/files/a1.pdf", "/download.do?id=7", "/art/gbk.html", "/files/a4.pdf"}
    hints = {loc: row["hints"] for loc, row in added.items()}
    assert hints["/files/a1.pdf"] == {
        "agency": "温州市公安局",
        "fiscal_year": 2026,
        "doc_kind": "budget",
        "region": "某市",
    }
    # the attachment names kind and year; the agency comes from its article's title
    assert hints["/download.do?id=7"] == {
        "agency": "市财政局",
        "fiscal_year": 2025,
        "doc_kind": "final_account",
        "region": "某市",
    }
    # a GBK page whose text is the report, title decoded from GBK
    assert hints["/art/gbk.html"]["agency"] == "某市教育局"
    assert added["/art/gbk.html"]["discovered"]["format"] == "html"
    # reached through a script redirect; the PDF is named in a script (温州-style viewer)
    assert hints["/files/a4.pdf"]["agency"] == "市交通运输局"
    assert added["/files/a4.pdf"]["discovered"]["found_on"] == site.url("/art/a4.html")
    assert {row["discovered"]["format"] for row in run.added} == {"pdf", "xlsx", "html"}
    for loc, row in added.items():
        assert row["id"] == entry_id(site.url(loc))

    assert _skips(run) == {
        "/art/notice.html": "not_a_report_title",  # 通知: never fetched
        "/art/dead.html": "fetch_not_found",
        "/private/secret.html": "robots_disallowed",
        "/art/meeting.html": "not_a_report",  # followed by link_pattern, names no report
        "/art/loop.html": "fetch_redirect_loop",
        "/files/missing.pdf": "fetch_not_found",
        "/files/pack.zip": "unsupported_format",
        "/files/a1-copy.pdf": "duplicate_content",
        "/files/form.doc": "not_a_report_title",  # 申请表 on a report's page
    }
    assert run.report["skipped_by_reason"]["fetch_not_found"] == 2
    assert site.hits("/art/notice.html") == 0 and site.hits("/private/secret.html") == 0
    assert site.hits("/files/pack.zip") == 0  # an archive is refused by its name
    assert site.hits("/list/index_1.html") == 1  # page 2 once, though three links name it

    # the catalog now reads the discovered entries with its own
    catalog = load_catalog(settings.catalog_path)
    assert {e.location for e in catalog.entries} == {r["location"] for r in run.added}
    assert not catalog.problems
    report = run.report_file.read_text(encoding="utf-8")
    assert "fetch_redirect_loop" in report and "robots_disallowed" in report


def test_a_second_run_adds_nothing_and_downloads_nothing_again(site, settings):
    build_site(site)
    write_portals(settings, [_portal(site)])
    first = run_discovery(settings, config=FAST)
    text = discovered_path(settings.catalog_path).read_text(encoding="utf-8")
    digests = batch_digests(load_catalog(settings.catalog_path))

    second = run_discovery(settings, config=FAST)
    assert second.added == [] and second.report["added"] == 0
    assert second.report["known"] == len(first.added) == 4
    assert discovered_path(settings.catalog_path).read_text(encoding="utf-8") == text
    assert batch_digests(load_catalog(settings.catalog_path)) == digests  # the sensor: no run
    for doc in ("/files/a1.pdf", "/files/a4.pdf", "/download.do?id=7"):
        assert site.hits(doc) == 1
    # the dead links are still dead, and still said so
    assert _skips(second)["/art/dead.html"] == "fetch_not_found"


def test_a_disabled_or_catalogued_report_is_not_found_again(site, settings):
    build_site(site)
    write_portals(settings, [_portal(site)])
    a1 = site.url("/files/a1.pdf")
    settings.catalog_path.write_text(
        yaml.safe_dump({"sources": [{"id": "police-2026", "location": a1}]}), encoding="utf-8"
    )
    run = run_discovery(settings, config=FAST)
    assert a1 not in {r["location"] for r in run.added}
    assert entry_id(a1) in run.report["portals"][0]["known"]

    path = discovered_path(settings.catalog_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    gbk = next(r for r in data["sources"] if r["location"].endswith("/art/gbk.html"))
    gbk["disabled"] = True
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ids = {e.id for e in load_catalog(settings.catalog_path).entries}
    assert gbk["id"] not in ids and "police-2026" in ids
    assert run_discovery(settings, config=FAST).added == []  # disabled stays known
