"""The download set: files, CSV for Excel, partitions, checksums, Frictionless, atomic swap."""

import json
from decimal import Decimal

import duckdb
import pytest
from frictionless import validate

import cnfiscal.exports as exports
from cnfiscal.checksums import sha256_file
from cnfiscal.exports import export_marts, read_sums
from cnfiscal.site.datapackage import keys_from_manifest


def _export(small_db, out, **kw):
    db, manifest = small_db
    return export_marts(db, out, manifest_path=manifest, **kw)


def test_every_mart_as_parquet_and_csv_read_back(small_db, tmp_path):
    out = tmp_path / "exports"
    files = _export(small_db, out)
    names = sorted(f.path.name for f in files)
    assert names == sorted(
        f"{t}.{ext}"
        for t in ("dim_agency", "dim_document", "fct_fiscal_facts")
        for ext in ("parquet", "csv")
    )
    with duckdb.connect() as con:
        for f in files:
            if f.format == "parquet":
                n = con.execute(f"select count(*) from read_parquet('{f.path}')").fetchall()[0][0]
            else:
                assert f.path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
                n = con.execute(f"select count(*) from read_csv('{f.path}')").fetchall()[0][0]
            assert n == f.rows == {"dim_agency": 2, "dim_document": 3}.get(f.table, 6)
        value = con.execute(
            f"select value from read_parquet('{out / 'fct_fiscal_facts.parquet'}') "
            "where document_id = 'd18@x' and fact_seq = 2"
        ).fetchall()[0][0]
    assert value == Decimal("80.25")  # DECIMAL survives, not float


def test_checksums_cover_every_file(small_db, tmp_path):
    out = tmp_path / "exports"
    files = _export(small_db, out)
    sums = read_sums(out)
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(sums) == on_disk - {"SHA256SUMS"}
    assert "datapackage.json" in sums
    for f in files:
        assert sums[f.path.relative_to(out).as_posix()] == f.sha256
        assert sha256_file(f.path) == f.sha256


def test_large_tables_split_by_fiscal_year(small_db, tmp_path):
    out = tmp_path / "exports"
    files = _export(small_db, out, partition_rows=3, csv_max_rows=2)
    facts = [f for f in files if f.table == "fct_fiscal_facts"]
    assert {f.partition for f in facts} == {"2018", "2019"}
    assert all(f.format == "parquet" for f in facts)  # 6 rows > csv_max_rows: no CSV
    assert (out / "fct_fiscal_facts" / "fiscal_year=2019").is_dir()
    assert not (out / "dim_document.csv").exists() and (out / "dim_agency.csv").exists()
    glob = out / "fct_fiscal_facts" / "**" / "*.parquet"
    with duckdb.connect() as con:
        got = con.execute(
            f"select fiscal_year, count(*), sum(value) from read_parquet('{glob}', "
            "hive_partitioning = true) group by 1 order by 1"
        ).fetchall()
    assert got == [(2018, 2, Decimal("180.75")), (2019, 4, Decimal("220.3"))]
    assert validate(out / "datapackage.json").valid


def test_datapackage_is_valid_and_describes_everything(small_db, tmp_path):
    out = tmp_path / "exports"
    _export(small_db, out)
    report = validate(out / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "message"])[:5]
    assert len(report.tasks) == 6 and all(t.stats["rows"] > 0 for t in report.tasks)
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert pkg["licenses"][0]["name"] == "CC-BY-4.0"
    # one source per site, counting its reports; each report is a row of dim_document
    with duckdb.connect(str(small_db[0]), read_only=True) as con:
        reports = con.execute("select count(*) from marts.dim_document").fetchone()[0]
    by_site = {s.get("path"): s for s in pkg["sources"]}
    assert "https://example.gov.cn/" in by_site
    assert by_site["https://example.gov.cn/"]["title"] == "example.gov.cn"
    assert sum(s["reports"] for s in pkg["sources"]) == reports
    assert all(s["first_fetched_at"].startswith("2024-05-0") for s in pkg["sources"])
    assert all(s["first_fetched_at"] <= s["last_fetched_at"] for s in pkg["sources"])
    facts = next(r for r in pkg["resources"] if r["name"] == "fct_fiscal_facts")
    assert facts["schema"]["primaryKey"] == ["document_id", "fact_seq"]
    refs = {fk["reference"]["resource"] for fk in facts["schema"]["foreignKeys"]}
    assert refs == {"dim_document", "dim_agency"}
    value = next(f for f in facts["schema"]["fields"] if f["name"] == "value")
    assert value["type"] == "number" and value["duckdb_type"].startswith("DECIMAL")
    agency = next(f for f in facts["schema"]["fields"] if f["name"] == "agency_id")
    assert agency["description_zh"] and agency["description_en"] == "Agency id."


def test_frictionless_catches_a_broken_foreign_key(small_db, tmp_path):
    db, _ = small_db
    with duckdb.connect(str(db)) as con:
        con.execute("update marts.fct_fiscal_facts set document_id = 'nowhere' where fact_seq = 3")
    out = tmp_path / "exports"
    _export(small_db, out)
    report = validate(out / "datapackage.json")
    assert not report.valid
    assert {e.type for t in report.tasks for e in t.errors} == {"foreign-key"}


