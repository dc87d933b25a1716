"""Discovery inside the Dagster code location, for real: the asset materializes into a
temporary warehouse, the catalog sensor sees the new entries and asks for their batches, and
the ingest of those batches fetches (a 304: discovery already holds the bytes) and parses
them into raw facts. Also `cnfiscal discover` on the command line."""

from __future__ import annotations

import html
import json

import duckdb
import pytest
from dagster import AssetKey, build_sensor_context, instance_for_test

from cnfiscal.catalog import batch_digests, batch_of, load_catalog, select_batches
from cnfiscal.cli import main
from cnfiscal.ingest import connect_path, fetch_sources, parse_sources
from cnfiscal.settings import REPO_ROOT
from tests.discover.conftest import write_portals
from tests.discover.site import article, listing

SEED = REPO_ROOT / "corpus" / "seeds" / "000_f67dfe37cd9ba14f.txt"  # 鄂州 2019 部门预算
FAST_FETCH = {"per_host_interval_s": 0.0, "timeout_s": 2.0, "retries": 0}


@pytest.fixture
def portal_site(site, shared_dir):
    pdfs = sorted(
        (shared_dir / "corpus" / "real").glob("*部门预算*.pdf"), key=lambda p: p.stat().st_size
    )
    if not pdfs:
        pytest.skip("no real budget PDF in ../shared/corpus/real")
    text = SEED.read_text(encoding="utf-8")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    site.page("/robots.txt", "")
    site.page(
        "/list/index.html",
        listing(
            "部门预算",
            [
                ("/art/ezhou.html", "鄂州市政务服务中心管理办公室2019年部门预算"),
                ("/art/pdf.html", "某区某局2024年部门预算"),
            ],
        ),
    )
    page = article("鄂州市政务服务中心管理办公室2019年部门预算", body, charset="gbk")
    site.page("/art/ezhou.html", page, encoding="gbk")
    site.page(
        "/art/pdf.html", article("某区某局2024年部门预算", '<a href="/f/r.pdf">附件：预算.pdf</a>')
    )
    site.file("/f/r.pdf", pdfs[0].read_bytes(), "application/pdf")
    return site


def test_asset_sensor_and_ingest(portal_site, settings, monkeypatch):
    from pipelines.definitions import build_defs

    site = portal_site
    monkeypatch.setenv("CNFISCAL_CATALOG", str(settings.catalog_path))
    monkeypatch.setenv("CNFISCAL_WAREHOUSE_DIR", str(settings.warehouse_dir))
    write_portals(settings, [{"name": "t", "url": site.url("/list/index.html")}], FAST_FETCH)
    before = batch_digests(load_catalog(settings.catalog_path))
    defs = build_defs(settings)
    build_assets = defs.resolve_job_def("cnfiscal_build").asset_layer.executable_asset_keys
    assert AssetKey("discovered_sources") not in build_assets  # a build never crawls

    with instance_for_test() as instance:
        result = defs.resolve_job_def("cnfiscal_discover").execute_in_process(instance=instance)
        assert result.success
        (mat,) = result.asset_materializations_for_node("discovered_sources")
        assert mat.metadata["added"].value == 2 and mat.metadata["skipped"].value == 0

        catalog = load_catalog(settings.catalog_path)
        ids = [e.id for e in catalog.entries]
        assert len(ids) == 2
        sensor = defs.resolve_sensor_def("catalog_sensor")
        tick = sensor(
            build_sensor_context(
                instance=instance, cursor=json.dumps(before, sort_keys=True), definitions=defs
            )
        )
        assert len(tick.run_requests) == 1
        added = {k for r in tick.dynamic_partitions_requests for k in r.partition_keys}
        assert added == {batch_of(i) for i in ids}
        # a second discovery run adds nothing; the sensor then stays quiet
        again = defs.resolve_job_def("cnfiscal_discover").execute_in_process(instance=instance)
        assert (
            again.asset_materializations_for_node("discovered_sources")[0].metadata["added"].value
            == 0
        )
        instance.add_dynamic_partitions("catalog_batches", sorted(added))
        quiet = sensor(
            build_sensor_context(instance=instance, cursor=tick.cursor, definitions=defs)
        )
        assert not quiet.run_requests

    db = settings.warehouse_dir / "build.duckdb"
    batch = select_batches(catalog, sorted(added))
    fetched = fetch_sources(batch, connect_path(db), settings.cache_dir, "r1")
    # the PDF was downloaded by discovery into the ingest's cache: a conditional GET, a 304
    assert fetched.by_status == {"not_modified": 1, "fetched": 1}
    assert site.hits("/f/r.pdf") == 2
    parsed = parse_sources(batch, connect_path(db), settings.cache_dir)
    assert len(parsed.parsed) == 2 and parsed.facts > 0
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select d.source_id, d.agency, d.fiscal_year, count(f.fact_seq) from raw.documents d "
            "left join raw.facts f using (document_id) group by all order by 1"
        ).fetchall()
    ezhou = next(r for r in rows if "-ezhou-" in r[0])
    assert ezhou[1] == "鄂州市政务服务中心管理办公室" and ezhou[2] == 2019 and ezhou[3] > 10


def test_cli_discover(portal_site, settings, monkeypatch, capsys):
    monkeypatch.setenv("CNFISCAL_WAREHOUSE_DIR", str(settings.warehouse_dir))
    portals = settings.catalog_path.parent / "elsewhere.yaml"
    write_portals(settings, [{"name": "t", "url": portal_site.url("/list/index.html")}], FAST_FETCH)
    settings.portals_path.rename(portals)
    assert (
        main(["discover", "--catalog", str(settings.catalog_path), "--portals", str(portals)]) == 0
    )
    out = capsys.readouterr().out
    assert "t: 3 pages, 1 documents, 2 added, 0 known, 0 skipped" in out
    assert (
        main(
            [
                "discover",
                "--catalog",
                str(settings.catalog_path),
                "--portals",
                str(portals),
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["added"] == 0 and report["known"] == 2


def test_discovery_schedule_runs_only_with_portals(settings, monkeypatch):
    from datetime import datetime

    from dagster import build_schedule_context

    from pipelines.definitions import build_defs

    monkeypatch.setenv("CNFISCAL_CATALOG", str(settings.catalog_path))
    defs = build_defs(settings)
    sched = defs.resolve_schedule_def("discovery_schedule")
    assert (sched.cron_schedule, sched.execution_timezone) == ("30 1 * * *", "Asia/Shanghai")
    assert sched.job_name == "cnfiscal_discover"
    with (
        instance_for_test() as instance,
        build_schedule_context(
            instance, scheduled_execution_time=datetime(2026, 1, 1, 1, 30)
        ) as ctx,
    ):
        assert not sched.evaluate_tick(ctx).run_requests  # no portals file: nothing to walk
        write_portals(settings, [{"url": "http://127.0.0.1:9/list/"}])
        (request,) = sched.evaluate_tick(ctx).run_requests
        assert request.tags["cnfiscal/trigger"] == "discovery"
