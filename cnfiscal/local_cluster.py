"""A throwaway Celery cluster on this machine: a redis-server (broker and result backend) and
dagster-celery workers, as subprocesses that `close()` always stops. The test of the Celery
executor and benchmarks/bench_celery.py start one; on a real cluster the same commands run
on each host (docs/operations.md, "Scale-out").

Each worker is its own process group (`dagster-celery worker start` runs `celery worker`,
which forks its pool): stopping the group stops all three levels.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cnfiscal.settings import REPO_ROOT

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _stop(proc: subprocess.Popen, grace: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # our own group: start_new_session below
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@dataclass
class LocalCluster:
    """redis on a free port, a DAGSTER_HOME, and `env()` for the run and its workers."""

    root: Path
    warehouse_dir: Path
    catalog: Path
    port: int = 0
    procs: list[subprocess.Popen] = field(default_factory=list)
    worker_logs: dict[str, Path] = field(default_factory=dict)

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            DAGSTER_HOME=str(self.dagster_home),
            CNFISCAL_EXECUTOR="celery",
            CNFISCAL_CELERY_BROKER=f"redis://127.0.0.1:{self.port}/0",
            CNFISCAL_CELERY_BACKEND=f"redis://127.0.0.1:{self.port}/1",
            CNFISCAL_WAREHOUSE_DIR=str(self.warehouse_dir),
            CNFISCAL_CATALOG=str(self.catalog),
        )
        env.pop("CNFISCAL_DUCKDB_PATH", None)  # derived from the warehouse dir
        env.update(extra)
        return env

    def start_redis(self, timeout: float = 20.0) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.dagster_home.mkdir(exist_ok=True)
        shutil.copy(REPO_ROOT / "dagster.yaml", self.dagster_home / "dagster.yaml")
        # Create the instance's SQLite storage now: workers starting together on a fresh
        # DAGSTER_HOME race to create the same tables ("table alembic_version already exists").
        from dagster import DagsterInstance

        DagsterInstance.from_config(str(self.dagster_home)).dispose()
        self.port = free_port()
        log = (self.root / "redis.log").open("wb")
        cmd = [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
        cmd += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.procs.append(
            subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )
        deadline = time.monotonic() + timeout
        while not _redis_ping(self.port):
            if self.procs[-1].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: see {self.root / 'redis.log'}")
            time.sleep(0.1)

    def start_worker(self, name: str, queues: list[str]) -> None:
        """One `dagster-celery worker start` with one execution slot on `queues`."""
        log_path = self.root / f"worker-{name}.log"
        self.worker_logs[name] = log_path
        cmd = [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app"]
        cmd += ["-y", str(REPO_ROOT / "deploy" / "celery.yaml"), "-n", name]
        # One comma-separated -Q: celery keeps only the last of repeated -Q options.
        cmd += ["-q", ",".join(queues)]
        cmd += ["--", "-c", "1"]
        self.procs.append(
            subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=self.env(),
                stdout=log_path.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until every worker logged `NAME@host ready.` (it has connected and imported the
        code location)."""
        deadline = time.monotonic() + timeout
        pending = dict(self.worker_logs)
        while pending:
            for name, path in list(pending.items()):
                text = path.read_text(errors="replace") if path.exists() else ""
                if f"{name}@" in text and " ready." in text:
                    del pending[name]
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"a worker or redis exited early: see {self.root}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not ready in {timeout}s: {sorted(pending)}")
            time.sleep(0.5)

    def close(self) -> None:
        # Workers first (they hold connections to redis), redis last.
        for proc in reversed(self.procs):
            _stop(proc)
        self.procs.clear()

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
