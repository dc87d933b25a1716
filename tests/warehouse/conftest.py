"""Fixtures of tests/warehouse (defined in warehouse_support)."""

from warehouse_support import seeds_warehouse, synthetic_warehouse  # noqa: F401
