"""Suite outcomes as plain data for check metadata: counts and a table of failing rows."""

from __future__ import annotations

from cnfiscal.quality.gx_runner import MAX_ROWS, SuiteOutcome


def severity(outcome: SuiteOutcome) -> str:
    """ok | warn | error: error when a critical expectation failed, warn for the rest."""
    if outcome.blocking_failures:
        return "error"
    if outcome.warnings or outcome.skipped:
        return "warn"
    return "ok"


def failing_rows(outcome: SuiteOutcome, limit: int = MAX_ROWS) -> list[dict]:
    rows = []
    for o in outcome.outcomes:
        if o.success:
            continue
        base = {"expectation": o.label, "severity": "error" if o.blocking else "warn"}
        if not o.rows:
            rows.append({**base, "observed": o.observed})
        rows.extend({**base, **r} for r in o.rows)
    return rows[:limit]


def counts(outcome: SuiteOutcome) -> dict:
    failed = [o for o in outcome.outcomes if not o.success]
    return {
        "suite": outcome.suite,
        "rows_validated": outcome.rows,
        "expectations": len(outcome.outcomes),
        "expectations_failed_error": len(outcome.blocking_failures),
        "expectations_failed_warn": len(outcome.warnings),
        "failing_rows": sum(o.unexpected_count for o in failed),
        "documents_failing": len({d for o in failed for d in o.documents}),
    }


def markdown_table(rows: list[dict]) -> str:
    if not rows:
        return "no failing rows"
    columns: list[str] = []
    for r in rows:
        columns += [c for c in r if c not in columns]
    cell = lambda v: "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")[:120]  # noqa: E731
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)
