"""The site in a real browser: Debian's headless Chromium driven by Selenium over a site built
by the whole pipeline on the bundled seeds and served by http.server."""

import functools
import hashlib
import http.server
import shutil
import subprocess
import threading
import urllib.request
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cnfiscal.exports import read_sums
from cnfiscal.settings import REPO_ROOT, Settings

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SETUP = REPO_ROOT / "scripts" / "test_setup.sh"
EZHOU = "ezhou-zwfw-budget-2019"


def _browser_or_skip():
    if not (CHROMIUM.exists() and DRIVER.exists()) and SETUP.exists():
        subprocess.run(["bash", str(SETUP)], capture_output=True, timeout=600, check=False)
    if not (CHROMIUM.exists() and DRIVER.exists()):
        pytest.skip(
            "no /usr/bin/chromium + chromedriver and scripts/test_setup.sh could not "
            "install them (needs root and apt-get with the Debian mirror reachable)"
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from pipelines.definitions import build_defs

    settings = Settings(tmp_path_factory.mktemp("warehouse"), REPO_ROOT / "corpus" / "catalog.yaml")
    result = (
        build_defs(settings)
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(raise_on_error=False)
    )
    assert result.success
    return settings, settings.warehouse_dir / "site"


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built[1]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1100,2200",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=opts)
    yield driver
    driver.quit()


def _agency_id(settings):
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return con.execute(
            "select agency_id from marts.dim_document where source_id = ?", [EZHOU]
        ).fetchall()[0][0]


def test_site_files_and_dbt_docs(built):
    settings, site = built
    assert (site / "index.html").exists() and (site / "dictionary.html").exists()
    assert (site / "dbt-docs" / "index.html").exists()
    assert (site / "dbt-docs" / "catalog.json").exists()
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        n = con.execute("select count(*) from marts.dim_agency").fetchall()[0][0]
    assert len(list((site / "agencies").glob("*.html"))) == n


def test_agency_page_charts_match_the_warehouse(built, server, browser, tmp_path_factory):
    from selenium.webdriver.common.by import By

    settings, _ = built
    agency = _agency_id(settings)
    browser.get(f"{server}/agencies/{agency}.html")
    assert "鄂州市政务服务中心" in browser.find_element(By.TAG_NAME, "h2").text
    rects = browser.find_elements(By.CSS_SELECTOR, "#chart-function rect.bar")
    drawn = {
        (r.get_attribute("data-series"), Decimal(r.get_attribute("data-value"))) for r in rects
    }
    assert all(r.size["height"] > 0 for r in rects if Decimal(r.get_attribute("data-value")) > 0)
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        marts = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        if "fct_spending_by_function" in marts:  # the derived mart, when it exists
            sql = (
                "select class_name, amount_wan_yuan from marts.fct_spending_by_function s "
                "join marts.dim_document d using (document_id) where d.source_id = ? "
                "and class_level = '类' and s.fiscal_year = 2019 and basis = 'budget'"
            )
        else:
            sql = (
                "select label, amount_wan_yuan from marts.fct_fiscal_facts f "
                "join marts.dim_document d using (document_id) where d.source_id = ? "
                "and statement = 'expenditure' and item like 'func:%' and length(code) = 3 "
                "and scope = 'all' and basis = 'budget' and year = 2019 "
                "and measure = 'amount'"
            )
        expected = set(con.execute(sql, [EZHOU]).fetchall())
        assert drawn == expected and len(drawn) >= 3
        # every bar of every chart is a figure of this agency's reports, with its sentence
        for r in browser.find_elements(By.CSS_SELECTOR, "rect.bar"):
            value = Decimal(r.get_attribute("data-value"))
            row = browser.find_element(By.ID, r.get_attribute("data-fact"))
            evidence = [
                e
                for (e,) in con.execute(
                    "select evidence from marts.fct_fiscal_facts where document_id = ? "
                    "and agency_id = ? and amount_wan_yuan = ?",
                    [r.get_attribute("data-document"), agency, value],
                ).fetchall()
            ]
            text = " ".join(row.text.split())  # the browser collapses white space
            assert any(e and " ".join(e.split())[:15] in text for e in evidence), (value, text)
    # taller bar, larger number: the drawing agrees with the data
    by_value = sorted(rects, key=lambda r: Decimal(r.get_attribute("data-value")))
    assert by_value[-1].size["height"] > by_value[0].size["height"]
    # the source report link resolves
    href = browser.find_element(By.CSS_SELECTOR, "a.src").get_attribute("href")
    with urllib.request.urlopen(href) as resp:
        assert resp.status == 200 and "鄂州" in resp.read().decode("utf-8")
    shot = tmp_path_factory.mktemp("screens") / "agency.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000
    shutil.copy(shot, Path("/tmp") / "cnfiscal-site-agency.png")


def test_download_links_resolve_with_matching_checksums(built, server, browser):
    from selenium.webdriver.common.by import By

    settings, _ = built
    browser.get(f"{server}/index.html")
    links = browser.find_elements(By.CSS_SELECTOR, "#downloads a[download]")
    sums = read_sums(settings.exports_dir)
    assert {a.get_attribute("href").split("/downloads/", 1)[1] for a in links} == {
        p for p in sums if p != "datapackage.json"
    }
    for a in links:
        rel = a.get_attribute("href").split("/downloads/", 1)[1]
        with urllib.request.urlopen(a.get_attribute("href")) as resp:
            assert resp.status == 200
            assert hashlib.sha256(resp.read()).hexdigest() == sums[rel]
    rows = {
        tr.find_element(By.TAG_NAME, "a").text: int(
            tr.find_element(By.CSS_SELECTOR, "[data-rows]").get_attribute("data-rows")
        )
        for tr in browser.find_elements(By.CSS_SELECTOR, "#downloads tr")[1:]
    }
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        n = con.execute("select count(*) from marts.fct_fiscal_facts").fetchall()[0][0]
    assert rows["fct_fiscal_facts.parquet"] == n