def test_a_failed_build_leaves_the_previous_set_untouched(small_db, tmp_path, monkeypatch):
    out = tmp_path / "exports"
    _export(small_db, out)
    before = read_sums(out)

    def boom(folder, **_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "_write_sums", boom)
    with pytest.raises(RuntimeError):
        _export(small_db, out)
    assert read_sums(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".exports")] == []


def test_recover_after_a_crash_between_the_renames(tmp_path):
    out = tmp_path / "exports"
    old = tmp_path / ".exports.old-4242"
    old.mkdir()
    (old / "SHA256SUMS").write_text("")
    exports.recover(out)
    assert (out / "SHA256SUMS").exists() and not old.exists()


def test_keys_from_dbt_tests(manifest_dict):
    pk, fks = keys_from_manifest(manifest_dict, "dim_document", ["document_id", "source_id"])
    assert pk == ["document_id"]  # first unique column in table order
    assert fks == [{"fields": ["agency_id"], "resource": "dim_agency", "reference": ["agency_id"]}]


def _inodes(folder):
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*.*")}


def _assert_sums_right(out, files):
    sums = read_sums(out)
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(sums) == on_disk - {"SHA256SUMS"}
    for rel, sha in sums.items():
        assert sha256_file(out / rel) == sha, rel
    for f in files:
        assert f.sha256 == sums[f.path.relative_to(out).as_posix()]


def test_an_unchanged_set_is_linked_from_the_previous_one(small_db, tmp_path):
    out = tmp_path / "exports"
    _export(small_db, out, partition_rows=3)
    before = _inodes(out)
    files = _export(small_db, out, partition_rows=3)
    after = _inodes(out)
    data = {rel for rel in after if rel.endswith((".parquet", ".csv"))}
    assert len(data) == 7 and {rel: after[rel] for rel in data} == {r: before[r] for r in data}
    assert after["datapackage.json"] != before["datapackage.json"]  # written afresh each run
    _assert_sums_right(out, files)
    assert validate(out / "datapackage.json").valid


def test_only_the_changed_partition_and_tables_are_rewritten(small_db, tmp_path):
    out = tmp_path / "exports"
    _export(small_db, out, partition_rows=3)
    before = _inodes(out)
    db, _ = small_db
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update marts.fct_fiscal_facts set value = 121 "
            "where document_id = 'd19@y' and fact_seq = 1"
        )
        con.execute(
            "update marts.dim_agency set agency_name = '某区财政局（新）' where agency_id = 'a2'"
        )
    files = _export(small_db, out, partition_rows=3)
    after = _inodes(out)
    rewritten = {rel for rel in after if rel in before and after[rel] != before[rel]}
    assert rewritten == {
        "fct_fiscal_facts/fiscal_year=2019/data_0.parquet",
        "fct_fiscal_facts.csv",  # the whole table in one file
        "dim_agency.parquet",
        "dim_agency.csv",
        "datapackage.json",
    }
    _assert_sums_right(out, files)
    glob = out / "fct_fiscal_facts" / "**" / "*.parquet"
    with duckdb.connect() as con:
        got = con.execute(
            f"select fiscal_year, count(*), sum(value) from read_parquet('{glob}', "
            "hive_partitioning = true) group by 1 order by 1"
        ).fetchall()
        name = con.execute(
            f"select agency_name from read_csv('{out / 'dim_agency.csv'}') where agency_id = 'a2'"
        ).fetchall()
    assert got == [(2018, 2, Decimal("180.75")), (2019, 4, Decimal("221.3"))]
    assert name == [("某区财政局（新）",)]
    assert validate(out / "datapackage.json").valid


def test_a_previous_file_that_is_not_as_recorded_is_rewritten(small_db, tmp_path):
    out = tmp_path / "exports"
    _export(small_db, out)
    before = _inodes(out)
    # another size than datapackage.json records: not the file the set was written with
    (out / "dim_agency.csv").write_bytes((out / "dim_agency.csv").read_bytes() + b"\n")
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for r in package["resources"]:  # a set from before content keys: nothing to reuse
        if r["table"] == "dim_document":
            del r["content_key"]
    (out / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    files = _export(small_db, out)
    after = _inodes(out)
    assert {rel for rel in after if after[rel] != before.get(rel)} >= {
        "dim_agency.csv",
        "dim_document.parquet",
        "dim_document.csv",
    }
    assert after["fct_fiscal_facts.parquet"] == before["fct_fiscal_facts.parquet"]
    _assert_sums_right(out, files)


def test_marts_written_at_once_give_the_set_written_one_by_one(small_db, tmp_path):
    # partitioned and whole tables, Parquet and CSV, as in the nightly set
    sets = {}
    for workers in (1, 2):
        out = tmp_path / f"exports{workers}"
        files = _export(small_db, out, partition_rows=3, workers=workers)
        package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
        package.pop("created")
        sums = read_sums(out)
        sums.pop("datapackage.json")
        sets[workers] = (package, sums, [(f.table, f.path.name, f.rows) for f in files])
    assert sets[2] == sets[1]
    assert len(sets[2][1]) == 7
