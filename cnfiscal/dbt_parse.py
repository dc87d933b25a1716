"""Keep the dbt project parsed for the DuckDB file in use — in the foreground or beside a fetch.

dbt keys its partial-parse state on the profile's connection, i.e. our build file's path:
parsed for one path, every dbt call on another re-parses the whole project (~10 s each, three
calls a run). So each build file keeps its own parse state, in a folder beside it
(`Settings.dbt_target_dir`): `dbt parse` writes it there once, a stamp names the project
folder and the build path it was parsed for, and every dbt call of a run starts from it
(dagster-dbt copies the partial-parse file from DBT_TARGET_PATH, which export_env points
there). Two warehouses built from one checkout (the sample corpus and a real one, or a
benchmark's two sizes) then never make each other parse again. The manifest the Dagster
definitions load, dbt_project/target/manifest.json, is copied from the last parse: it does not
depend on the path.

This is plain `dbt parse` in a subprocess, not dagster-dbt's preparer: that one blanks every
seed's checksum in the partial-parse state (so that a project parsed in one place can be
deployed in another), and every later dbt call then re-parses the seeds and the models that
read them (~4 s each). No Dagster import here, so `cnfiscal run` can start a parse while it is
still fetching (see cnfiscal.runner): the fetch keeps one core busy and the parse the other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from cnfiscal.settings import REPO_ROOT, Settings, export_env

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
TARGET_DIR = DBT_PROJECT_DIR / "target"
MANIFEST = TARGET_DIR / "manifest.json"  # what the definitions load
PARSED_FOR = "parsed_for_path.txt"  # the stamp, in Settings.dbt_target_dir
# Files whose change changes the manifest (the vocabulary CSVs are the dbt seeds).
_WATCHED_GLOBS = [(DBT_PROJECT_DIR, "*.sql"), (DBT_PROJECT_DIR, "*.yml")]
_WATCHED_GLOBS.append((REPO_ROOT / "cnfiscal" / "vocab", "*.csv"))


class DbtParseError(RuntimeError):
    """`dbt parse` failed; the message carries the end of its output."""


def stamp_for(settings: Settings) -> str:
    return f"{DBT_PROJECT_DIR}\n{settings.build_db}"


def manifest_is_stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for folder, pattern in _WATCHED_GLOBS:
        for path in folder.rglob(pattern):
            if "target" not in path.relative_to(folder).parts and path.stat().st_mtime > built:
                return True
    return False


def needs_parse(settings: Settings) -> bool:
    """True unless this build file's parse state is of the current project. Only its copy of
    the definitions' manifest missing is mended here, by copying it again."""
    folder = settings.dbt_target_dir
    stamp = folder / PARSED_FOR
    current = stamp.read_text("utf-8") if stamp.exists() else None
    if current != stamp_for(settings) or manifest_is_stale(folder / "manifest.json"):
        return True
    if not MANIFEST.exists():
        _share_manifest(folder)
    return False


def _share_manifest(folder: Path) -> None:
    """The parse's manifest as dbt_project/target/manifest.json, replaced whole."""
    TARGET_DIR.mkdir(parents=True, exist_ok=True)
    tmp = TARGET_DIR / f".manifest.{os.getpid()}.tmp"
    shutil.copyfile(folder / "manifest.json", tmp)
    os.replace(tmp, MANIFEST)


def dbt_executable() -> str:
    """dbt as installed beside this interpreter (the project's virtual environment)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


class ParseJob:
    """A running `dbt parse` for one build path; `wait()` writes the stamp if it succeeded."""

    def __init__(self, settings: Settings):
        export_env(settings)  # the profile reads the build path from the environment
        self._stamp = stamp_for(settings)
        self.folder = settings.dbt_target_dir
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / PARSED_FOR).unlink(missing_ok=True)  # stamped again only on success
        args = [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR)]
        args += ["--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(self.folder)]
        self._proc = subprocess.Popen(
            args,
            cwd=DBT_PROJECT_DIR,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def wait(self) -> None:
        output, _ = self._proc.communicate()
        if self._proc.returncode != 0:
            tail = output.decode("utf-8", "replace").strip().splitlines()[-20:]
            raise DbtParseError(
                f"dbt parse exited with {self._proc.returncode}:\n" + "\n".join(tail)
            )
        _share_manifest(self.folder)
        # Last, and only on success: a killed or failed parse leaves no stamp, so the next
        # caller parses again.
        (self.folder / PARSED_FOR).write_text(self._stamp, "utf-8")


def start_parse(settings: Settings, force: bool = False) -> ParseJob | None:
    """Start `dbt parse` if the project needs it for this build path; None if it does not."""
    if not force and not needs_parse(settings):
        return None
    return ParseJob(settings)


def ensure_parsed_for(settings: Settings, force: bool = False) -> None:
    """Parse now if needed (see the module docstring); raises DbtParseError if dbt fails."""
    job = start_parse(settings, force)
    if job is not None:
        job.wait()
