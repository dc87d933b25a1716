"""The gate judging only what changed against the gate judging everything: a copy of the seeds
build goes through rounds of new, fixed, copied and removed reports, each built by the real
`dbt build` (incremental); after every round the scoped gate (with the record of the previous
gate) and a full gate over a copy of the same file must reach the same statuses, quarantine the
same reports for the same reasons and block on the same published failures, and the scoped one
must have judged fewer reports than there are."""

import shutil

import duckdb
import pytest
from warehouse_support import _doc, _fact, query, run_dbt

from cnfiscal.quality import gate, scope
from cnfiscal.warehouse.agency_names import agency_name_rows, write_agency_names
from pipelines.assets.dbt import STORED_MODELS

CLEAN, NEGATIVE, FIXED = "syn-c20@0000000000c1", "syn-n20@0000000000d1", "syn-n20@0000000000d2"
COPY = "syn-y20@0000000000e1"  # a later source whose file equals a seed source's new version


def _report(doc, agency, year, sha, total="100.00"):
    row = list(_doc(doc, agency, "荷塘区", year, "budget"))
    row[3] = sha  # distinct files (the support rows all share one sha256)
    facts = [
        _fact(doc, 1, "expenditure", "total", "all", "budget", year, "amount", total),
        _fact(doc, 2, "expenditure", "func:201", "all", "budget", year, "amount", total),
    ]
    row[13] = len(facts)  # fact_count
    return row, facts


def _add(con, row, facts):
    con.execute(f"insert into raw.documents values ({', '.join('?' * 20)})", row)
    rows = [tuple(f) + (None,) * (27 - len(f)) for f in facts]
    con.executemany(f"insert into raw.facts values ({', '.join('?' * 27)})", rows)


def _retire(con, doc):
    con.execute("update raw.documents set is_current = false, valid_to = now() where "
                "document_id = ?", [doc])  # fmt: skip


def round_1(con, seed):
    """New reports: a clean one, one with negative money (quarantined), and one whose file the
    seed source will publish next round (a copy, found only then)."""
    _add(con, *_report(CLEAN, "荷塘区统计局", 2020, "c" * 64))
    _add(con, *_report(NEGATIVE, "荷塘区审计局", 2020, "d" * 64, total="-100.00"))
    _add(con, *_report(COPY, "荷塘区民政局", 2020, "e" * 64))


def round_2(con, seed):
    """The negative report fixed in a new version; the seed source's new version is the file
    COPY holds. The seed source entered the catalog first, so the unchanged COPY becomes the
    duplicate: only the sha256 neighbourhood brings it into tonight's scope."""
    _retire(con, NEGATIVE)
    _add(con, *_report(FIXED, "荷塘区审计局", 2020, "f" * 64))
    source_id = seed.split("@")[0]
    new_version = f"{source_id}@{'e' * 12}"
    row = con.execute("select * from raw.documents where document_id = ?", [seed]).fetchone()
    _retire(con, seed)
    con.execute(
        f"insert into raw.documents values ({', '.join('?' * 20)})",
        [new_version, *row[1:3], "e" * 64, *row[4:]],
    )
    con.execute(
        "insert into raw.facts select * replace (? as document_id) from raw.facts "
        "where document_id = ?",
        [new_version, seed],
    )


def _refresh_names(con):
    docs = con.execute("select document_id, agency, region from raw.documents order by 1")
    write_agency_names(con, agency_name_rows(docs.fetchall()))


def _statuses(db):
    return query(
        db,
        "select document_id, status, status_reason from raw.documents where is_current order by 1",
    )


def _blocking(result):
    return {n: sorted(o.label for o in s.blocking_failures) for n, s in result.published.items()}


