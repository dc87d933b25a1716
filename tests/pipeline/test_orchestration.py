"""The schedule, the sensor, dagster.yaml and the executor configurations in deploy/, loaded for
real (no broker is contacted: the Celery executor is only built and its config validated)."""

import shutil
from datetime import datetime

import yaml
from dagster import (
    DagsterInstance,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
)
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_START_TAG

from cnfiscal.catalog import batch_of, load_catalog
from cnfiscal.settings import REPO_ROOT


def _defs(settings, monkeypatch, executor=None):
    from pipelines.definitions import build_defs

    monkeypatch.setenv("CNFISCAL_CATALOG", str(settings.catalog_path))
    return build_defs(settings, executor=executor)


def test_schedule_runs_every_batch_at_two_in_shanghai(settings, monkeypatch):
    defs = _defs(settings, monkeypatch)
    sched = defs.resolve_schedule_def("nightly_schedule")
    assert (sched.cron_schedule, sched.execution_timezone) == ("0 2 * * *", "Asia/Shanghai")
    # The context opens an instance of its own for context.instance: close it inside the
    # test's instance, or its late disposal restores a dead one for the tests that follow.
    with (
        instance_for_test() as instance,
        build_schedule_context(instance, scheduled_execution_time=datetime(2026, 1, 1, 2)) as ctx,
    ):
        request = sched.evaluate_tick(ctx).run_requests[0]
        parts = instance.get_dynamic_partitions("catalog_batches")
    want = {batch_of(e.id) for e in load_catalog(settings.catalog_path).entries}
    assert set(parts) == want
    assert request.tags[ASSET_PARTITION_RANGE_START_TAG] == parts[0]


def test_sensor_requests_runs_only_for_changes(settings, monkeypatch):
    defs = _defs(settings, monkeypatch)
    sensor = defs.resolve_sensor_def("catalog_sensor")
    with instance_for_test() as instance:
        first = sensor(build_sensor_context(instance=instance, definitions=defs))
        assert len(first.run_requests) == 1 and first.dynamic_partitions_requests
        instance.add_dynamic_partitions(
            "catalog_batches", list(first.dynamic_partitions_requests[0].partition_keys)
        )
        quiet = sensor(
            build_sensor_context(instance=instance, cursor=first.cursor, definitions=defs)
        )
        assert not quiet.run_requests

        entry = load_catalog(settings.catalog_path).entries[3]
        seed = settings.catalog_path.parent / entry.location
        seed.write_text(seed.read_text(encoding="utf-8") + "\n更正。", encoding="utf-8")
        again = sensor(
            build_sensor_context(instance=instance, cursor=first.cursor, definitions=defs)
        )
        assert [r.partition_key for r in again.run_requests] == [batch_of(entry.id)]


def test_dagster_yaml_gives_a_one_writer_queue(tmp_path):
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def test_deploy_configs_fit_the_same_job(settings, monkeypatch):
    from dagster._core.execution.api import create_execution_plan

    for executor, path in (("multiprocess", "multiprocess.yaml"), ("celery", "celery.yaml")):
        monkeypatch.setenv("CNFISCAL_CELERY_BROKER", "pyamqp://nobody@127.0.0.1:1//")
        monkeypatch.setenv("CNFISCAL_CELERY_BACKEND", "rpc://")
        job = _defs(settings, monkeypatch, executor).resolve_job_def("cnfiscal_build")
        run_config = yaml.safe_load((REPO_ROOT / "deploy" / path).read_text(encoding="utf-8"))
        plan = create_execution_plan(job, run_config=run_config)  # validates the config
        keys = {s.key for s in plan.steps}
        assert {"raw_ingest.ingest_plan", "raw_ingest.ingest_load"} <= keys
        assert "raw_ingest.parse_shard[?]" in keys  # one per shard, known once the plan ran
        want = "celery" if executor == "celery" else "multi_or_in_process_executor"
        assert job.executor_def.name == want


def test_run_batches_read_from_partition_tags():
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, PARTITION_NAME_TAG

    from pipelines.schedules import run_batches

    known = ["b01", "b07", "b12", "b40"]
    assert run_batches({PARTITION_NAME_TAG: "b12"}, known) == ["b12"]
    tags = {ASSET_PARTITION_RANGE_START_TAG: "b07", ASSET_PARTITION_RANGE_END_TAG: "b40"}
    assert run_batches(tags, known) == ["b07", "b12", "b40"]
    assert run_batches({}, known) is None


def test_a_failed_freshness_check_stops_exports_and_publishing(settings, monkeypatch):
    # Dagster skips, in the same run, what is downstream of an asset whose blocking check fails
    # with ERROR; the exports (and publishing after them) must be downstream of raw/fetches.
    from dagster import AssetKey

    from pipelines.checks.gx_checks import gx_freshness

    (spec,) = gx_freshness.check_specs
    fetches = AssetKey(["raw", "fetches"])
    assert spec.blocking and spec.asset_key == fetches
    graph = _defs(settings, monkeypatch).resolve_asset_graph()
    assert fetches in graph.get(AssetKey("parquet_exports")).parent_keys
    assert AssetKey("parquet_exports") in graph.get(AssetKey("published_warehouse")).parent_keys


def test_full_refresh_run_config_fits_the_job(settings, monkeypatch):
    from dagster._core.execution.api import create_execution_plan

    from cnfiscal.runner import job_run_config

    job = _defs(settings, monkeypatch, "multiprocess").resolve_job_def("cnfiscal_build")
    for full_refresh in (False, True):
        plan = create_execution_plan(job, run_config=job_run_config(False, True, full_refresh))
        assert "cnfiscal_dbt_assets" in {s.key for s in plan.steps}


def test_marts_are_rebuilt_from_scratch_after_a_transform_change(tmp_path, monkeypatch):
    import duckdb

    from cnfiscal.warehouse import state

    db = tmp_path / "build.duckdb"
    assert state.needs_full_refresh(db)  # no build file: nothing to add to
    with duckdb.connect(str(db)) as con:
        con.execute("create table t (x int)")
    assert state.needs_full_refresh(db)  # never published: no record of its transform
    with duckdb.connect(str(db)) as con:
        state.record_build_state(con, f"3:abc/{state.transform_fingerprint()}")
    assert not state.needs_full_refresh(db)
    monkeypatch.setattr(state, "transform_fingerprint", lambda: "changed-dbt-code")
    assert state.needs_full_refresh(db)
