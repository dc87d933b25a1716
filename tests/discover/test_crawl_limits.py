"""The limits discovery keeps: page, list, document and depth caps, robots.txt (rules,
Crawl-delay, unreachable), the per-host rate limit, timeouts, other sites, bad portals."""

from __future__ import annotations

import dataclasses

from cnfiscal.discover import run_discovery
from tests.discover.conftest import FAST, write_portals
from tests.discover.site import Resource, article, listing, pdf_bytes


def paged_site(site, pages: int = 6) -> None:
    """A list of `pages` pages (index.html, index_1.html, …), two report articles on each,
    one PDF per article."""
    site.page("/robots.txt", "User-agent: *\nAllow: /\n")
    for n in range(pages):
        name = "index.html" if n == 0 else f"index_{n}.html"
        items = [(f"/art/{n}-{k}.html", f"市第{n}{k}局2026年部门预算") for k in range(2)]
        nxt = f'<a href="index_{n + 1}.html">下一页</a>' if n + 1 < pages else ""
        site.page(f"/list/{name}", listing("部门预算", items, nxt))
        for k in range(2):
            body = f'<a href="/files/{n}-{k}.pdf">附件：部门预算.pdf</a>'
            site.page(f"/art/{n}-{k}.html", article(f"市第{n}{k}局2026年部门预算", body))
            site.file(f"/files/{n}-{k}.pdf", pdf_bytes(f"{n}-{k}"))


def _reasons(run) -> dict[str, int]:
    return run.report["skipped_by_reason"]


def test_list_page_cap(site, settings):
    paged_site(site)
    write_portals(settings, [{"url": site.url("/list/index.html"), "max_listing_pages": 3}])
    run = run_discovery(settings, config=FAST)
    assert len(run.added) == 6  # three pages of the list, two reports each
    assert _reasons(run) == {"listing_page_cap": 1}
    assert site.hits("/list/index_3.html") == 0


def test_page_and_document_caps(site, settings):
    paged_site(site, pages=2)
    write_portals(settings, [{"url": site.url("/list/index.html"), "max_pages": 4}])
    run = run_discovery(settings, config=FAST)
    # list page 1, its two articles, list page 2: then the cap
    assert run.report["portals"][0]["pages"] == 4 and len(run.added) == 2
    assert _reasons(run) == {"page_cap": 2}

    paged_site(site, pages=2)
    settings.catalog_path.parent.joinpath("discovered.yaml").unlink()
    write_portals(settings, [{"url": site.url("/list/index.html"), "max_documents": 3}])
    run = run_discovery(settings, config=FAST)
    assert len(run.added) == 3 and _reasons(run) == {"document_cap": 1}


def test_depth_cap(site, settings):
    paged_site(site, pages=1)
    write_portals(settings, [{"url": site.url("/list/index.html"), "max_depth": 1}])
    run = run_discovery(settings, config=FAST)
    assert run.added == [] and _reasons(run) == {"depth_cap": 2}  # the PDFs are two hops away
    assert site.hits("/files/0-0.pdf") == 0


def test_rate_limit_and_crawl_delay(site, settings):
    paged_site(site, pages=1)
    write_portals(settings, [{"url": site.url("/list/index.html")}])
    run_discovery(settings, config=dataclasses.replace(FAST, per_host_interval_s=0.2))
    times = [t for t, _ in site.log]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 6 and min(gaps) > 0.15  # robots, list, 2 articles, 2 PDFs

    site.log.clear()
    site.page("/robots.txt", "User-agent: cnfiscal\nCrawl-delay: 1\nAllow: /\n")
    settings.catalog_path.parent.joinpath("discovered.yaml").unlink()
    run_discovery(settings, config=FAST)  # no gap of our own: the site asks for one
    times = [t for t, _ in site.log]
    gaps = [b - a for a, b in zip(times[1:], times[2:], strict=False)]  # after robots.txt
    assert len(gaps) == 4 and min(gaps) > 0.9


def test_robots_rules_and_an_unreachable_robots_txt(site, settings):
    paged_site(site, pages=1)
    site.page("/robots.txt", "User-agent: cnfiscal\nDisallow: /files/\n")
    write_portals(settings, [{"url": site.url("/list/index.html")}])
    run = run_discovery(settings, config=FAST)
    assert run.added == [] and _reasons(run) == {"robots_disallowed": 2}
    assert site.hits("/files/0-0.pdf") == 0

    # robots.txt down: the copy read last time still holds (RFC 9309 allows it)…
    site.routes["/robots.txt"] = Resource(b"down", 503)
    assert _reasons(run_discovery(settings, config=FAST)) == {"robots_disallowed": 2}
    # …and without one, nothing on the site is fetched
    fresh = dataclasses.replace(settings, warehouse_dir=settings.warehouse_dir.with_name("w2"))
    run = run_discovery(fresh, config=FAST)
    assert _reasons(run) == {"robots_unavailable": 1}
    assert site.hits("/list/index.html") == 2  # not by the run without robots.txt

    site.routes.pop("/robots.txt")  # a 404: no rules, everything allowed
    assert len(run_discovery(fresh, config=FAST).added) == 2


