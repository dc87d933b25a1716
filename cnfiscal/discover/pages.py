"""One fetched HTML page as discovery reads it: its title, its links, the pages of its list,
the documents it offers (attachments, embedded PDFs, files named in scripts), whether it is
only a stub that moves the browser on, and whether its own text is a report.

Decoding is the readers' (GBK pages included); tags are read with selectolax, as there."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from cnfiscal.discover.urls import listing_key, normalize, resolve, scheme_of
from cnfiscal.discover.vocab import words
from cnfiscal.readers.text import decode_html

STUB_TEXT_CHARS = 200  # a page with less visible text than this is furniture, not content
STUB_MIN_LINKS = 5  # …unless it offers documents or at least this many links
IN_PAGE_MIN_CHARS = 300  # a report in the page itself is at least this long (CJK)…
IN_PAGE_MIN_MARKERS = 3  # …and says 万元, 支出, 收入 and the like
_HTML_LIKE = re.compile(r"\.(?:s?html?|jsp|php|aspx?)$", re.I)
_META_REFRESH = re.compile(r"^\s*\d*\s*;?\s*url\s*=\s*['\"]?([^'\"]+)", re.I)
_JS_LOCATION = re.compile(
    r"(?:window\.|document\.|self\.|top\.|parent\.)?location(?:\.href)?\s*=\s*[\"']([^\"']+)[\"']"
    r"|location\.(?:replace|assign)\(\s*[\"']([^\"']+)[\"']\s*\)"
)
_PAGER_CALL = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_INT = re.compile(r"^\d+$")
_QUOTED = re.compile(r"^[\"'](.*)[\"']$")


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    ext: str = ""  # the document extension the link shows, "" when only its text says 附件


@dataclass
class Page:
    url: str  # where the page was read from: the base of its relative links
    titles: list[str]  # best first: ArticleTitle meta, headings, <title>
    links: list[Link]
    pager: list[str]  # other pages of the same list
    attachments: list[Link]
    stub: str = ""  # "" | "redirect" (target below) | "js_redirect" | "bot_challenge" |
    # "script_page"
    redirect: str | None = None
    text_chars: int = 0
    issues: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.titles[0] if self.titles else ""


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.text(deep=True) or "").strip() if node is not None else ""


def _link_text(a) -> str:
    """Lists cut long titles ("温州市公安局2026年部..."); the title attribute keeps them whole."""
    text = _text(a)
    title = (a.attributes.get("title") or "").strip()
    return title if len(title) > len(text.rstrip(".…")) else text


def ext_of(url: str) -> str:
    """The file extension of a URL's last path segment, lower-case ('' if none)."""
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _document_ext(ext: str) -> bool:
    vocab = words()
    return ext in vocab.attachment_exts or ext in vocab.unsupported_exts


def _viewer_target(url: str) -> str | None:
    """pdf.js-style viewers name the file in a parameter: viewer.html?file=/a/b.pdf."""
    for key, value in parse_qsl(urlsplit(url).query):
        if key.lower() in words().file_params and _document_ext(ext_of(value)):
            return resolve(url, value)
    return None


def _as_document(url: str, text: str) -> Link | None:
    """The document a link points at, if it points at one: by the URL's extension, a
    viewer's file parameter, a link text that is a file name (download.do?id=… links), or a
    link text that says 附件 (its format is then known only from its bytes)."""
    if _document_ext(ext_of(url)):
        return Link(url, text, ext_of(url))
    inner = _viewer_target(url)
    if inner:
        return Link(inner, text, ext_of(inner))
    named = ext_of("/" + text.strip()) if "." in text else ""
    if _document_ext(named) and " " not in text.strip()[-8:]:
        return Link(url, text, named)
    if any(text.startswith(w) for w in words().attachment_words) and not _HTML_LIKE.search(
        urlsplit(url).path
    ):
        return Link(url, text, "")
    return None


def _script_documents(tree, base: str) -> list[Link]:
    """File URLs written into scripts: sites that show a PDF in a viewer often set its
    address from JavaScript (温州: var sPdfUrl = "/cms_files/…/x.pdf")."""
    exts = "|".join(sorted(words().attachment_exts, key=len, reverse=True))
    literal = re.compile(rf"[\"']([^\"'<>\s]+\.(?:{exts}))(?:[?#][^\"'<>\s]*)?[\"']", re.I)
    out = []
    for script in tree.css("script"):
        for m in literal.finditer(script.text() or ""):
            url = resolve(base, m.group(1))
            if url:
                out.append(Link(url, "", ext_of(url)))
    return out


def _embedded_documents(tree, base: str) -> list[Link]:
    out = []
    for node in tree.css("iframe, embed, object"):
        src = node.attributes.get("src") or node.attributes.get("data") or ""
        url = resolve(base, src)
        if url:
            doc = _as_document(url, node.attributes.get("title") or "")
            if doc is not None and doc.ext:
                out.append(doc)
    return out


