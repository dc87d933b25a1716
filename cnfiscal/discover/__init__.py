"""Discovery: from an agency's 信息公开 › 财政预决算 list to catalog entries.

portals.yaml names the lists; `run_discovery` walks them (pagination, articles, attachments,
reports in the page itself) through cnfiscal.fetch (robots.txt, per-host rate limit, caps,
timeouts, http/https only), keeps what a title names as a 部门预算 / 部门决算 / 绩效自评
report, and appends stable entries to discovered.yaml beside the catalog, which
cnfiscal.catalog reads with it. Plain Python: the Dagster asset is a thin wrapper."""

from cnfiscal.discover.crawl import SKIP_REASONS
from cnfiscal.discover.run import DiscoveryRun, run_discovery
from cnfiscal.discover.store import discovered_path

__all__ = ["SKIP_REASONS", "DiscoveryRun", "discovered_path", "run_discovery"]
