import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Keep GX and tqdm quiet in test output.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TQDM_DISABLE", "1")
# Tests choose their warehouse mode themselves (default: the single file); a DuckLake set in
# the developer's shell must not leak into the runs they start.
os.environ.pop("CNFISCAL_WAREHOUSE", None)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (corpus and gold) is not beside the repo")
    return SHARED
