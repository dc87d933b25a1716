"""The portals file (corpus/portals.yaml): the listing pages to walk, with optional hints and
limits. A malformed portal is reported and left out, never fatal.

    fetch: {per_host_interval_s: 1.0, timeout_s: 20}   # optional: cnfiscal.fetch settings
    defaults: {max_pages: 50}                          # optional: for every portal
    portals:
      - name: wenzhou-bmys                             # a label for logs and notes
        url: https://www.wenzhou.gov.cn/col/col1229249208/index.html
        region: 温州市                                  # hint for every report found here
        agency: 温州市财政局                             # hint when a title names none
        link_pattern: /art/                            # follow links matching this regex too
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from cnfiscal.fetch import FetchConfig

FETCH_KEYS = (
    "per_host_interval_s",
    "timeout_s",
    "total_deadline_s",
    "retries",
    "max_bytes",
    "max_redirects",
    "user_agent",
)


@dataclass(frozen=True)
class Portal:
    name: str
    url: str
    region: str = ""
    agency: str = ""
    link_pattern: str = ""  # regex: links whose URL matches are followed whatever their text
    hosts: tuple[str, ...] = ()  # other sites whose pages may be followed (attachments: any)
    max_pages: int = 50  # HTML pages fetched (lists and articles)
    max_listing_pages: int = 20  # pages of one list followed through its pager
    max_documents: int = 200  # attachments downloaded
    max_depth: int = 3  # link hops from the listing, pagination not counted
    max_seconds: float = 1800.0  # wall time for the whole portal
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def pattern(self) -> re.Pattern | None:
        return re.compile(self.link_pattern) if self.link_pattern else None


@dataclass
class PortalsFile:
    path: Path
    portals: list[Portal]
    fetch: dict
    problems: list[str]


_LIMITS = {f.name: f.type for f in fields(Portal) if f.name.startswith("max_")}


def _portal(row: dict, defaults: dict, n: int) -> tuple[Portal | None, str | None]:
    if not isinstance(row, dict):
        return None, f"portal {n}: not a mapping"
    merged = {**defaults, **row}
    url = str(merged.get("url") or "").strip()
    name = str(merged.get("name") or "").strip() or (urlsplit(url).hostname or f"portal-{n}")
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).hostname:
        return None, f"portal {n} ({name}): url must be an http(s) URL, got {url!r}"
    pattern = str(merged.get("link_pattern") or "")
    try:
        re.compile(pattern)
    except re.error as exc:
        return None, f"portal {n} ({name}): bad link_pattern: {exc}"
    limits = {}
    for key, kind in _LIMITS.items():
        if key in merged:
            try:
                value = (float if kind in (float, "float") else int)(merged[key])
            except (TypeError, ValueError):
                return None, f"portal {n} ({name}): {key} must be a number"
            if value <= 0:
                return None, f"portal {n} ({name}): {key} must be positive"
            limits[key] = value
    hosts = merged.get("hosts") or ()
    hosts = (hosts,) if isinstance(hosts, str) else tuple(str(h).lower() for h in hosts)
    known = {f.name for f in fields(Portal)}
    portal = Portal(
        name=name,
        url=url,
        region=str(merged.get("region") or ""),
        agency=str(merged.get("agency") or ""),
        link_pattern=pattern,
        hosts=hosts,
        extra={k: v for k, v in merged.items() if k not in known},
        **limits,
    )
    return portal, None


def load_portals(path: str | Path) -> PortalsFile:
    path = Path(path)
    if not path.is_file():
        return PortalsFile(path, [], {}, [])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        return PortalsFile(path, [], {}, [f"{path.name}: cannot read: {exc}"])
    if isinstance(data, list):
        data = {"portals": data}
    if not isinstance(data, dict):
        return PortalsFile(path, [], {}, [f"{path.name}: expected a mapping with `portals:`"])
    defaults = data.get("defaults") or {}
    fetch = {k: v for k, v in (data.get("fetch") or {}).items() if k in FETCH_KEYS}
    problems = [
        f"fetch: unknown setting {k!r}" for k in data.get("fetch") or {} if k not in FETCH_KEYS
    ]
    portals, names = [], set()
    for n, row in enumerate(data.get("portals") or [], start=1):
        portal, problem = _portal(row, defaults if isinstance(defaults, dict) else {}, n)
        if problem:
            problems.append(problem)
        elif portal.name in names:
            problems.append(f"portal {n}: duplicate name {portal.name!r} (first one kept)")
        else:
            names.add(portal.name)
            portals.append(portal)
    return PortalsFile(path, portals, fetch, problems)


def fetch_config(portals: PortalsFile, base: FetchConfig | None = None) -> FetchConfig:
    """The fetch settings for a discovery run: the project's defaults, then the file's."""
    base = base or FetchConfig()
    values = {f.name: getattr(base, f.name) for f in fields(FetchConfig)}
    for key, value in portals.fetch.items():
        values[key] = type(values[key])(value)
    return FetchConfig(**values)