def test_timeouts_and_dead_hosts_are_skips(site, settings):
    paged_site(site, pages=1)
    site.routes["/art/0-1.html"].delay_s = 1.5
    write_portals(
        settings,
        [
            {"name": "slow", "url": site.url("/list/index.html")},
            {"name": "gone", "url": "http://127.0.0.1:9/list/index.html"},
        ],
    )
    config = dataclasses.replace(FAST, timeout_s=0.5, total_deadline_s=1.0)
    run = run_discovery(settings, config=config)
    assert len(run.added) == 1
    slow, gone = run.report["portals"]
    assert [s["reason"] for s in slow["skipped"]] == ["fetch_timeout"]
    assert [s["reason"] for s in gone["skipped"]] == ["robots_unavailable"]


def test_other_sites_are_followed_only_when_named(site, settings):
    other = site.url("/art/0-0.html").replace("127.0.0.1", "localhost")
    site.page("/robots.txt", "")
    site.page("/list/index.html", listing("部门预算", [(other, "市第00局2026年部门预算")]))
    site.page("/art/0-0.html", article("市第00局2026年部门预算", '<a href="/f.pdf">附件</a>'))
    site.file("/f.pdf", pdf_bytes("f"))
    write_portals(settings, [{"url": site.url("/list/index.html")}])
    run = run_discovery(settings, config=FAST)
    assert run.added == [] and _reasons(run) == {"off_site": 1}

    write_portals(settings, [{"url": site.url("/list/index.html"), "hosts": ["localhost"]}])
    (row,) = run_discovery(settings, config=FAST).added
    assert row["location"].startswith("http://localhost:")


def test_directory_of_agency_pages_followed_by_link_pattern(site, settings):
    # 天津: 预算公开 → 2019年部门预算公开目录 → one page per agency (its name only) → file
    site.page("/robots.txt", "")
    site.page("/ysgk/", listing("预算公开", [("/ysgk/2019ml/", "2019年部门预算公开目录")]))
    site.page(
        "/ysgk/2019ml/",
        listing(
            "2019年部门预算公开目录",
            [
                ("/ysgk/2019ml/t1.html", "天津市教育委员会"),
                ("/ysgk/2019ml/t2.html", "天津市商务局"),
            ],
        ),
    )
    for page, agency, href in (
        ("t1", "天津市教育委员会", "W1.pdf"),
        ("t2", "天津市商务局", "W2.zip"),
    ):
        html = article(agency, f'<a href="{href}">{agency}</a>').replace(
            f"<title>{agency}_政务公开_某市人民政府</title>",
            f"<title>{agency}_2019年部门预算公开目录_天津市财政局</title>",
        )
        site.page(f"/ysgk/2019ml/{page}.html", html)
    site.file("/ysgk/2019ml/W1.pdf", pdf_bytes("W1"))
    write_portals(
        settings, [{"url": site.url("/ysgk/"), "region": "天津市", "link_pattern": r"/t\d+\.html$"}]
    )
    run = run_discovery(settings, config=FAST)
    (row,) = run.added
    assert row["location"].endswith("/ysgk/2019ml/W1.pdf")
    assert row["hints"] == {
        "agency": "天津市教育委员会",
        "fiscal_year": 2019,
        "doc_kind": "budget",
        "region": "天津市",
    }
    assert _reasons(run) == {"unsupported_format": 1}


def test_bad_portals_are_problems_not_crashes(settings):
    write_portals(
        settings,
        [
            {"name": "ftp", "url": "ftp://example.gov.cn/list/"},
            {"name": "regex", "url": "http://127.0.0.1:9/", "link_pattern": "("},
            {"name": "caps", "url": "http://127.0.0.1:9/", "max_pages": "many"},
        ],
    )
    run = run_discovery(settings, config=FAST)
    assert run.report["portals"] == [] and len(run.report["problems"]) == 3
    assert not (settings.catalog_path.parent / "discovered.yaml").exists()


def test_in_page_report_behind_a_script_redirect_is_catalogued_at_its_address(site, settings):
    from tests.discover.test_crawl_site import GBK_REPORT

    site.page("/robots.txt", "")
    site.page("/list/index.html", listing("部门预算", [("/old.html", "某市教育局2026年部门预算")]))
    site.page("/old.html", '<html><head><meta http-equiv="refresh" content="0;url=/new.html">')
    site.page("/new.html", article("某市教育局2026年部门预算", GBK_REPORT, "gbk"), "gbk")
    write_portals(settings, [{"url": site.url("/list/index.html")}])
    (row,) = run_discovery(settings, config=FAST).added
    assert row["location"] == site.url("/new.html")  # the ingest does not run page scripts
    assert run_discovery(settings, config=FAST).report["known"] == 1