def _pager_call_urls(raw: str, base: str) -> list[str]:
    """Pages announced by a TRS-style pager script: createPageHTML(total, current, "index",
    "html") → index.html, index_1.html … index_{total-1}.html (苏州's variant puts a target
    element first and a record count last: createPageHTML('div', 2, 1, 'nav_list', 'shtml',
    22)). A call with computed arguments (an AJAX list) announces nothing."""
    urls = []
    for m in _PAGER_CALL.finditer(raw):
        args = [a.strip() for a in m.group(1).split(",")]
        ints = [i for i, a in enumerate(args) if _INT.match(a)]
        if len(ints) < 2 or ints[1] != ints[0] + 1:
            continue
        strings = [_QUOTED.match(a).group(1) for a in args[ints[1] + 1 :] if _QUOTED.match(a)]
        if len(strings) < 2 or not re.fullmatch(r"[\w-]+", strings[0] + strings[1]):
            continue
        total, (stem, ext) = int(args[ints[0]]), strings[:2]
        for n in range(min(total, 1000)):
            name = f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}"
            url = resolve(base, name)
            if url:
                urls.append(url)
    return urls


def _pager_links(links: list[Link], base: str) -> list[str]:
    vocab = words()
    here = listing_key(base)
    out = []
    for link in links:
        text = link.text.strip().lower()
        if not (
            text in vocab.next_page or text in vocab.last_page or re.fullmatch(r"\d{1,3}", text)
        ):
            continue
        if listing_key(link.url) == here and normalize(link.url) != normalize(base):
            out.append(link.url)
    return out


def _titles(tree) -> list[str]:
    out = []
    meta = tree.css_first('meta[name="ArticleTitle"]')
    if meta is not None and (meta.attributes.get("content") or "").strip():
        out.append(meta.attributes["content"].strip())
    for sel in ("h1", "h2", ".title", "#title"):
        node = tree.css_first(sel)
        if node is not None and 4 <= len(_text(node)) <= 120:
            out.append(_text(node))
    title = tree.css_first("title")
    if title is not None and _text(title):
        out.append(_text(title))
    seen: set[str] = set()
    return [t for t in out if not (t in seen or seen.add(t))]


def _stub(tree, raw: str, titles: list[str], text_chars: int, base: str, content: bool):
    """A page that only moves the browser on: a meta refresh, a script setting location to
    a fixed address, a 跳转中 page computing it (not followable without running it), a
    cookie challenge for bots, or a near-empty page whose content a script fetches. A page
    with attachments or a real list of links (`content`) is read as it is, whatever its
    scripts do."""
    vocab = words()
    for meta in tree.css("meta"):
        if (meta.attributes.get("http-equiv") or "").lower() == "refresh":
            m = _META_REFRESH.match(meta.attributes.get("content") or "")
            if m and resolve(base, m.group(1)):
                return "redirect", resolve(base, m.group(1))
    titled = any(w in t for t in titles[-1:] for w in vocab.redirect_titles)
    if not titled and (content or text_chars >= STUB_TEXT_CHARS):
        return "", None
    scripts = " ".join(s.text() or "" for s in tree.css("script"))
    if any(marker in raw for marker in vocab.bot_markers) and text_chars < STUB_TEXT_CHARS:
        return "bot_challenge", None
    m = _JS_LOCATION.search(scripts)
    if m:
        target = resolve(base, m.group(1) or m.group(2))
        if target and scheme_of(target) in ("http", "https"):
            return "redirect", target
    if titled:
        return "js_redirect", None
    if scripts.strip():
        return "script_page", None
    return "", None


def parse_page(data: bytes, url: str) -> Page:
    from selectolax.lexbor import LexborHTMLParser

    raw, _ = decode_html(data)
    tree = LexborHTMLParser(raw)
    titles = _titles(tree)
    body = tree.body or tree.root
    links: list[Link] = []
    for a in body.css("a[href]") if body is not None else []:
        target = resolve(url, a.attributes.get("href") or "")
        if target and scheme_of(target) not in ("javascript", "mailto", "tel", "data"):
            links.append(Link(target, _link_text(a)))
    visible = 0
    if body is not None:
        for node in body.css("script, style, noscript, template"):
            node.decompose()
        visible = len(re.sub(r"\s+", "", body.text(deep=True) or ""))
    tree_for_docs = LexborHTMLParser(raw)  # scripts were dropped above; read them again
    attachments = [d for d in (_as_document(x.url, x.text) for x in links) if d is not None]
    attachments += _embedded_documents(tree_for_docs, url) + _script_documents(tree_for_docs, url)
    seen: set[str] = set()
    unique = []
    for doc in attachments:
        key = normalize(doc.url)
        if key not in seen:
            seen.add(key)
            unique.append(doc)
    documents = {normalize(d.url) for d in unique}
    pager = _pager_links(links, url) + _pager_call_urls(raw, url)
    content = bool(unique) or len(links) >= STUB_MIN_LINKS
    stub, target = _stub(tree_for_docs, raw, titles, visible, url, content)
    return Page(
        url=url,
        titles=titles,
        links=[x for x in links if normalize(x.url) not in documents],
        pager=list(dict.fromkeys(pager)),
        attachments=unique,
        stub=stub,
        redirect=target,
        text_chars=visible,
    )


def in_page_report(data: bytes) -> tuple[bool, str]:
    """Is the page's main content itself a report (an HTML 部门预算 with its tables)?
    Read as the ingest will read it (cnfiscal.readers.html), then judged by its length and
    by how many report words (万元, 支出, 收入, …) it uses."""
    from cnfiscal.readers.html import read_html

    doc = read_html(data)
    text = doc.text or ""
    markers = [w for w in words().report_markers if w in text]
    ok = len(text) >= IN_PAGE_MIN_CHARS and len(markers) >= IN_PAGE_MIN_MARKERS
    detail = f"{len(text)} characters of main text, {len(markers)} report words"
    if doc.tables:
        detail += f", {len(doc.tables)} tables"
    return ok, detail
