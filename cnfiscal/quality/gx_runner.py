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
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from cnfiscal.quality import frames
from cnfiscal.quality.frames import SCOPE_TABLE
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
    Python's import lock for the same import instead of repeating it. The Data Docs templates
    are compiled there too (~0.3 s of CPU the gate would otherwise spend; see gx_docs).
    """

    def load() -> None:
        try:
            importlib.import_module("great_expectations")
            importlib.import_module("cnfiscal.quality.gx_docs").precompile()
        except Exception:  # noqa: BLE001 - the check's own import raises it where it is seen
            logging.getLogger(__name__).debug("background GX import failed", exc_info=True)

    thread = threading.Thread(target=load, name="gx-import", daemon=True)
    thread.start()
    return thread


DOCS_SITE = "cnfiscal"
DATA_SOURCE = "cnfiscal"
# GX's page views, sharing compiled templates (see cnfiscal.quality.gx_docs).
_PAGE_VIEW = {"module_name": "cnfiscal.quality.gx_docs", "class_name": "PageView"}
_INDEX_VIEW = {"module_name": "cnfiscal.quality.gx_docs", "class_name": "IndexPageView"}
_SITE_SECTIONS = ("expectations", "validations", "profiling")  # GX's default sections


def new_context(docs_dir: Path | None = None, suites: Iterable[str] = ()):
    """An ephemeral GX context; with `docs_dir`, a Data Docs site (HTML) is kept there; with
    `suites`, the data asset each of them validates is declared already.

    Configured in one go: each of the context's setters (and each data asset or batch definition
    added on its own) re-serializes the whole configuration. Unlike gx.get_context's ephemeral
    default, it has no "local_site", which would render every page a second time into a new
    temporary folder on each build (~0.65 s, ~4.5 MB left in /tmp per run). No progress bars: GX
    draws them whatever TQDM_DISABLE says, and a pipeline log wants none.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "view": _INDEX_VIEW},
            "site_section_builders": {s: {"view": _PAGE_VIEW} for s in _SITE_SECTIONS},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    # A pandas data asset per suite, named after it (so Data Docs name each batch
    # "cnfiscal-<suite>"), with one batch definition: the whole frame.
    whole = [{"name": "all"}]
    assets = [{"name": s, "type": "dataframe", "batch_definitions": whole} for s in suites]
    if assets:
        context.data_sources.add_pandas(DATA_SOURCE, assets=assets)
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
        source = context.data_sources.get(DATA_SOURCE)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(DATA_SOURCE)
    try:  # declared by new_context
        batch_def = source.get_asset(name).get_batch_definition("all")
    except LookupError:
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
    # Run the validation definition itself, not through a Checkpoint: with no actions to run, a
    # checkpoint only adds a store round-trip and a freshness check of its own (~30 ms a suite).
    # The result is stored for Data Docs either way.
    result = validation.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters or {},
        result_format=result_format,
    )
    outcomes = [_outcome(r, identify) for r in result.results]
    return SuiteOutcome(suite=name, rows=len(frame), outcomes=outcomes)


def _outcome(r, identify: list[str]) -> ExpectationOutcome:
    cfg = r.expectation_config
    details = r.result or {}
    column = cfg.kwargs.get("column")
    keep = [*identify, column] if column and column not in identify else identify
    failing = [i for i in details.get("unexpected_index_list") or [] if isinstance(i, dict)]
    # A NULL document_id reaches here as NaN, which is truthy: made None, it counts as a row
    # that names no report (and so blocks the run) instead of naming a report "nan".
    documents = [_plain(i.get("document_id")) for i in failing]
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


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{s}.{t}"
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }


IN_SCOPE = re.compile(r"/\*and_in_scope ([\w.]+)\*/")


def read_suite_rows(
    con: duckdb.DuckDBPyConnection,
    suite_doc: dict,
    context: dict | None = None,
    scoped: bool = False,
) -> tuple[pd.DataFrame, dict]:
    """The rows a suite validates, and the parameters its expectations read from the warehouse.

    `scoped`: only the rows of the reports in SCOPE_TABLE (registered on `con`), for a suite
    whose `per_report` names its report column; a suite without one is table-wide."""
    scoped = scoped and "per_report" in suite_doc
    if "frame" in suite_doc:
        frame = frames.build(suite_doc["frame"], con, {**(context or {}), "scoped": scoped})
    elif scoped:
        # A `/*and_in_scope COLUMN*/` comment in the query narrows a scan where it is made (the
        # suite's joins then see only tonight's reports); the outer filter is what guarantees it.
        query = IN_SCOPE.sub(
            rf"and \1 in (select document_id from {SCOPE_TABLE})", suite_doc["query"]
        )
        frame = con.execute(
            f"select * from ({query}) as rows_of_suite "
            f"where {suite_doc['per_report']} in (select document_id from {SCOPE_TABLE})"
        ).df()
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
    scope: list[str] | None = None,
) -> dict[str, SuiteOutcome]:
    """Validate suites against the build file (read-only), in one GX context; with `docs_dir`,
    render them all as one Data Docs site there (built once, after the last suite).
    A caller passing its own `gx_context` builds the docs itself. With `scope` (document ids),
    suites that declare a report column validate only those reports' rows."""
    build_docs = gx_context is None and docs_dir is not None
    gx_context = gx_context or new_context(docs_dir, names)
    outcomes = {}
    # One read-only connection for all the suites: opening the build file costs 30-70 ms.
    with duckdb.connect(str(db_path), read_only=True) as con:
        if scope is not None:
            con.register(SCOPE_TABLE, pd.DataFrame({"document_id": scope}, dtype="string"))
        present = _tables(con)
        for name in names:
            suite_doc = load_suite_file(name, directory)
            missing = [r for r in suite_doc.get("requires", []) if r not in present]
            if missing:
                outcomes[name] = SuiteOutcome(name, 0, [], skipped=f"missing {', '.join(missing)}")
                continue
            frame, parameters = read_suite_rows(con, suite_doc, context, scope is not None)
            outcomes[name] = validate_frame(suite_doc, frame, parameters, gx_context)
    if build_docs:
        gx_context.build_data_docs()
    return outcomes


def validate_suite(name: str, db_path: Path, **kwargs) -> SuiteOutcome:
    return validate_suites([name], db_path, **kwargs)[name]
