"""URLs as discovery compares them: one spelling per address (so the same report is found
once), the catalog id derived from it, the site a link belongs to, and the listing a paged
URL belongs to (index_2.html, page_3.html and ?page=4 are pages of the same list)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from cnfiscal.discover.vocab import words

_SAFE_PATH = "/:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# second-level labels under which a name is registered one level deeper (wenzhou.gov.cn)
_SECOND_LEVEL = {"gov", "com", "edu", "org", "net", "ac", "mil"}
_PAGED_NAME = re.compile(r"^(?P<stem>[a-z_]*?)[_-]?(?P<n>\d{0,4})\.(?:s?html?|jsp|php|aspx?)$")
_PAGE_DIR = re.compile(r"/page/\d+/?$")


def resolve(base: str, href: str) -> str | None:
    """An absolute URL for `href` on page `base`, without its fragment; None if malformed."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def scheme_of(url: str) -> str:
    return urlsplit(url).scheme.lower()


def normalize(url: str) -> str:
    """One spelling per address: lower-case scheme and host, no default port, no fragment,
    one percent-encoding of path and query (a URL written with raw Chinese characters and
    the same URL percent-encoded are one address)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe=_SAFE_PATH)
    query = quote(unquote(parts.query), safe=_SAFE_QUERY + "=")
    return urlunsplit((scheme, netloc, path, query, ""))


def _slug(text: str, size: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:size].strip("-")


def entry_id(url: str) -> str:
    """A catalog id that depends on the address only, so a re-run finds the same id: a
    readable slug (site and file name) and a hash of the normalized URL. http and https
    spellings of one address share it."""
    norm = normalize(url)
    parts = urlsplit(norm)
    digest = hashlib.sha1(norm.split("://", 1)[-1].encode("utf-8")).hexdigest()[:10]
    host = parts.hostname or ""
    labels = [x for x in host.split(".") if x not in ("www", "gov", "cn", "com")]
    site = _slug(labels[0] if labels and not host.replace(".", "").isdigit() else host, 16)
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]).rsplit(".", 1)[0]
    stem = _slug(name, 32)
    return "-".join(x for x in ("d", site, stem, digest) if x)


def site_of(url: str) -> str:
    """The registered name a host belongs to (czj.wenzhou.gov.cn → wenzhou.gov.cn); an IP
    address or a one-label host is its own site."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    if host.replace(".", "").isdigit() or len(labels) < 3:
        return host
    keep = 3 if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def listing_key(url: str) -> str:
    """The list a paged URL belongs to: page-number file names (index_2.html, page_3.html,
    list-4.shtml), /page/5/ folders and page parameters (?page=6) dropped."""
    parts = urlsplit(normalize(url))
    path = _PAGE_DIR.sub("/", parts.path)
    head, _, name = path.rpartition("/")
    m = _PAGED_NAME.match(name.lower())
    if m and (m.group("stem") in words().page_stems or (not m.group("stem") and m.group("n"))):
        path = head + "/"
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in words().page_params]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))
