"""Real crawl results (../shared/corpus/wild/*.html): what discovery meets on government
sites — article pages with an embedded PDF, 附件 download links, 部门预算公开目录 lists,
script redirects, a bot challenge, 信息公开目录 pages full of application forms."""

import pytest

from cnfiscal.discover.pages import parse_page
from cnfiscal.discover.titles import classify_titles, exclusion

BASE = "https://www.example.gov.cn/col/a/index.html"


@pytest.fixture(scope="module")
def wild(shared_dir):
    folder = shared_dir / "corpus" / "wild"
    if not folder.is_dir():
        pytest.skip("../shared/corpus/wild is not there")

    def read(city: str, agency: str):
        (path,) = folder.glob(f"renwu__*_{city}__{agency}_*.html")
        return parse_page(path.read_bytes(), BASE)

    read.folder = folder
    return read


def test_wenzhou_article_yields_its_embedded_pdf(wild):
    page = wild("温州", "公安局")
    info = classify_titles(page.titles)
    assert (info.role, info.kind, info.year, info.agency) == (
        "report",
        "budget",
        2026,
        "温州市公安局",
    )
    (doc,) = page.attachments  # set from a script (var sPdfUrl = "…pdf"), not a link
    assert doc.ext == "pdf"
    assert doc.url == (
        "https://www.example.gov.cn/cms_files/filemanager/1544130/attach/20262/"
        "56571FC6B3E537667EF4719DFC2DAC18.pdf"
    )


def test_nantong_article_yields_its_attachment_link(wild):
    page = wild("南通", "政府办公厅")
    assert classify_titles(page.titles).agency == "南通市人民政府办公室"
    (doc,) = page.attachments  # download.do?id=…, the link text is the file name
    assert doc.ext == "pdf" and "download.do?id=650d48cd" in doc.url
    assert doc.text == "南通市政府办公室2026年度部门预算公开.pdf"


def test_tianjin_agency_page_in_a_budget_directory(wild):
    page = wild("天津", "教育局")
    info = classify_titles(page.titles)
    assert (info.role, info.year, info.agency) == ("listing", 2018, "天津市教育委员会")
    (doc,) = page.attachments
    assert doc.ext == "zip"  # an archive: skipped as unsupported_format by the crawl
    # the breadcrumb leads back to the directory: a list of reports
    directory = [x for x in page.links if x.text == "2018年部门预算公开目录"]
    assert directory and classify_titles([directory[0].text]).role == "listing"


@pytest.mark.parametrize("agency", ["财政局", "教育局", "民政局"])
def test_dongguan_jump_pages_are_script_redirects(wild, agency):
    page = wild("东莞", agency)
    assert page.title == "跳转中..." and page.stub == "js_redirect" and page.redirect is None


def test_ningbo_office_page_moves_on_to_a_fixed_address(wild):
    page = wild("宁波", "政府办公厅")
    assert page.stub == "redirect"
    assert page.redirect == "https://www.example.gov.cn/col/col1229886216/index.html"


def test_wuhan_cookie_challenge(wild):
    assert wild("武汉", "人力资源和社会保障局").stub == "bot_challenge"


def test_suzhou_js_pager(wild):
    page = wild("苏州", "市场监督管理局")
    assert page.pager == [
        "https://www.example.gov.cn/col/a/nav_list.shtml",
        "https://www.example.gov.cn/col/a/nav_list_1.shtml",
    ]


def test_jinan_disclosure_pages_offer_forms_not_reports(wild):
    forms = [d for a in ("信访局", "财政局", "公安局") for d in wild("济南", a).attachments]
    named = [d for d in forms if d.text]
    assert named and all(exclusion(d.text) for d in named if d.ext in ("doc", "docx"))


def test_jinan_ajax_disclosure_list_is_a_script_page(wild):
    assert wild("济南", "医疗保障局").stub == "script_page"


def test_every_wild_page_parses_and_content_pages_are_not_stubs(wild):
    for path in sorted(wild.folder.glob("*.html")):
        page = parse_page(path.read_bytes(), BASE)
        if page.titles and "跳转" in page.titles[-1]:  # the <title>
            assert page.stub == "js_redirect", path.name
        elif page.attachments or len(page.links) >= 5:
            assert page.stub == "", path.name
