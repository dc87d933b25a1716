"""The dbt CLI resource's start-up shortcuts (pipelines.resources.DbtCli), checked against dbt."""

import json
import re
import subprocess

import pytest
from dagster_dbt import DbtCliResource

from cnfiscal.dbt_parse import (
    MANIFEST,
    PARSED_FOR,
    DbtParseError,
    needs_parse,
    start_parse,
)
from cnfiscal.settings import Settings, export_env
from pipelines.resources import DBT_PROJECT_DIR, DbtCli, dbt_project, ensure_parsed_for


def test_version_is_the_one_the_dbt_executable_reports():
    out = subprocess.run(["dbt", "--version"], capture_output=True, text=True, check=True).stdout
    reported = re.search(r"(\d+\.\d+\.\d+)", out).group(1)
    assert str(DbtCli(project_dir=dbt_project)._cli_version) == reported


def test_the_overridden_members_still_exist_upstream():
    # If dagster-dbt renames them, DbtCli's overrides would silently stop applying.
    assert "_cli_version" in vars(DbtCliResource)
    assert "_initialize_dbt_core_adapter" in vars(DbtCliResource)


def _partial_parse_counts(log_path) -> dict:
    for line in log_path.read_text("utf-8").splitlines():
        event = json.loads(line)
        if event["info"]["name"] == "PartialParsingEnabled":
            return event["data"]
    raise AssertionError("dbt did not use partial parsing")


def test_a_call_after_the_parse_reparses_nothing(settings):
    ensure_parsed_for(settings, force=True)
    stamp = (settings.dbt_target_dir / PARSED_FOR).read_text("utf-8")
    assert stamp.splitlines() == [str(DBT_PROJECT_DIR), str(settings.build_db)]
    invocation = DbtCli(project_dir=dbt_project).cli(["ls", "--resource-type", "seed"])
    invocation.wait()
    # dagster-dbt's own preparer would leave every seed (and what reads it) to re-parse here.
    counts = _partial_parse_counts(invocation.target_path / "dbt.log")
    assert counts == {"added": 0, "changed": 0, "deleted": 0}


def test_a_parse_started_beside_the_fetch_stamps_only_when_it_succeeds(settings, monkeypatch):
    # What `cnfiscal run` starts while it fetches (cnfiscal.runner): a parse for a new path.
    job = start_parse(settings)
    assert job is not None
    job.wait()
    assert not needs_parse(settings) and start_parse(settings) is None

    # A parse that fails (here: a target the profile does not have) says why, in dbt's words,
    # and leaves no stamp (it may have written half a state), so the job's definitions parse
    # again in the foreground.
    monkeypatch.setenv("DBT_TARGET", "no_such_target")
    failing = start_parse(settings, force=True)
    with pytest.raises(DbtParseError, match="no_such_target"):
        failing.wait()
    assert not (settings.dbt_target_dir / PARSED_FOR).exists() and needs_parse(settings)
    monkeypatch.delenv("DBT_TARGET")
    ensure_parsed_for(settings)
    assert not needs_parse(settings)


def test_two_warehouses_keep_their_own_parse_state(settings, tmp_path):
    # Nightly runs into two warehouses from one checkout (a benchmark's two sizes, the sample
    # and a real corpus) must not make each other parse the project again.
    other = Settings(tmp_path / "other-warehouse", settings.catalog_path)
    ensure_parsed_for(settings)
    ensure_parsed_for(other)
    assert settings.dbt_target_dir != other.dbt_target_dir
    assert not needs_parse(settings) and not needs_parse(other)

    # A dbt call for the first warehouse, after the second one parsed, starts from the first
    # one's state: nothing re-parsed.
    export_env(settings)
    invocation = DbtCli(project_dir=dbt_project).cli(["ls", "--resource-type", "seed"])
    invocation.wait()
    assert _partial_parse_counts(invocation.target_path / "dbt.log") == {
        "added": 0,
        "changed": 0,
        "deleted": 0,
    }

    # The definitions' manifest is the parse's; if it goes missing it is copied back, and the
    # state is not parsed again for that.
    MANIFEST.unlink()
    assert not needs_parse(settings) and MANIFEST.exists()
