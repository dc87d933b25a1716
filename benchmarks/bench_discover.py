"""Discovery speed on a synthetic portal served on 127.0.0.1 (no politeness gap): a list of
LISTS pages with ARTICLES report articles each, half with a PDF attachment, half reports in
the page itself (GBK), and 5 non-report links per page. Times a first run (everything new)
and a second run (nothing new: pages re-read with conditional GETs, no document downloaded).

.venv/bin/python benchmarks/bench_discover.py [LISTS] [ARTICLES]

Prints wall and CPU seconds and pages per CPU-second. On a real portal the per-host rate
limit (1 s by default) dominates: a first run costs about one second per page and document.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnfiscal.discover import run_discovery  # noqa: E402
from cnfiscal.fetch import FetchConfig  # noqa: E402
from cnfiscal.settings import Settings  # noqa: E402
from tests.discover.site import Site, article, listing, pdf_bytes  # noqa: E402

IN_PAGE = "".join(
    f"<p>{n}、本部门2026年收入预算{n}00.00万元，支出预算{n}00.00万元，其中基本支出{n}0.00万元，"
    f"项目支出{n}0.00万元，财政拨款收入{n}00.00万元。</p>"
    for n in range(1, 9)
)


def build(site: Site, lists: int, articles: int) -> None:
    site.page("/robots.txt", "User-agent: *\nAllow: /\n")
    for p in range(lists):
        items = []
        for a in range(articles):
            title = f"某市第{p}-{a}局2026年部门预算"
            path = f"/art/{p}-{a}.html"
            items.append((path, title))
            if a % 2:
                site.page(path, article(title, IN_PAGE, charset="gbk"), encoding="gbk")
            else:
                site.page(path, article(title, f'<a href="/f/{p}-{a}.pdf">附件：{title}.pdf</a>'))
                site.file(f"/f/{p}-{a}.pdf", pdf_bytes(f"{p}-{a}"))
        items += [(f"/news/{p}-{k}.html", f"市政府召开第{k}次常务会议") for k in range(5)]
        nxt = f'<a href="index_{p + 1}.html">下一页</a>' if p + 1 < lists else ""
        name = "index.html" if p == 0 else f"index_{p}.html"
        site.page(f"/list/{name}", listing("部门预算", items, nxt))


def main() -> None:
    lists = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    articles = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    site = Site()
    build(site, lists, articles)
    config = FetchConfig(per_host_interval_s=0.0, timeout_s=5.0, retries=0)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        (corpus / "catalog.yaml").write_text("sources: []\n", encoding="utf-8")
        (corpus / "portals.yaml").write_text(
            f"portals:\n  - name: bench\n    url: {site.url('/list/index.html')}\n"
            f"    max_pages: {lists * (articles + 1) + 1}\n    max_listing_pages: {lists}\n"
            f"    max_documents: {lists * articles}\n",
            encoding="utf-8",
        )
        settings = Settings(Path(tmp) / "warehouse", corpus / "catalog.yaml")
        for label in ("first run", "second run"):
            wall, cpu = time.perf_counter(), time.process_time()
            run = run_discovery(settings, config=config)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            pages = sum(p["pages"] for p in run.report["portals"])
            docs = sum(p["documents"] for p in run.report["portals"])
            print(
                f"{label}: {pages} pages, {docs} documents, {run.report['added']} added, "
                f"{run.report['known']} known, {run.report['skipped']} skipped; "
                f"wall {wall:.2f} s, CPU {cpu:.2f} s ({pages / cpu:.0f} pages per CPU-second; "
                "server threads included)"
            )
    site.close()


if __name__ == "__main__":
    main()
