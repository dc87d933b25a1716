"""Run a Great Expectations 1.x suite, kept as a JSON file, against rows read from DuckDB.

A suite file (see expectations/README.md) names the rows it validates (`query`, or `frame`: a
Python-built frame from cnfiscal.quality.frames), the `parameters` its expectations take from the
warehouse itself (`{"$PARAMETER": name}` in a kwarg), the `identify` columns that say which
document and identity a failing row is, and GX's own expectation list. Each expectation's GX
`severity` decides what its failure does: `critical` quarantines (or blocks), anything else warns.
No Dagster here; the gate asset and the asset checks wrap this.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from cnfiscal.quality import frames
from cnfiscal.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
MAX_ROWS = 50  # failing rows kept per expectation: enough to act on, small enough for metadata

# GX is chatty (progress bars, usage statistics); a pipeline log wants none of it.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TQDM_DISABLE", "1")
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    severity: str  # critical | warning | info
    success: bool
    unexpected_count: int
    rows: list[dict] = field(default_factory=list)  # failing rows (first MAX_ROWS)
    observed: object = None
    documents: list[str] = field(default_factory=list)  # every failing row's document_id
    unattributed: int = 0  # failing rows that name no document

    @property
    def blocking(self) -> bool:
        return not self.success and self.severity == "critical"

    @property
    def label(self) -> str:
        return f"{self.expectation}({self.column})" if self.column else self.expectation


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]
    skipped: str | None = None  # why the suite could not run (a required table is missing)

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.blocking]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    @property
    def success(self) -> bool:
        return not self.blocking_failures and self.skipped is None


def load_suite_file(name: str, directory: Path = EXPECTATIONS_DIR) -> dict:
    return json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))


def import_in_background() -> threading.Thread:
    """Start importing GX on a daemon thread; return the thread.

    Importing GX costs ~15 s of CPU on the 2-core machine (scipy, altair, SQLAlchemy). The build
    job calls this as dbt, a subprocess, starts on the marts, so the import runs on the core dbt
    leaves idle and the checks after dbt find GX loaded. A check that starts sooner waits on
    Python's import lock for the same import instead of repeating it.
    """

    def load() -> None:
        try:
            importlib.import_module("great_expectations")
        except Exception:  # noqa: BLE001 - the check's own import raises it where it is seen
            logging.getLogger(__name__).debug("background GX import failed", exc_info=True)

    thread = threading.Thread(target=load, name="gx-import", daemon=True)
    thread.start()
    return thread


def new_context(docs_dir: Path | None = None):
    """An ephemeral GX context; with `docs_dir`, a Data Docs site (HTML) is kept there."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    if docs_dir is not None:
        context.add_data_docs_site(
            "cnfiscal",
            {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def validate_frame(
    suite_doc: dict,
    frame: pd.DataFrame,
    parameters: dict | None = None,
    context=None,
) -> SuiteOutcome:
    """Validate `frame` in `context` (a GX context from new_context; a fresh one if None)."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    name = suite_doc["name"]
    context = context or new_context()
    try:
        source = context.data_sources.get("cnfiscal")
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas("cnfiscal")
    batch_def = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(
        gx.ExpectationSuite(
            name=name,
            expectations=[
                ExpectationConfiguration(**spec).to_domain_obj()
                for spec in suite_doc["expectations"]
            ],
        )
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_def, suite=suite)
    )
    identify = [c for c in suite_doc.get("identify", []) if c in frame.columns]
    result_format = {"result_format": "COMPLETE"}
    if identify:
        result_format["unexpected_index_column_names"] = identify
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name=name, validation_definitions=[validation], result_format=result_format)
    )
    run = checkpoint.run(
        batch_parameters={"dataframe": frame}, expectation_parameters=parameters or {}
    )
    (result,) = run.run_results.values()
    outcomes = [_outcome(r, identify) for r in result.results]
    return SuiteOutcome(suite=name, rows=len(frame), outcomes=outcomes)


def _outcome(r, identify: list[str]) -> ExpectationOutcome:
    cfg = r.expectation_config
    details = r.result or {}
    column = cfg.kwargs.get("column")
    keep = [*identify, column] if column and column not in identify else identify
    failing = [i for i in details.get("unexpected_index_list") or [] if isinstance(i, dict)]
    documents = [i.get("document_id") for i in failing]
    return ExpectationOutcome(
        expectation=cfg.type,
        column=column,
        severity=str(getattr(cfg, "severity", "critical")).split(".")[-1].lower(),
        success=bool(r.success),
        unexpected_count=int(details.get("unexpected_count") or 0),
        rows=[{k: _plain(i.get(k)) for k in keep} for i in failing[:MAX_ROWS]],
        observed=_plain(details.get("observed_value")),
        documents=sorted({d for d in documents if d}),
        unattributed=sum(1 for d in documents if not d),
    )


def _plain(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else str(value)


def _missing(con: duckdb.DuckDBPyConnection, relations: list[str]) -> list[str]:
    present = {
        f"{s}.{t}"
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    return [r for r in relations if r not in present]


def read_suite_rows(
    con: duckdb.DuckDBPyConnection, suite_doc: dict, context: dict | None = None
) -> tuple[pd.DataFrame, dict]:
    """The rows a suite validates, and the parameters its expectations read from the warehouse."""
    if "frame" in suite_doc:
        frame = frames.build(suite_doc["frame"], con, context or {})
    else:
        frame = con.execute(suite_doc["query"]).df()
    parameters = {
        key: con.execute(sql).fetchall()[0][0]
        for key, sql in suite_doc.get("parameters", {}).items()
    }
    return frame, parameters


def validate_suites(
    names: list[str],
    db_path: Path,
    *,
    context: dict | None = None,
    docs_dir: Path | None = None,
    gx_context=None,
    directory: Path = EXPECTATIONS_DIR,
) -> dict[str, SuiteOutcome]:
    """Validate suites against the build file (read-only), in one GX context; with `docs_dir`,
    render them all as one Data Docs site there (built once: it costs seconds per build).
    A caller passing its own `gx_context` builds the docs itself."""
    build_docs = gx_context is None and docs_dir is not None
    gx_context = gx_context or new_context(docs_dir)
    outcomes = {}
    for name in names:
        suite_doc = load_suite_file(name, directory)
        with duckdb.connect(str(db_path), read_only=True) as con:
            missing = _missing(con, suite_doc.get("requires", []))
            if missing:
                outcomes[name] = SuiteOutcome(name, 0, [], skipped=f"missing {', '.join(missing)}")
                continue
            frame, parameters = read_suite_rows(con, suite_doc, context)
        outcomes[name] = validate_frame(suite_doc, frame, parameters, gx_context)
    if build_docs:
        gx_context.build_data_docs()
    return outcomes


def validate_suite(name: str, db_path: Path, **kwargs) -> SuiteOutcome:
    return validate_suites([name], db_path, **kwargs)[name]