@pytest.fixture(scope="module")
def rounds(seeds_warehouse, tmp_path_factory):
    work = tmp_path_factory.mktemp("gate_scope")
    db = work / "cnfiscal.duckdb"
    shutil.copyfile(seeds_warehouse, db)
    seed = query(db, "select min(document_id) from raw.documents where is_current")[0][0]

    def rebuild(path):
        def run():
            built = run_dbt(path, "build", "--select", STORED_MODELS, work=work)
            assert built.returncode == 0, built.stdout[-4000:]

        return run

    first = gate.run_gate(db, "run-0", rebuild(db))
    assert first.scope.everything and first.passed
    results = []
    for n, step in enumerate([round_1, round_2], start=1):
        assert results == [] or results[-1][0].passed  # so the record is written
        with duckdb.connect(str(db)) as con:
            step(con, seed)
            _refresh_names(con)
        gate.release_for_recheck(db)  # as the dbt step does before building
        built = run_dbt(db, "build", work=work)
        assert built.returncode == 0, built.stdout[-4000:]
        full_db = work / f"full-{n}" / "cnfiscal.duckdb"  # dbt's views name the catalog
        full_db.parent.mkdir()
        shutil.copyfile(db, full_db)
        scoped = gate.run_gate(db, f"run-{n}", rebuild(db))
        full = gate.run_gate(full_db, f"run-{n}", rebuild(full_db), full=True)
        results.append((scoped, full, _statuses(db), _statuses(full_db)))
    return results, seed, db


@pytest.mark.parametrize("n", [0, 1])
def test_a_scoped_gate_decides_as_a_full_one(rounds, n):
    scoped, full, scoped_statuses, full_statuses = rounds[0][n]
    assert full.scope.everything and not scoped.scope.everything
    assert len(scoped.scope.documents) < scoped.scope.current
    assert scoped.verdict.quarantine == full.verdict.quarantine
    assert scoped.verdict.unattributed == full.verdict.unattributed
    assert scoped_statuses == full_statuses
    assert _blocking(scoped) == _blocking(full)
    assert scoped.passed == full.passed


def test_the_rounds_quarantine_and_release(rounds):
    seed_source = rounds[1].split("@")[0]
    (r1, *_), (r2, *_) = rounds[0]
    assert set(r1.verdict.quarantine) == {NEGATIVE}
    # round 2: the fix is published, and the unchanged COPY is now the duplicate
    assert set(r2.verdict.quarantine) == {COPY}
    duplicate = "raw_documents: expect_column_values_to_be_null(duplicate_of)"
    assert r2.verdict.quarantine[COPY] == [duplicate]
    assert {COPY, FIXED, NEGATIVE} <= set(r2.scope.documents)  # the removed version too
    # Reports of other agencies are not judged again. (CLEAN is: reports whose agency is not
    # resolved share one mart key, as FIXED's does.)
    unchanged_seeds = {d for (d, *_) in rounds[0][1][2] if not d.startswith(("syn-", seed_source))}
    assert unchanged_seeds and not unchanged_seeds & set(r2.scope.documents)


def test_changed_checks_judge_every_report(rounds, tmp_path):
    """A change of the checks or transforms (the fingerprint) makes the next gate judge all."""
    db = tmp_path / "cnfiscal.duckdb"
    shutil.copyfile(rounds[2], db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert not scope.plan(con, recheck_prefix=gate.RECHECK).everything
    with duckdb.connect(str(db)) as con:
        con.execute(f"update {scope.RECORD_STATE} set fingerprint = 'older checks'")
    with duckdb.connect(str(db), read_only=True) as con:
        planned = scope.plan(con, recheck_prefix=gate.RECHECK)
    assert planned.everything and "changed" in planned.reason


def test_the_record_is_rewritten_only_where_it_differs(rounds):
    """A scoped gate that passed leaves the record equal to its snapshot, having rewritten only
    the rows of the reports whose snapshot rows differed."""
    for scoped, *_ in rounds[0]:
        assert scoped.passed
        changed = scoped.scope.record_changes
        assert changed and len(changed) < scoped.scope.current
    snapshot = rounds[0][-1][0].scope.snapshot
    columns = snapshot.column_names
    expected = sorted(tuple(r[c] for c in columns) for r in snapshot.to_pylist())
    assert query(rounds[2], f"select * from {scope.RECORD} order by all") == expected
