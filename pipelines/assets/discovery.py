"""Portals → discovered catalog entries (a wrapper over cnfiscal.discover).

Not part of the build job: its own job and schedule (pipelines.schedules) run it before the
nightly build, and the catalog sensor, which reads discovered.yaml with the catalog, starts
the build for the batches that gained entries."""

from dagster import AssetExecutionContext, Config, MaterializeResult, MetadataValue, asset
from pydantic import Field

from cnfiscal.discover import run_discovery
from pipelines.resources import PathsResource


class DiscoveryConfig(Config):
    portals: str = Field("", description="Portals file (default: portals.yaml beside the catalog).")


@asset(
    name="discovered_sources",
    group_name="discovery",
    kinds={"python"},
    description="Walk the portals' 财政预决算 lists and append the reports found to "
    "discovered.yaml beside the catalog (stable ids; skips recorded with reasons).",
)
def discovered_sources(
    context: AssetExecutionContext, config: DiscoveryConfig, paths: PathsResource
) -> MaterializeResult:
    run = run_discovery(paths.settings(), config.portals or None)
    report = run.report
    for problem in report["problems"]:
        context.log.warning(f"portals: {problem}")
    return MaterializeResult(
        metadata={
            "discovered_file": MetadataValue.path(str(run.discovered_file)),
            "report": MetadataValue.path(str(run.report_file)),
            "portals": len(report["portals"]),
            "requests": report["requests"],
            "added": report["added"],
            "known": report["known"],
            "skipped": report["skipped"],
            "skipped_by_reason": MetadataValue.json(report["skipped_by_reason"]),
            "added_ids": MetadataValue.json([row["id"] for row in run.added][:200]),
            "seconds": report["seconds"],
        }
    )
