"""A report removed from the catalog leaves the published warehouse on the next `cnfiscal run`,
also when it was the only report of its batch (a run retires only what its batches cover).
Real subprocesses of `cnfiscal run` on a private corpus copy and warehouse."""

import subprocess

import duckdb

from cnfiscal.catalog import batch_of, batches_to_run, load_catalog
from tests.pipeline.test_crash import RUN, _env


def test_batches_to_run_cover_the_warehouse_sources_the_catalog_dropped():
    kept, gone = "kept-source", "gone-source"
    assert batch_of(kept) != batch_of(gone)
    assert batches_to_run([kept], [kept, gone]) == sorted({batch_of(kept), batch_of(gone)})
    assert batches_to_run([kept], []) == [batch_of(kept)]


def _current(settings, source_id):
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        docs = con.execute(
            "select count(*) from raw.documents where is_current and source_id = ?", [source_id]
        ).fetchall()[0][0]
        facts = con.execute(
            "select count(*) from marts.fct_fiscal_facts where document_id in "
            "(select document_id from raw.documents where source_id = ?)",
            [source_id],
        ).fetchall()[0][0]
    return docs, facts


def test_source_alone_in_its_batch_is_retired_when_dropped(settings):
    env = _env(settings)
    first = subprocess.run(RUN, env=env, capture_output=True, text=True, timeout=480)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]

    entries = load_catalog(settings.catalog_path).entries
    alone = [e for e in entries if sum(batch_of(o.id) == batch_of(e.id) for o in entries) == 1]
    gone = alone[0].id
    assert _current(settings, gone)[0] == 1 and _current(settings, gone)[1] > 0

    # Drop its entry (the id line and the lines under it) from the catalog file.
    lines = settings.catalog_path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  - id: {gone}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - ")), None)
    kept = lines[:start] + (lines[end:] if end is not None else [])
    settings.catalog_path.write_text("\n".join(kept) + "\n", encoding="utf-8")

    second = subprocess.run(RUN, env=env, capture_output=True, text=True, timeout=480)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert _current(settings, gone) == (0, 0)
    others = [e.id for e in entries if e.id != gone]
    assert all(_current(settings, s)[0] == 1 for s in others)
