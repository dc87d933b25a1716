"""A forked child that imports the job's libraries while the launcher's precheck fetches.

On a night with something to build, `cnfiscal run` spends 2–3.5 s importing Dagster,
dagster-dbt, Great Expectations and the definitions, and before that the precheck: 0.9 s at
10,000 reports, 3.3 s at 100,000. Both are single-threaded Python; the machine has two cores. So
the launcher forks first: the child imports and waits on a pipe, the parent runs the precheck and
then either sends the child what it needs to run the job (and waits for its exit code) or, when
nothing changed, kills it, so a quiet night still never pays for those imports.

The child touches no warehouse file before it is told to run, so the precheck keeps the build
file to itself. It imports the definitions (which read dbt's manifest) only once the parent says
the manifest is ready. Without os.fork (not POSIX) the launcher does it all in one process.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any


def available() -> bool:
    return hasattr(os, "fork") and os.environ.get("CNFISCAL_WARM_START", "1") != "0"


class WarmStart:
    """Fork a child that calls `prepare()` at once, then `run(request)` when `launch(request)`
    is called; `cancel()` ends it unrun."""

    def __init__(self, prepare: Callable[[], None], run: Callable[[Any], int]):
        sys.stdout.flush()  # else the child inherits buffered output and prints it again
        sys.stderr.flush()
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(write_fd)
            os._exit(_child(read_fd, prepare, run))
        os.close(read_fd)
        self.pid = pid
        self._pipe: int | None = write_fd

    def launch(self, request: Any) -> int:
        """Hand the child its request; wait for it and return its exit code."""
        sys.stdout.flush()  # the parent's lines come before the child's
        sys.stderr.flush()
        payload = pickle.dumps(request)
        try:
            with os.fdopen(self._take_pipe(), "wb") as pipe:
                pipe.write(payload)
        except BrokenPipeError:
            pass  # the child is gone already; its exit code tells why
        return self._wait()

    def cancel(self) -> None:
        """End the child before it runs anything (it has only imported modules)."""
        fd = self._take_pipe()
        if fd is not None:
            os.close(fd)
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)

    def _take_pipe(self) -> int | None:
        fd, self._pipe = self._pipe, None
        return fd

    def _wait(self) -> int:
        # A TERM meant for the launcher (a scheduler stopping the run) must stop the job too;
        # Ctrl-C reaches both processes from the terminal.
        previous = signal.signal(signal.SIGTERM, lambda *_: os.kill(self.pid, signal.SIGTERM))
        try:
            _, status = os.waitpid(self.pid, 0)
        finally:
            signal.signal(signal.SIGTERM, previous)
        return os.waitstatus_to_exitcode(status)


def _child(read_fd: int, prepare: Callable[[], None], run: Callable[[Any], int]) -> int:
    failed = None
    try:
        prepare()
    except BaseException:  # reported only if the job is asked for: a quiet night stays quiet
        failed = traceback.format_exc()
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            payload = pipe.read()
        if not payload:  # the parent closed the pipe: nothing to run
            return 0
        if failed:
            print(failed, file=sys.stderr, end="")
            return 1
        return run(pickle.loads(payload))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
