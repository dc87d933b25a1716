"""Run a Great Expectations 1.x suite, kept as a JSON file, against a DuckDB query.

The suite file holds `name`, an optional `query` (the SQL whose result is validated) and GX's
own expectation list. Each expectation's GX `severity` (critical / warning / info) decides
whether its failure blocks publishing. No Dagster here; the asset checks wrap this.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from cnfiscal.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"

# GX is chatty (progress bars, usage statistics); a pipeline log wants none of it.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TQDM_DISABLE", "1")
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    severity: str
    success: bool
    unexpected_count: int
    sample: list = field(default_factory=list)


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    @property
    def success(self) -> bool:
        return not self.blocking_failures


def load_suite_file(name: str, directory: Path = EXPECTATIONS_DIR) -> dict:
    return json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))


def validate_frame(suite_doc: dict, frame: pd.DataFrame) -> SuiteOutcome:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("cnfiscal")
    batch_def = source.add_dataframe_asset(suite_doc["name"]).add_batch_definition_whole_dataframe(
        "all"
    )
    expectations = [
        ExpectationConfiguration(**spec).to_domain_obj() for spec in suite_doc["expectations"]
    ]
    suite = context.suites.add(
        gx.ExpectationSuite(name=suite_doc["name"], expectations=expectations)
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_doc["name"], data=batch_def, suite=suite)
    )
    result = validation.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": 10},
    )
    outcomes = []
    for r in result.results:
        cfg = r.expectation_config
        details = r.result or {}
        outcomes.append(
            ExpectationOutcome(
                expectation=cfg.type,
                column=cfg.kwargs.get("column"),
                severity=str(getattr(cfg, "severity", "critical")).split(".")[-1].lower(),
                success=bool(r.success),
                unexpected_count=int(details.get("unexpected_count") or 0),
                sample=[_plain(v) for v in details.get("partial_unexpected_list") or []],
            )
        )
    return SuiteOutcome(suite=suite_doc["name"], rows=len(frame), outcomes=outcomes)


def _plain(value):
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


def validate_query(name: str, db_path: Path, directory: Path = EXPECTATIONS_DIR) -> SuiteOutcome:
    """Validate the suite `name` against the rows of its query, read from a read-only connection."""
    suite_doc = load_suite_file(name, directory)
    with duckdb.connect(str(db_path), read_only=True) as con:
        frame = con.execute(suite_doc["query"]).df()
    return validate_frame(suite_doc, frame)
