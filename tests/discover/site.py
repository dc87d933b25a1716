"""A small government-style website served for real on 127.0.0.1 (ThreadingHTTPServer on a
random port), built by each test: pages, documents, redirects, dead links, robots.txt."""

from __future__ import annotations

import hashlib
import io
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Resource:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before answering (a slow server)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        site: Site = self.server.site  # type: ignore[attr-defined]
        site.log.append((time.monotonic(), self.path))
        res = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
        if res is None:
            res = Resource(b"<html><body>404 Not Found</body></html>", 404)
        if res.delay_s:
            time.sleep(res.delay_s)
        etag = '"' + hashlib.sha1(res.body).hexdigest()[:16] + '"'
        if res.status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(res.status)
        self.send_header("Content-Type", res.content_type)
        if res.status == 200:
            self.send_header("ETag", etag)
        for name, value in res.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(res.body)))
        self.end_headers()
        self.wfile.write(res.body)

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Resource] = {}
        self.log: list[tuple[float, str]] = []
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.site = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, html: str, encoding: str = "utf-8") -> None:
        self.routes[path] = Resource(html.encode(encoding))

    def file(self, path: str, body: bytes, content_type: str = "application/octet-stream"):
        self.routes[path] = Resource(body, content_type=content_type)

    def redirect(self, path: str, target: str, status: int = 302) -> None:
        self.routes[path] = Resource(b"", status, headers={"Location": target})

    def hits(self, path: str) -> int:
        return sum(1 for _, p in self.log if p == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def article(title: str, body: str, charset: str = "utf-8") -> str:
    """An article page as gov CMSs write them: furniture around a title and a content div."""
    return f"""<!DOCTYPE html><html><head><meta charset="{charset}">
<meta name="ArticleTitle" content="{title}"><title>{title}_政务公开_某市人民政府</title></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/list/index.html">财政预决算</a></div>
<div class="main"><h1>{title}</h1><p>发布日期：2026-02-01</p><div id="zoom">{body}</div></div>
<div class="footer">版权所有 某市人民政府 <a href="/about.html">联系我们</a></div></body></html>"""


def listing(title: str, items: list[tuple[str, str]], pager: str = "") -> str:
    lis = "\n".join(
        f'<li><a href="{h}" title="{t}">{t}</a><span>2026-02-01</span></li>' for h, t in items
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a>
<a href="/list/index.html">部门预算</a></div>
<div class="list"><ul>{lis}</ul><div class="pager">{pager}</div></div></body></html>"""


def pdf_bytes(title: str) -> bytes:
    """A real one-page PDF (pypdf); the title makes each one's bytes differ."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def zip_bytes() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    return buf.getvalue()
