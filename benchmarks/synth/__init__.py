"""Synthetic report corpus for load benchmarks only (see generate.py)."""
