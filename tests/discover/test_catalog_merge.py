"""discovered.yaml is read with the catalog beside it: the catalog's own entries win, a
disabled entry is left out, a damaged file is a problem, not a crash; appends are idempotent."""

import yaml

from cnfiscal.catalog import load_catalog
from cnfiscal.discover.store import append_rows, discovered_path, read_rows


def _write(path, rows):
    path.write_text(yaml.safe_dump({"sources": rows}, allow_unicode=True), encoding="utf-8")


def test_discovered_entries_join_the_catalog(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    _write(catalog, [{"id": "mine", "location": "http://x.gov.cn/a.pdf"}])
    _write(
        discovered_path(catalog),
        [
            {"id": "d-x-b-1", "location": "http://x.gov.cn/b.pdf", "hints": {"fiscal_year": 2024}},
            {"id": "mine", "location": "http://x.gov.cn/other.pdf"},  # the catalog's id wins
            {"id": "d-x-a-2", "location": "http://x.gov.cn/a.pdf"},  # the catalog has it
            {"id": "d-x-c-3", "location": "http://x.gov.cn/c.pdf", "disabled": True},
        ],
    )
    loaded = load_catalog(catalog)
    assert [(e.id, e.location) for e in loaded.entries] == [
        ("mine", "http://x.gov.cn/a.pdf"),
        ("d-x-b-1", "http://x.gov.cn/b.pdf"),
    ]
    assert loaded.entries[1].hints == {"fiscal_year": 2024} and not loaded.problems


def test_a_damaged_discovered_file_is_a_problem(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    _write(catalog, [{"id": "mine", "location": "a.txt"}])
    discovered_path(catalog).write_text("sources: [ {id: x", encoding="utf-8")
    loaded = load_catalog(catalog)
    assert [e.id for e in loaded.entries] == ["mine"]
    assert loaded.problems and "discovered.yaml" in loaded.problems[0]


def test_append_is_idempotent(tmp_path):
    path = tmp_path / "discovered.yaml"
    rows = [{"id": "d-1", "location": "http://x/1.pdf"}, {"id": "d-2", "location": "http://x/2"}]
    assert append_rows(path, rows) == rows
    assert append_rows(path, rows) == []
    assert append_rows(path, [*rows, {"id": "d-3", "location": "http://x/3"}])[0]["id"] == "d-3"
    assert [r["id"] for r in read_rows(path)] == ["d-1", "d-2", "d-3"]
    assert path.read_text(encoding="utf-8").startswith("# Written by `cnfiscal discover`")
