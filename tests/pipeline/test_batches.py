"""Catalog batches and change detection (what the sensor compares between ticks)."""

import os

from cnfiscal.catalog import (
    N_BATCHES,
    batch_digests,
    batch_of,
    changed_batches,
    load_catalog,
    plan_catalog_run,
    select_batches,
)


def test_batch_is_stable_and_bounded():
    ids = [f"src-{i}" for i in range(2000)]
    batches = [batch_of(i) for i in ids]
    assert batches == [batch_of(i) for i in ids]
    assert len(set(batches)) == N_BATCHES  # 2,000 ids fill every bucket
    assert all(b.startswith("b") and 0 <= int(b[1:]) < N_BATCHES for b in batches)


def test_select_batches(corpus):
    catalog = load_catalog(corpus / "catalog.yaml")
    first = batch_of(catalog.entries[0].id)
    chosen = select_batches(catalog, [first]).entries
    assert chosen and all(batch_of(e.id) == first for e in chosen)
    assert select_batches(catalog, None).entries == catalog.entries


def test_digests_see_changed_dropped_and_new_entries(corpus):
    path = corpus / "catalog.yaml"
    before = batch_digests(load_catalog(path))
    assert batch_digests(load_catalog(path)) == before  # nothing changed, nothing to do

    entry = load_catalog(path).entries[0]
    seed = corpus / entry.location
    seed.write_text(seed.read_text(encoding="utf-8") + "\n补充说明。", encoding="utf-8")
    os.utime(seed, ns=(1, 10**18))
    after_edit = batch_digests(load_catalog(path))
    assert changed_batches(before, after_edit) == [batch_of(entry.id)]

    seed.unlink()
    assert changed_batches(after_edit, batch_digests(load_catalog(path))) == [batch_of(entry.id)]

    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  - id: brand-new-source\n    location: seeds/x.txt\n", "utf-8")
    now = batch_digests(load_catalog(path))
    assert batch_of("brand-new-source") in changed_batches(after_edit, now)


def test_plan():
    plan = plan_catalog_run({}, {"b01": "x", "b02": "y"}, known=[])
    assert plan.add_batches == ["b01", "b02"] and plan.whole_range
    plan = plan_catalog_run({"b01": "x", "b02": "y"}, {"b01": "x", "b02": "z"}, ["b01", "b02"])
    assert plan.run_batches == ["b02"] and not plan.whole_range and not plan.add_batches
    plan = plan_catalog_run({"b01": "x"}, {"b01": "x"}, ["b01"])
    assert plan.run_batches == []


def test_csv_catalog_reads_as_dict_reader_would(tmp_path):
    """The CSV reader is csv.reader for speed; the rows must be DictReader's."""
    import csv

    from cnfiscal.catalog import HINT_FIELDS, _csv_rows

    text = (
        "\ufeffid,location,agency,fiscal_year,region,fiscal_year\n"
        "a1,docs/a.pdf,某某局,2023,,2024\n"
        "\n"
        "a2,docs/b.pdf\n"  # short row: missing cells
        'a3,"docs/c,d.pdf",局,,,,extra\n'  # quoted comma, a cell too many
        ",,\n"
    )
    path = tmp_path / "catalog.csv"
    path.write_text(text, encoding="utf-8")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        expected = [
            {
                "id": row.get("id"),
                "location": row.get("location"),
                "hints": {k: row[k] for k in HINT_FIELDS if row.get(k)},
            }
            for row in csv.DictReader(fh)
        ]
    assert _csv_rows(path) == expected
    catalog = load_catalog(path)
    assert [(e.id, e.location, e.hints) for e in catalog.entries] == [
        ("a1", "docs/a.pdf", {"agency": "某某局", "fiscal_year": "2024"}),
        ("a2", "docs/b.pdf", {}),
        ("a3", "docs/c,d.pdf", {"agency": "局"}),
    ]
    assert len(catalog.problems) == 1  # the row with no id


def test_catalog_is_read_again_when_its_files_change(tmp_path):
    """load_catalog keeps the last catalog it read while its files stay the same (the job's
    steps read it after the launcher did); any change to either file is read."""
    import time

    from cnfiscal import catalog as catalog_module

    def write(path, text, age_s=3600.0):
        path.write_text(text, encoding="utf-8")
        past = time.time() - age_s
        os.utime(path, (past, past))

    path = tmp_path / "catalog.csv"
    write(path, "id,location\na1,docs/a.pdf\n")
    first = load_catalog(path)
    first.entries.append(first.entries[0])  # a caller's change stays in its own copy
    assert [e.id for e in load_catalog(path).entries] == ["a1"]

    write(path, "id,location\na2,docs/b.pdf\n", age_s=1800)  # same size, new mtime
    assert [e.id for e in load_catalog(path).entries] == ["a2"]
    write(tmp_path / "discovered.yaml", "sources:\n- {id: d1, location: docs/d.pdf}\n")
    assert [e.id for e in load_catalog(path).entries] == ["a2", "d1"]
    (tmp_path / "discovered.yaml").unlink()
    assert [e.id for e in load_catalog(path).entries] == ["a2"]

    # A file written in the last seconds is not remembered: it may change again unseen.
    write(path, "id,location\na3,docs/c.pdf\n", age_s=0)
    catalog_module._last = None
    assert [e.id for e in load_catalog(path).entries] == ["a3"]
    assert catalog_module._last is None
