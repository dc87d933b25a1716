"""URLs, pagination, attachments and stub pages, on pages written here."""

import pytest

from cnfiscal.discover.pages import parse_page
from cnfiscal.discover.urls import entry_id, listing_key, normalize, site_of

BASE = "http://www.example.gov.cn/col/col123/index.html"


def _page(body: str, url: str = BASE, head: str = "<title>列表</title>"):
    html = f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return parse_page(html.encode("utf-8"), url)


def test_normalize_and_stable_ids():
    a = "HTTP://WWW.Example.gov.cn:80/files/附件.pdf#page=2"
    b = "http://www.example.gov.cn/files/%E9%99%84%E4%BB%B6.pdf"
    assert normalize(a) == normalize(b) == b
    assert entry_id(a) == entry_id(b) == entry_id(b.replace("http:", "https:"))
    assert entry_id(b) != entry_id(b.replace(".pdf", "2.pdf"))
    sid = entry_id("https://www.nantong.gov.cn/truecms/attachmentController/download.do?id=65")
    assert sid.startswith("d-nantong-download-") and len(sid) <= 128
    assert (
        site_of("http://czj.wenzhou.gov.cn/a")
        == site_of("https://www.wenzhou.gov.cn/")
        == ("wenzhou.gov.cn")
    )
    assert site_of("http://127.0.0.1:8000/x") == "127.0.0.1"


@pytest.mark.parametrize(
    ("first", "other"),
    [
        ("http://x.gov.cn/news/index.html", "http://x.gov.cn/news/index_3.html"),
        ("http://x.gov.cn/news/", "http://x.gov.cn/news/page_2.html"),
        ("http://x.gov.cn/news/list.jsp?cat=5", "http://x.gov.cn/news/list.jsp?cat=5&page=2"),
        ("http://x.gov.cn/news/list?pageNo=1&c=2", "http://x.gov.cn/news/list?c=2&pageNo=7"),
        ("http://x.gov.cn/news/", "http://x.gov.cn/news/page/4/"),
    ],
)
def test_pages_of_one_list_share_a_key(first, other):
    assert listing_key(first) == listing_key(other)


def test_articles_are_not_pages_of_the_list():
    assert listing_key("http://x.gov.cn/news/index.html") != listing_key(
        "http://x.gov.cn/news/art_2024_1.html"
    )
    assert listing_key("http://x.gov.cn/news/") != listing_key("http://x.gov.cn/news/2023/")


def test_pager_links_by_text_and_number():
    page = _page(
        '<a href="index_1.html">下一页</a><a href="index_9.html">尾页</a>'
        '<a href="index_2.html">3</a><a href="../col999/index_1.html">下一页</a>'
        '<a href="art_1.html">2</a><a href="index.html">1</a>'
    )
    base = "http://www.example.gov.cn/col/col123/"
    assert page.pager == [base + "index_1.html", base + "index_9.html", base + "index_2.html"]


def test_query_pager():
    page = _page(
        '<a href="?page=2">下一页</a> <a href="list.jsp?page=3">3</a>',
        "http://x.gov.cn/a/list.jsp?page=1",
    )
    assert page.pager == ["http://x.gov.cn/a/list.jsp?page=2", "http://x.gov.cn/a/list.jsp?page=3"]


def test_js_pager_calls():
    trs = _page('<script>createPageHTML(3, 0, "index", "html");</script>')
    base = "http://www.example.gov.cn/col/col123/"
    assert trs.pager == [base + "index.html", base + "index_1.html", base + "index_2.html"]
    suzhou = _page(
        "<script>window.onload=function() {createPageHTML('page_div',2, 1,"
        "'nav_list','shtml',22);}</script>"
    )
    assert suzhou.pager == [base + "nav_list.shtml", base + "nav_list_1.shtml"]
    # an AJAX list's pager is computed at run time: nothing to follow
    ajax = _page("<script>pageBox.html(createPageHTML(res.totalPages, urlObj.page));</script>")
    assert ajax.pager == []


def test_attachments_by_extension_text_viewer_and_script():
    page = _page(
        '<a href="/files/a.PDF">2026年部门预算</a>'
        '<a href="/download.do?id=9">南通市政府办公室2026年度部门预算公开.pdf</a>'
        '<a href="/viewer.html?file=/files/b.pdf">在线查看</a>'
        '<a href="/getfile?id=3">附件2：预算表</a>'
        '<a href="/art/x.html">附件说明</a>'
        '<iframe src="/files/c.pdf"></iframe>'
        '<script>var sPdfUrl = "/cms_files/d.pdf";</script>'
        '<a href="/files/e.zip">打包下载</a>'
    )
    docs = {(d.url.split(".gov.cn", 1)[1], d.ext) for d in page.attachments}
    assert docs == {
        ("/files/a.PDF", "pdf"),
        ("/download.do?id=9", "pdf"),
        ("/files/b.pdf", "pdf"),
        ("/getfile?id=3", ""),  # 附件 says so; its bytes will tell the format
        ("/files/c.pdf", "pdf"),
        ("/cms_files/d.pdf", "pdf"),
        ("/files/e.zip", "zip"),
    }
    assert "http://www.example.gov.cn/art/x.html" in {x.url for x in page.links}


def test_truncated_list_titles_use_the_title_attribute():
    page = _page('<a href="/a.html" title="温州市公安局2026年部门预算">温州市公安局2026年部...</a>')
    assert page.links[0].text == "温州市公安局2026年部门预算"


def test_stub_pages():
    meta = _page("", head='<meta http-equiv="refresh" content="0; url=/new/index.html">')
    assert (meta.stub, meta.redirect) == ("redirect", "http://www.example.gov.cn/new/index.html")
    script = _page('<script>location.href="/col/col1229886216/index.html";</script>')
    assert script.stub == "redirect" and script.redirect.endswith("/col/col1229886216/index.html")
    computed = _page(
        "<script>setTimeout(function(){window.location.href=url;},3000);</script>"
        + "<span>某部门</span>" * 200,
        head="<title>跳转中...</title>",
    )
    assert computed.stub == "js_redirect"
    content = _page("<p>" + "正文" * 200 + "</p><script>location.href='/x';</script>")
    assert content.stub == ""  # a real page with a script that may move on: read as it is


def test_gbk_page_titles_and_links():
    html = (
        '<html><head><meta charset="gbk"><title>某市教育局2026年部门预算</title></head>'
        '<body><a href="/f/预算.pdf">附件：某市教育局2026年部门预算</a></body></html>'
    )
    page = parse_page(html.encode("gbk"), BASE)
    assert page.title == "某市教育局2026年部门预算"
    assert page.attachments[0].text == "附件：某市教育局2026年部门预算"
    assert normalize(page.attachments[0].url).endswith("/f/%E9%A2%84%E7%AE%97.pdf")
