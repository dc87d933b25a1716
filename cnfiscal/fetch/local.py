"""Locations: tell local paths from URLs, and read local files with the size cap."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote, urlsplit
from urllib.request import url2pathname

from cnfiscal.fetch.types import fetch_error
from cnfiscal.model import ParseIssue

HTTP_SCHEMES = ("http", "https")


@dataclass
class Location:
    kind: str  # "local" | "http" | "bad"
    key: str  # stable identity used as the cache key
    path: str | None = None  # a local file's resolved path
    issue: ParseIssue | None = None
    # A local file's stat, when classifying took it already (LocalPaths); None: not taken, or
    # the file could not be stat'ed.
    st: os.stat_result | None = None


def classify(location: str, base_dir: Path | None = None) -> Location:
    text = location.strip()
    if not text:
        return Location("bad", location, issue=fetch_error("fetch_bad_location", "empty location"))
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError as exc:
        issue = fetch_error("fetch_bad_location", f"malformed location: {exc}", text[:200])
        return Location("bad", location, issue=issue)
    scheme = parts.scheme.lower()
    # A one-letter "scheme" is a Windows drive letter, i.e. a path.
    if scheme == "" or len(scheme) == 1:
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        path = path.resolve()
        return Location("local", path.as_uri(), path=str(path))
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return _bad_scheme(location, "file URL on a remote host")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        return Location("local", path.as_uri(), path=str(path))
    if scheme in HTTP_SCHEMES:
        if not parts.hostname:
            return Location(
                "bad", text, issue=fetch_error("fetch_bad_location", "URL has no host", text)
            )
        return Location("http", text)
    return _bad_scheme(location, f"scheme {scheme!r} is not allowed")


class LocalPaths:
    """classify() for a whole catalog: each folder is resolved once, not once per file.

    Resolving a path lstat()s every component of it, and a catalog of 100,000 reports lives in
    a few hundred folders. A plain relative or absolute path (no scheme, no ~, not a folder
    itself) is split into its folder, resolved once per instance, and its name, lstat()ed:
    unless the name is a symlink (then classify() resolves it), that stat is the file's, which
    the cache needs anyway. Anything else goes through classify(). The key is the same
    file:// URI either way. Use one instance per run: a folder's resolution is kept for the
    instance's life.
    """

    def __init__(self) -> None:
        # folder as written → (resolved folder + "/", the same as a file:// URI prefix)
        self._folders: dict[str, tuple[str, str]] = {}

    def classify(self, location: str, base_dir: Path | None = None) -> Location:
        text = location.strip()
        if text and ":" not in text and text[0] != "~" and not text.startswith("//"):
            found = self._plain(text, base_dir)
            if found is not None:
                return found
        return classify(location, base_dir)

    def _plain(self, text: str, base_dir: Path | None) -> Location | None:
        # String operations only: this runs once per catalog entry.
        if text[0] != "/":
            base = os.fspath(base_dir) if base_dir is not None else os.getcwd()
            text = f"{base.rstrip('/')}/{text}"
        cut = text.rfind("/")
        name = text[cut + 1 :]
        if name in ("", ".", ".."):
            return None
        folder = text[:cut] or "/"
        known = self._folders.get(folder)
        if known is None:
            resolved = os.path.realpath(folder).rstrip("/") + "/"
            known = self._folders[folder] = (resolved, "file://" + _quote(resolved))
        path = known[0] + name
        try:
            st = os.lstat(path)
        except OSError:
            st = None  # missing or unreadable: read_local says which
        if st is not None and stat.S_ISLNK(st.st_mode):
            return None
        # What Path.as_uri() gives for the resolved path.
        return Location("local", known[1] + _quote(name), path, st=st)


def _quote(path: str) -> str:
    return quote_from_bytes(os.fsencode(path))


def _bad_scheme(location: str, why: str) -> Location:
    issue = fetch_error("fetch_scheme_not_allowed", why, location[:200])
    return Location("bad", location, issue=issue)


def read_local(
    path: str | Path, max_bytes: int
) -> tuple[bytes | None, ParseIssue | None, os.stat_result | None]:
    """The file's bytes and its stat taken when it was opened (before reading: a write during
    the read changes the mtime, so the next run sees it), or an error issue (missing, not a
    file, unreadable, over the cap)."""
    path = Path(path)
    try:
        try:
            st = path.stat()
        except FileNotFoundError:
            return (
                None,
                fetch_error("fetch_not_found", "local file does not exist", str(path)),
                None,
            )
        if not stat.S_ISREG(st.st_mode):
            return None, fetch_error("fetch_read_error", "not a regular file", str(path)), None
        if st.st_size > max_bytes:
            return None, _too_large(path, st.st_size, max_bytes), None
        # Read one byte past the cap: the file may have grown since stat().
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return None, fetch_error("fetch_read_error", f"cannot read file: {exc}", str(path)), None
    if len(data) > max_bytes:
        return None, _too_large(path, len(data), max_bytes), None
    return data, None, st


def _too_large(path: Path, size: int, max_bytes: int) -> ParseIssue:
    return fetch_error(
        "fetch_too_large", f"file is {size} bytes, over the {max_bytes}-byte cap", str(path)
    )
