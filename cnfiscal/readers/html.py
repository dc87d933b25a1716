"""HTML pages as published by government sites: main-content text and <table> cells.

Sites wrap the report in navigation, share buttons, 发布日期/责任编辑 lines and footers. The main
content is found by descending from <body> into the child that holds most of the non-link
text; remaining boilerplate lines are dropped by pattern.
"""

from __future__ import annotations

import re

from cnfiscal.model import ParseIssue
from cnfiscal.readers import ParsedDocument, Table
from cnfiscal.readers.limits import MAX_TEXT_CHARS
from cnfiscal.readers.text import decode_html

_DROP_TAGS = "script,style,noscript,template,iframe,object,embed,svg,canvas,nav,select,button,form"
_BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    "article", "ul", "ol", "dd", "dt", "blockquote", "pre", "hr", "td", "th", "caption",
}  # fmt: skip
# A line that is only site furniture (dates, editors, share/print links, font-size switches).
_BOILERPLATE = re.compile(
    r"^\s*(?:(?:发布|更新|成文|印发)?(?:日期|时间)[:：].{0,40}|来源[:：].{0,40}|"
    r"(?:责任)?编辑[:：].{0,20}|(?:作者|审核|校对|浏览次数|访问量|点击数)[:：].{0,20}|"
    r"分享到?[:：]?|字号[:：]?|[【\[]?\s*(?:大|中|小)\s*[】\]]?|打印(?:本页)?|关闭(?:窗口|本页)?|"
    r"返回顶部|【?收藏】?|扫一扫.{0,20}|首页|>|网站地图|联系我们|"
    r"(?:版权所有|主办单位|承办单位|网站标识码|ICP备|公网安备).*|[\|｜\s]+)\s*$"
)


# links to report files: <a href>, <iframe src>, and URLs in scripts (pdf viewers' PdfUrl = "…")
_ATTACHMENT = re.compile(
    r"""["'(]([^"'()<>\s]+?\.(?:pdf|docx?|xlsx?|wps|et))(?:[?#][^"'()<>\s]*)?["')]""", re.I
)
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def _attachments(html: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in _ATTACHMENT.finditer(html)))[:50]


def _text_len(node) -> int:
    return len(re.sub(r"\s+", "", node.text(deep=True) or ""))


def _link_len(node) -> int:
    return sum(_text_len(a) for a in node.css("a"))


def _main_node(body):
    """Descend while one child holds most of the node's non-link text."""
    node = body
    for _ in range(60):
        best, best_len = None, 0
        own = _text_len(node) - _link_len(node)
        child = node.child
        while child is not None:
            if child.tag and not child.tag.startswith("-"):
                n = _text_len(child) - _link_len(child)
                if n > best_len:
                    best, best_len = child, n
            child = child.next
        if best is None or own <= 0 or best_len < 0.7 * own:
            return node
        node = best
    return node


def _node_lines(node) -> list[str]:
    """Text of a node with line breaks at block elements."""
    parts: list[str] = []

    def walk(n) -> None:
        child = n.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                parts.append(child.text_content or "")
            elif tag and not tag.startswith("-"):
                block = tag in _BLOCK_TAGS
                if block:
                    parts.append("\n")
                if tag in ("td", "th"):
                    parts.append("\t")
                walk(child)
                if block:
                    parts.append("\n")
            child = child.next

    walk(node)
    text = "".join(parts).replace("\xa0", " ").replace("\u3000", " ")
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n")]
    return [ln for ln in lines if ln]


def _cell_text(cell) -> str:
    return re.sub(r"\s+", "", cell.text(deep=True) or "").strip()


def _table_rows(table) -> list[list[str]]:
    """Grid of cell strings with rowspan/colspan expanded (a spanned cell repeats)."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.css("tr")):
        if tr.parent is not None and tr.parent.tag not in ("table", "tbody", "thead", "tfoot"):
            continue
        row: list[str] = []
        c = 0
        cells = [ch for ch in tr.iter() if ch.tag in ("td", "th")]
        for cell in cells:
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            text = _cell_text(cell)
            try:
                cs = max(1, min(int(cell.attributes.get("colspan") or 1), 50))
                rs = max(1, min(int(cell.attributes.get("rowspan") or 1), 500))
            except ValueError:
                cs, rs = 1, 1
            for k in range(cs):
                row.append(text)
                for dr in range(1, rs):
                    pending[(r + dr, c + k)] = text
            c += cs
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        if any(row):
            grid.append(row)
    return grid


def _title_above(table) -> tuple[str, str]:
    """The nearest preceding text lines (caption or heading) and a 单位 line if one is there."""
    lines: list[str] = []
    cap = table.css_first("caption")
    if cap is not None:
        lines.append(_cell_text(cap))
    node = table.prev
    hops = 0
    while node is not None and len(lines) < 3 and hops < 12:
        hops += 1
        if node.tag and node.tag != "-comment":
            text = re.sub(r"\s+", "", node.text(deep=True) or "")
            if node.tag == "table":
                break
            if text:
                lines.insert(0, text[-80:])
        node = node.prev
    title = " ".join(lines)
    unit = ""
    m = re.search(r"单位[:：]?\s*(万元|元|亿元)", title + " " + _cell_text(table)[:200])
    if m:
        unit = m.group(1)
    return title, unit


def read_html(data: bytes) -> ParsedDocument:
    from selectolax.lexbor import LexborHTMLParser

    text, issues = decode_html(data)
    doc = ParsedDocument(format="html", issues=issues)
    title = _TITLE_TAG.search(text[:20000])
    if title:
        doc.title = re.sub(r"\s+", " ", title.group(1)).strip()[:200]
    doc.attachments = _attachments(text)
    tree = LexborHTMLParser(text)
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    body = tree.body or tree.root
    if body is None:
        doc.issues.append(ParseIssue("error", "html_empty", "HTML page has no content"))
        return doc
    for node in body.css("header,footer"):
        node.decompose()
    main = _main_node(body)
    lines = [ln for ln in _node_lines(main) if not _BOILERPLATE.match(ln)]
    doc.text = "\n".join(lines)[:MAX_TEXT_CHARS]
    if not doc.text.strip():
        doc.issues.append(ParseIssue("error", "html_no_text", "HTML page has no readable text"))
    for i, table in enumerate(main.css("table")):
        if len(table.css("table")) > 1:
            continue  # layout table wrapping a data table: the inner one is taken
        rows = _table_rows(table)
        if len(rows) < 2:
            continue
        title, unit = _title_above(table)
        doc.tables.append(Table(rows=rows, index=len(doc.tables), title=title, unit=unit))
        del i
    if not doc.tables:
        from cnfiscal.readers.html_pages import positioned_tables

        doc.tables = positioned_tables(main, doc.issues)
    return doc
