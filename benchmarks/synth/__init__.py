"""Synthetic report corpus for load benchmarks only (see generate.py)."""

import sys

# `cnfiscal run` in a subprocess, with this interpreter (what the load benchmarks time).
RUN_PIPELINE = [
    sys.executable,
    "-c",
    "import sys; from cnfiscal.runner import run_pipeline as r; sys.exit(r())",
]
