"""cnfiscal.warm_start with real forks: the child prepares at once, runs only when launched,
hands back its exit code, and a failure while preparing shows only if the job is asked for."""

import os
import time

import pytest

from cnfiscal import warm_start

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _note(path, text):
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text + "\n")


def test_launch_runs_the_request_in_the_prepared_child(tmp_path):
    log = tmp_path / "log"
    warm = warm_start.WarmStart(
        lambda: _note(log, f"prepared {os.getpid()}"),
        lambda request: (_note(log, f"ran {request['n']} {os.getpid()}"), request["n"])[1],
    )
    assert warm.launch({"n": 7}) == 7
    prepared, ran = log.read_text(encoding="utf-8").splitlines()
    child = prepared.split()[1]
    assert child != str(os.getpid())
    assert ran == f"ran 7 {child}"


def test_cancel_never_runs_the_job(tmp_path):
    log = tmp_path / "log"
    warm = warm_start.WarmStart(
        lambda: _note(log, "prepared"), lambda request: _note(log, "ran") or 0
    )
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:  # let it get as far as the pipe
        time.sleep(0.01)
    warm.cancel()
    assert log.read_text(encoding="utf-8").splitlines() == ["prepared"]
    with pytest.raises(ChildProcessError):
        os.waitpid(warm.pid, 0)  # reaped: no zombie left behind


def _broken_import():
    import cnfiscal_no_such_module  # noqa: F401


def test_a_failed_prepare_shows_when_launched_and_not_when_cancelled(tmp_path, capfd):
    quiet = warm_start.WarmStart(_broken_import, lambda request: 0)
    time.sleep(0.3)  # the import has failed by now
    quiet.cancel()
    assert "cnfiscal_no_such_module" not in capfd.readouterr().err

    loud = warm_start.WarmStart(_broken_import, lambda request: 0)
    assert loud.launch({}) == 1
    assert "No module named 'cnfiscal_no_such_module'" in capfd.readouterr().err


def test_the_switch_turns_it_off(monkeypatch):
    monkeypatch.setenv("CNFISCAL_WARM_START", "0")
    assert not warm_start.available()
    monkeypatch.setenv("CNFISCAL_WARM_START", "1")
    assert warm_start.available()
