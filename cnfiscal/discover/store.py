"""discovered.yaml: the catalog entries discovery found, next to the hand-edited catalog and
read with it (cnfiscal.catalog). Machine-written, append-only: an entry, once there, is never
rewritten or removed by a run, so its id — and its batch — stays. To drop one, set
`disabled: true` on it (it then stays known, so it is not found again); to correct its hints,
give the same id in catalog.yaml, which wins.

Also the run reports under warehouse/discovery: last_run.json (everything: added, known,
skipped with reasons) and runs.jsonl (one summary line per run)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from pathlib import Path

import yaml

from cnfiscal.catalog import discovered_path  # noqa: F401  (re-exported)

HEADER = """\
# Written by `cnfiscal discover` (and the Dagster asset discovered_sources) from portals.yaml.
# Read together with catalog.yaml. Entries are appended, never rewritten: set `disabled: true`
# to drop one (it stays known and is not found again); the same id in catalog.yaml wins.
"""


def read_rows(path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return []
    rows = data.get("sources", []) if isinstance(data, dict) else data
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def append_rows(path: Path, rows: list[dict]) -> list[dict]:
    """Append the rows whose id the file does not hold yet (under a lock: two runs at once
    add each entry once). Returns the rows written."""
    if not rows:
        return []
    with _locked(path):
        current = read_rows(path)
        have = {str(r.get("id")) for r in current}
        new = []
        for row in rows:
            if row["id"] not in have:
                have.add(row["id"])
                new.append(row)
        if new:
            body = yaml.safe_dump(
                {"sources": current + new}, allow_unicode=True, sort_keys=False, width=100
            )
            _atomic_write(path, HEADER + body)
    return new


def write_report(folder: Path, report: dict) -> Path:
    """last_run.json (the whole report) and one summary line in runs.jsonl."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "last_run.json"
    _atomic_write(target, json.dumps(report, ensure_ascii=False, indent=1))
    summary = {k: v for k, v in report.items() if k != "portals"}
    summary["portals"] = [
        {k: v for k, v in p.items() if k not in ("added", "known", "skipped")}
        for p in report.get("portals", [])
    ]
    with open(folder / "runs.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(summary, ensure_ascii=False) + "\n")
    return target
