"""Landing extracted reports in DuckDB's `raw` schema (no Dagster here)."""
