"""Walk one portal: its list and the list's other pages, the articles the list links to, and
the documents (attachments, embedded PDFs) those articles offer, or the article itself when
its text is the report. Everything not taken is recorded with a reason (SKIP_REASONS)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cnfiscal.discover.net import Got, Net, Refused
from cnfiscal.discover.pages import Link, in_page_report
from cnfiscal.discover.portals import Portal
from cnfiscal.discover.titles import TitleInfo, classify_title, classify_titles, exclusion
from cnfiscal.discover.urls import entry_id, listing_key, normalize, scheme_of, site_of
from cnfiscal.discover.vocab import words

READABLE = ("pdf", "docx", "xlsx", "ole")  # what cnfiscal/readers reads (html: in-page only)

SKIP_REASONS = {
    "robots_disallowed": "robots.txt forbids the address",
    "robots_unavailable": "the site's robots.txt cannot be read (5xx, timeout): nothing fetched",
    "scheme_not_allowed": "not an http(s) link",
    "off_site": "a report link to another site (add it to the portal's `hosts` to follow)",
    "not_a_report_title": "the title speaks of a budget but is not a report (通知, 解读, 申请表…)",
    "not_a_report": "an article that names no report and offers none",
    "no_report_found": "a report's article with no attachment and no report in its text",
    "not_a_listing": "the portal URL gives a document, not a list",
    "not_a_document": "an attachment link that gives an HTML or text page",
    "unsupported_format": "an archive (zip, rar), OFD or other format the readers do not read",
    "duplicate_content": "the same bytes as a report already in the catalog",
    "js_redirect": "a page that moves on to an address computed by script",
    "bot_challenge": "a cookie challenge for robots (needs a browser)",
    "script_page": "a near-empty page whose content a script fetches (an AJAX list)",
    "redirect_loop": "page redirects (script or meta refresh) that come back",
    "too_many_redirects": "more page redirects than allowed",
    "page_cap": "the portal's max_pages was reached",
    "listing_page_cap": "the list's max_listing_pages was reached",
    "document_cap": "the portal's max_documents was reached",
    "depth_cap": "more link hops from the list than max_depth",
    "time_cap": "the portal's max_seconds was reached",
    # and every cnfiscal.fetch error code: fetch_not_found, fetch_redirect_loop, fetch_timeout…
}


@dataclass
class Skip:
    url: str
    reason: str
    detail: str = ""
    title: str = ""
    found_on: str = ""


@dataclass
class Known:
    """What the catalog already holds: ids, addresses and document contents."""

    ids: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)
    shas: dict[str, str] = field(default_factory=dict)

    def add(self, row: dict) -> None:
        self.ids.add(str(row.get("id")))
        location = str(row.get("location") or "")
        if scheme_of(location) in ("http", "https"):
            self.locations.add(normalize(location))
        found = row.get("discovered") or {}
        if isinstance(found, dict) and found.get("sha256") and found.get("format") != "html":
            self.shas.setdefault(found["sha256"], str(row.get("id")))


@dataclass
class PortalResult:
    portal: Portal
    added: list[dict] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    pages: int = 0
    documents: int = 0
    ignored_links: int = 0
    seconds: float = 0.0


@dataclass
class _Task:
    url: str
    kind: str  # "listing" | "article"
    depth: int
    titles: tuple[str, ...] = ()
    found_on: str = ""


class PortalCrawl:
    def __init__(self, portal: Portal, net: Net, known: Known, visited: set[str], now: str):
        self.portal = portal
        self.net = net
        self.known = known
        self.visited = visited  # pages fetched this run, over all portals
        self.now = now
        self.result = PortalResult(portal)
        self._queue: deque[_Task] = deque()
        self._queued: set[str] = set()
        self._list_pages: dict[str, int] = {}
        self._docs_seen: set[str] = set()
        self._skipped: set[str] = set()

    # -- bookkeeping ---------------------------------------------------------------------------

    def _skip(self, url: str, reason: str, detail: str = "", title: str = "", found_on: str = ""):
        key = normalize(url) if scheme_of(url) in ("http", "https") else url
        if key not in self._skipped:
            self._skipped.add(key)
            self.result.skipped.append(Skip(url, reason, detail, title, found_on))

    def _enqueue(self, task: _Task) -> None:
        key = normalize(task.url)
        if key not in self._queued and key not in self.visited:
            self._queued.add(key)
            self._queue.append(task)

    def _on_site(self, url: str) -> bool:
        allowed = {site_of(self.portal.url), *self.portal.hosts}
        return site_of(url) in allowed or (urlsplit(url).hostname or "").lower() in allowed

    # -- the walk ------------------------------------------------------------------------------

    def run(self) -> PortalResult:
        start = time.monotonic()
        self._enqueue(_Task(self.portal.url, "listing", 0))
        self._list_pages[listing_key(self.portal.url)] = 1
        portal = self.portal
        while self._queue:
            task = self._queue.popleft()
            key = normalize(task.url)
            if key in self.visited:
                continue
            title = task.titles[0] if task.titles else ""
            if time.monotonic() - start > portal.max_seconds:
                self._skip(task.url, "time_cap", f"{portal.max_seconds:g}s", title, task.found_on)
                continue
            if self.result.pages >= portal.max_pages:
                self._skip(task.url, "page_cap", f"{portal.max_pages} pages", title, task.found_on)
                continue
            self.visited.add(key)
            self.result.pages += 1
            got = self.net.page(task.url)
            if isinstance(got, Refused):
                self._skip(task.url, got.reason, got.detail, title, task.found_on)
            elif got.page is None:
                self._not_a_page(task, got)
            elif task.kind == "listing":
                self._listing(task, got)
            else:
                self._article(task, got)
        self.result.seconds = round(time.monotonic() - start, 3)
        return self.result

    def _not_a_page(self, task: _Task, got: Got) -> None:
        """A link that gives a document straight away (download.do?id=…)."""
        title = task.titles[0] if task.titles else ""
        if task.kind == "listing":
            self._skip(task.url, "not_a_listing", f"it gives {got.fmt} content", title)
            return
        info = classify_titles(list(task.titles))
        self._document(Link(task.url, title), info, title, task.found_on, task.depth, got)

    def _listing(self, task: _Task, got: Got) -> None:
        page = got.page
        pager = {normalize(u) for u in page.pager}
        for url in page.pager:
            list_key = listing_key(url)
            if normalize(url) in self._queued or normalize(url) in self.visited:
                continue
            if self._list_pages.get(list_key, 0) >= self.portal.max_listing_pages:
                cap = self.portal.max_listing_pages
                self._skip(url, "listing_page_cap", f"{cap} pages of this list", "", got.final_url)
                continue
            self._list_pages[list_key] = self._list_pages.get(list_key, 0) + 1
            self._enqueue(_Task(url, "listing", task.depth, (), got.final_url))
        for link in page.links:
            if normalize(link.url) not in pager:
                self._listing_link(task, got, link)
        for doc in page.attachments:
            info = classify_title(doc.text)
            if info.is_report:
                self._document(doc, info, doc.text, got.final_url, task.depth + 1)
            elif info.role in ("excluded", "mention"):
                self._skip(doc.url, "not_a_report_title", _says(info), doc.text, got.final_url)

    def _listing_link(self, task: _Task, got: Got, link: Link) -> None:
        info = classify_title(link.text)
        pattern = self.portal.pattern
        matched = bool(pattern and pattern.search(link.url))
        if info.role in ("other", "vague") and not matched:
            self.result.ignored_links += 1
            return
        if not self._on_site(link.url):
            if info.role in ("report", "listing"):
                self._skip(link.url, "off_site", site_of(link.url), link.text, got.final_url)
            return
        if info.role in ("excluded", "mention"):
            self._skip(link.url, "not_a_report_title", _says(info), link.text, got.final_url)
            return
        depth = task.depth + 1
        if depth > self.portal.max_depth:
            cap = self.portal.max_depth
            self._skip(link.url, "depth_cap", f"max_depth {cap}", link.text, got.final_url)
            return
        kind = "listing" if info.role == "listing" else "article"
        self._enqueue(_Task(link.url, kind, depth, (link.text,), got.final_url))

    def _article(self, task: _Task, got: Got) -> None:
        page = got.page
        info = classify_titles([*task.titles, *page.titles])
        context = info.role in ("report", "listing")
        kept = 0
        for doc in page.attachments:
            own = classify_title(doc.text) if doc.text else TitleInfo("other")
            if own.is_report:
                use = own.merged(info)
            elif own.role == "excluded" or exclusion(doc.text):
                if context:
                    why = _says(own) or f"the title says {exclusion(doc.text)}"
                    self._skip(doc.url, "not_a_report_title", why, doc.text, got.final_url)
                continue
            elif context:
                use = TitleInfo("report", info.kind, info.year, info.agency, info.word)
            else:
                continue
            kept += 1
            title = info_title(task, page)
            if doc.text and doc.text != title:
                title = f"{title} › {doc.text}" if title else doc.text
            self._document(doc, use, title, got.final_url, task.depth + 1)
        if kept:
            return
        if info.is_report:
            ok, detail = in_page_report(got.data)
            if ok:
                # the page's own address: the ingest follows HTTP redirects, not script ones
                location = got.source_url or task.url
                self._add(location, info, info_title(task, page), task.found_on, "html", got.sha256)
                return
        else:
            detail = "no report title"
        # Not a report by itself: it may be a list (a year's column, an agency's reports).
        lists = any(classify_title(x.text).role in ("report", "listing") for x in page.links)
        if (lists or page.pager) and task.depth < self.portal.max_depth:
            self._listing(task, got)
            return
        reason = "no_report_found" if info.is_report else "not_a_report"
        self._skip(task.url, reason, detail, info_title(task, page), task.found_on)

    def _document(
        self, doc: Link, info: TitleInfo, title: str, found_on: str, depth: int, got=None
    ) -> None:
        location = normalize(doc.url) if scheme_of(doc.url) in ("http", "https") else doc.url
        if location in self._docs_seen:
            return
        self._docs_seen.add(location)
        if scheme_of(location) not in ("http", "https"):
            self._skip(doc.url, "scheme_not_allowed", scheme_of(location), title, found_on)
            return
        sid = entry_id(location)
        if sid in self.known.ids or location in self.known.locations:
            self.result.known.append(sid)
            return
        if doc.ext in words().unsupported_exts:
            self._skip(doc.url, "unsupported_format", f".{doc.ext}", title, found_on)
            return
        if depth > self.portal.max_depth:
            self._skip(doc.url, "depth_cap", f"max_depth {self.portal.max_depth}", title, found_on)
            return
        if got is None:
            if self.result.documents >= self.portal.max_documents:
                cap = self.portal.max_documents
                self._skip(doc.url, "document_cap", f"{cap} documents", title, found_on)
                return
            self.result.documents += 1
            got = self.net.document(location)
        if isinstance(got, Refused):
            self._skip(doc.url, got.reason, got.detail, title, found_on)
            return
        if got.fmt not in READABLE:
            reason = "not_a_document" if got.fmt in ("html", "txt") else "unsupported_format"
            self._skip(doc.url, reason, f"the bytes are {got.fmt}", title, found_on)
            return
        if got.sha256 in self.known.shas:
            same = self.known.shas[got.sha256]
            self._skip(doc.url, "duplicate_content", f"same bytes as {same}", title, found_on)
            return
        self._add(location, info, title, found_on, got.fmt, got.sha256)

    def _add(self, location, info: TitleInfo, title, found_on, fmt: str, sha: str) -> None:
        location = normalize(location)
        if entry_id(location) in self.known.ids or location in self.known.locations:
            self.result.known.append(entry_id(location))  # an in-page report found before
            return
        hints = info.hints()
        if self.portal.agency and "agency" not in hints:
            hints["agency"] = self.portal.agency
        if self.portal.region:
            hints["region"] = self.portal.region
        row = {
            "id": entry_id(location),
            "location": location,
            "hints": hints,
            "notes": title,
            "discovered": {
                "portal": self.portal.name,
                "title": title,
                "found_on": found_on,
                "format": fmt,
                "sha256": sha,
                "first_seen": self.now,
            },
        }
        self.known.add(row)
        self.result.added.append(row)


def info_title(task: _Task, page) -> str:
    return next((t for t in [*task.titles, *page.titles] if t), "")


def _says(info: TitleInfo) -> str:
    return f"the title says {info.word}" if info.word else ""
