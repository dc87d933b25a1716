"""The quality gate: run the per-document suites, quarantine the reports they fail, release the
ones that pass again. No Dagster here; pipelines/assets/quality.py wraps it.

A blocking (critical) failure that names documents quarantines those documents and lets the rest
of the corpus publish. One that names none (a table-wide invariant, an empty mart), or that would
quarantine every current report (a systemic fault, not a bad report), blocks the run instead.
Statuses live in raw.documents; every verdict is also appended to quality.document_status_log,
so nothing is ever deleted and a quarantine's history can be read back.

The per-report suites judge only the reports whose verdict could have changed since the last gate
that passed (cnfiscal.quality.scope); the others keep their status. warehouse_counts is
table-wide every night.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cnfiscal.quality import scope as gate_scope
from cnfiscal.quality.gx_runner import SuiteOutcome, new_context, validate_suites

DOCUMENT_SUITES = ("raw_documents", "raw_facts", "raw_parse_issues", "balance", "cross_document")
# Table-wide, over what would be published (after the rebuild): failures block the run.
PUBLISHED_SUITES = (
    "published_facts",
    "published_documents",
    "published_quarantine",
    "warehouse_counts",
)
RECHECK = "rechecking: "  # status_reason prefix of a quarantined report under re-check


@dataclass
class Verdict:
    outcomes: dict[str, SuiteOutcome]
    quarantine: dict[str, list[str]] = field(default_factory=dict)  # document_id → reasons
    unattributed: list[str] = field(default_factory=list)  # failures that block the run

    @property
    def blocks_run(self) -> bool:
        return bool(self.unattributed)


def decide(outcomes: dict[str, SuiteOutcome], current_documents: list[str]) -> Verdict:
    verdict = Verdict(outcomes)
    for suite in outcomes.values():
        for failure in suite.blocking_failures:
            reason = f"{suite.suite}: {failure.label}"
            if not failure.documents or failure.unattributed:
                verdict.unattributed.append(f"{reason} ({failure.unexpected_count} rows)")
            for doc in failure.documents:
                verdict.quarantine.setdefault(doc, []).append(reason)
    if current_documents and set(current_documents) <= set(verdict.quarantine):
        verdict.unattributed.append(
            f"every one of the {len(current_documents)} current reports failed a blocking check"
        )
    return verdict


def current_documents(db_path: Path) -> dict[str, tuple[str, str | None]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return _current(con)


def _current(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    rows = con.execute(
        "select document_id, status, status_reason from raw.documents where is_current"
    ).fetchall()
    return {doc: (status, reason) for doc, status, reason in rows}


def release_for_recheck(db_path: Path) -> int:
    """Mark quarantined current reports loaded again, so the next marts build includes them and
    the gate checks them afresh; the old reason is kept (prefixed) until the gate decides."""
    with duckdb.connect(str(db_path)) as con:
        released = con.execute(
            "update raw.documents set status = 'loaded', "
            "status_reason = ? || coalesce(status_reason, '') "
            "where is_current and status = 'quarantined' returning document_id",
            [RECHECK],
        ).fetchall()
    return len(released)


@dataclass
class Applied:
    quarantined: list[str]
    released: list[str]
    changed: bool  # statuses differ from those the marts were last built with


def apply(db_path: Path, verdict: Verdict, run_id: str) -> Applied:
    """Write the verdict into raw.documents (one short write transaction) and log it."""
    with duckdb.connect(str(db_path)) as con:
        return _apply(con, verdict, run_id)


def _apply(
    con: duckdb.DuckDBPyConnection,
    verdict: Verdict,
    run_id: str,
    before: dict[str, tuple[str, str | None]] | None = None,
) -> Applied:
    before = _current(con) if before is None else before
    now = datetime.now(UTC)
    quarantined = sorted(d for d in verdict.quarantine if d in before)
    released = sorted(
        d
        for d, (status, reason) in before.items()
        if d not in verdict.quarantine
        and (status == "quarantined" or (reason or "").startswith(RECHECK))
    )
    log = [[run_id, now, d, "quarantined", "; ".join(verdict.quarantine[d])] for d in quarantined]
    log += [[run_id, now, d, "loaded", "passed re-check"] for d in released]
    con.execute("BEGIN")
    try:
        con.execute("create schema if not exists quality")
        con.execute(
            "create table if not exists quality.document_status_log (run_id varchar, "
            "checked_at timestamptz, document_id varchar, status varchar, reason varchar)"
        )
        for doc in quarantined:
            con.execute(
                "update raw.documents set status = 'quarantined', status_reason = ? "
                "where document_id = ?",
                ["; ".join(verdict.quarantine[doc]), doc],
            )
        for doc in released:
            con.execute(
                "update raw.documents set status = 'loaded', status_reason = null "
                "where document_id = ?",
                [doc],
            )
        if log:
            con.executemany("insert into quality.document_status_log values (?, ?, ?, ?, ?)", log)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    changed = any(
        (d in verdict.quarantine) != (status == "quarantined") for d, (status, _) in before.items()
    )
    return Applied(quarantined, released, changed)


@dataclass
class GateResult:
    verdict: Verdict
    applied: Applied
    published: dict[str, SuiteOutcome]
    rebuilds: int
    scope: gate_scope.Scope | None = None

    @property
    def passed(self) -> bool:
        return not self.verdict.blocks_run and all(
            not o.blocking_failures for o in self.published.values()
        )


def run_gate(
    db_path: Path,
    run_id: str,
    rebuild_marts: Callable[[], None],
    docs_dir: Path | None = None,
    full: bool = False,
) -> GateResult:
    """Judge the reports in scope (every current one when `full`), write statuses, rebuild the
    marts if they changed, then validate what would be published. `rebuild_marts` runs
    `dbt build` of the stored models (marts, incremental intermediates and their change record)."""
    rebuilds = 0
    # Normally the dbt step released them already; this covers a gate materialized on its own.
    if release_for_recheck(db_path):
        rebuild_marts()
        rebuilds += 1
    with duckdb.connect(str(db_path), read_only=True) as con:
        scope = gate_scope.plan(con, full, RECHECK)
    gx_context = new_context(docs_dir, suites=DOCUMENT_SUITES + PUBLISHED_SUITES)
    outcomes = validate_suites(
        list(DOCUMENT_SUITES), db_path, gx_context=gx_context, scope=scope.documents
    )
    # One connection to read the current reports, decide and write (each open costs ~35 ms).
    with duckdb.connect(str(db_path)) as con:
        current = _current(con)
        verdict = decide(outcomes, list(current))
        applied = _apply(con, verdict, run_id, current)
    if applied.changed:
        rebuild_marts()
        rebuilds += 1
    published = validate_suites(
        list(PUBLISHED_SUITES), db_path, gx_context=gx_context, scope=scope.documents
    )
    if docs_dir is not None:
        gx_context.build_data_docs()
    result = GateResult(verdict, applied, published, rebuilds, scope)
    if result.passed:  # else the next gate judges a superset of tonight's reports
        with duckdb.connect(str(db_path)) as con:
            gate_scope.record(con, scope, run_id)
    return result
