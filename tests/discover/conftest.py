"""The test website (tests/discover/site.py) and settings for a private catalog + warehouse."""

from __future__ import annotations

import pytest
import yaml

from cnfiscal.fetch import FetchConfig
from cnfiscal.settings import Settings
from tests.discover.site import Site


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "catalog.yaml").write_text("sources: []\n", encoding="utf-8")
    return Settings(tmp_path / "warehouse", corpus / "catalog.yaml")


def write_portals(settings: Settings, portals: list[dict], fetch: dict | None = None) -> None:
    data = {"portals": portals, **({"fetch": fetch} if fetch else {})}
    settings.portals_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


FAST = FetchConfig(
    timeout_s=2.0, total_deadline_s=6.0, retries=0, backoff_s=0.01, per_host_interval_s=0.0
)
