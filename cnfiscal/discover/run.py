"""One discovery run: every portal of portals.yaml walked, the new reports appended to
discovered.yaml (beside the catalog), the run's report written under warehouse/discovery."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cnfiscal.catalog import load_catalog
from cnfiscal.discover.crawl import Known, PortalCrawl, PortalResult
from cnfiscal.discover.net import Net
from cnfiscal.discover.portals import fetch_config, load_portals
from cnfiscal.discover.store import append_rows, discovered_path, read_rows, write_report
from cnfiscal.fetch import FetchConfig
from cnfiscal.settings import Settings


@dataclass
class DiscoveryRun:
    report: dict
    added: list[dict]  # the entries written to discovered.yaml
    discovered_file: Path
    report_file: Path

    @property
    def skipped_by_reason(self) -> dict[str, int]:
        return self.report["skipped_by_reason"]


def _known(settings: Settings) -> Known:
    known = Known()
    for entry in load_catalog(settings.catalog_path).entries:
        known.add({"id": entry.id, "location": entry.location})
    for row in read_rows(discovered_path(settings.catalog_path)):  # disabled ones too
        known.add(row)
    return known


def _portal_report(result: PortalResult) -> dict:
    return {
        "name": result.portal.name,
        "url": result.portal.url,
        "pages": result.pages,
        "documents": result.documents,
        "added": [row["id"] for row in result.added],
        "known": result.known,
        "skipped": [asdict(s) for s in result.skipped],
        "ignored_links": result.ignored_links,
        "seconds": result.seconds,
    }


def run_discovery(
    settings: Settings,
    portals_path: str | Path | None = None,
    config: FetchConfig | None = None,
) -> DiscoveryRun:
    """Walk every portal; never raises for a bad page or site (those are skips)."""
    started = time.monotonic()
    now = datetime.now(UTC)
    portals = load_portals(portals_path or settings.portals_path)
    known = _known(settings)
    net = Net(settings.discovery_dir / "pages", settings.cache_dir, fetch_config(portals, config))
    visited: set[str] = set()
    results = []
    try:
        for portal in portals.portals:
            crawl = PortalCrawl(portal, net, known, visited, now.date().isoformat())
            results.append(crawl.run())
    finally:
        net.flush()
    target = discovered_path(settings.catalog_path)
    added = append_rows(target, [row for r in results for row in r.added])
    reasons = Counter(s.reason for r in results for s in r.skipped)
    report = {
        "started_at": now.isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 3),
        "portals_file": str(portals.path),
        "discovered_file": str(target),
        "problems": portals.problems,
        "requests": net.requests,
        "added": len(added),
        "known": sum(len(r.known) for r in results),
        "skipped": sum(reasons.values()),
        "skipped_by_reason": dict(sorted(reasons.items())),
        "portals": [_portal_report(r) for r in results],
    }
    report_file = write_report(settings.discovery_dir, report)
    return DiscoveryRun(report, added, target, report_file)
