import shutil
from pathlib import Path

import pytest

from cnfiscal.settings import REPO_ROOT, Settings


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of the bundled corpus (seeds + catalog) that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", target)
    return target


@pytest.fixture
def settings(tmp_path, corpus) -> Settings:
    return Settings(tmp_path / "warehouse", corpus / "catalog.yaml")
