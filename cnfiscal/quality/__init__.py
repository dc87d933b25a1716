"""Data-quality gates: Great Expectations suites (kept as files in expectations/) run on tables."""
