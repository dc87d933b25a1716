"""The Frictionless data package descriptor of the exports: fields, types, bilingual
descriptions, keys, license and sources. English comes from the dbt manifest, Chinese from
dictionary_zh.yaml, keys from the dbt tests (unique, unique_combination, relationships)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DICTIONARY_ZH = Path(__file__).with_name("dictionary_zh.yaml")

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


@dataclass
class TableExport:
    """One mart as exported: its columns (DuckDB types), row count and files."""

    name: str
    columns: list[tuple[str, str]]
    rows: int
    files: list[tuple[str, str, str | None, int]] = field(default_factory=list)
    # (relative path, format 'parquet'|'csv', partition value or None, rows, bytes)
    content_keys: dict[str, str] = field(default_factory=dict)  # relative path: what it holds


def table_schema_type(duck_type: str, fmt: str = "csv") -> str:
    t = duck_type.upper()
    if t.endswith("]") or t.startswith(("STRUCT", "MAP")):
        # CSV holds them as JSON; Parquet readers hand back arrays frictionless cannot check
        if fmt != "csv":
            return "any"
        return "array" if t.endswith("]") else "object"
    if t.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL", "NUMERIC")):
        return "number"
    if re.match(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?\d*|INTEGER|BIGINT)$", t):
        return "integer"
    if t == "BOOLEAN":
        return "boolean"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    return "string"


def load_manifest(path: Path | None) -> dict:
    if path and path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"nodes": {}}


def _model(manifest: dict, name: str) -> dict:
    for node in manifest["nodes"].values():
        if node.get("resource_type") == "model" and node.get("name") == name:
            return node
    return {}


def _ref_name(expr: str) -> str:
    m = re.search(r"ref\(\s*['\"]([^'\"]+)['\"]\s*\)", expr or "")
    return m.group(1) if m else ""


def keys_from_manifest(manifest: dict, table: str, columns: list[str]) -> tuple[list, list]:
    """Primary key (composite unique test, else first unique column) and foreign keys."""
    uid = _model(manifest, table).get("unique_id")
    combos, uniques, fks = [], [], []
    for node in manifest["nodes"].values():
        if node.get("resource_type") != "test" or node.get("attached_node") != uid or not uid:
            continue
        meta = node.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        if meta.get("name") == "unique_combination":
            combos.append(list(kwargs.get("columns") or []))
        elif meta.get("name") == "unique":
            uniques.append(kwargs.get("column_name"))
        elif meta.get("name") == "relationships":
            target = _ref_name(kwargs.get("to", ""))
            fks.append(
                {
                    "fields": [kwargs["column_name"]],
                    "resource": target,
                    "reference": [kwargs["field"]],
                }
            )
    uniques.sort(key=lambda c: columns.index(c) if c in columns else len(columns))
    pk = combos[0] if combos else uniques[:1]
    return pk, fks


def _describe(zh: str | None, en: str | None) -> dict:
    out = {}
    if zh:
        out["description_zh"] = zh
    if en:
        out["description_en"] = en
    if zh or en:
        out["description"] = " / ".join(x for x in (zh, en) if x)
    return out


def build_descriptor(
    tables: list[TableExport], manifest: dict, sources: list[dict], created: str
) -> dict:
    zh = yaml.safe_load(DICTIONARY_ZH.read_text(encoding="utf-8"))
    shared = zh["columns"].get("*", {})
    resources = []
    for t in tables:
        model = _model(manifest, t.name)
        en_cols = {c: (v.get("description") or None) for c, v in model.get("columns", {}).items()}
        zh_cols = {**shared, **zh["columns"].get(t.name, {})}
        names = [c for c, _ in t.columns]
        pk, fks = keys_from_manifest(manifest, t.name, names)
        fks += zh.get("keys", {}).get(t.name, {}).get("foreign_keys", [])
        fks = [fk for fk in fks if fk["resource"] in {x.name for x in tables}]
        tzh = zh["tables"].get(t.name, {})
        for path, fmt, part, rows, nbytes in t.files:
            part_col = "fiscal_year" if part is not None else None
            fields = [
                {
                    "name": c,
                    "type": table_schema_type(dt, fmt),
                    **({"bareNumber": True} if dt.upper().startswith("DECIMAL") else {}),
                    **({"format": "any"} if dt.upper().startswith("TIMESTAMP") else {}),
                    "duckdb_type": dt,
                    **_describe(zh_cols.get(c), en_cols.get(c)),
                }
                for c, dt in t.columns
                if c != part_col  # hive partitions keep the partition value in the path
            ]
            schema: dict = {"fields": fields}
            if fmt == "parquet":
                # frictionless reads Parquet through pandas: null integers arrive as NaN
                schema["missingValues"] = ["", "nan", "NaT"]
            if part is None:
                if pk:
                    schema["primaryKey"] = pk
                ref_suffix = "" if fmt == "parquet" else "-csv"
                schema["foreignKeys"] = [
                    {
                        "fields": fk["fields"],
                        "reference": {
                            "resource": fk["resource"] + ref_suffix,
                            "fields": fk["reference"],
                        },
                    }
                    for fk in fks
                ]
            name = t.name + ("-csv" if fmt == "csv" else "")
            if part is not None:
                name = f"{t.name}-fiscal_year-{part}"
            res = {
                "name": name.lower(),
                "path": path,
                "format": fmt,
                "title": tzh.get("title", t.name) + (f"（{part} 年度）" if part else ""),
                **_describe(tzh.get("description"), model.get("description", "").strip()),
                "table": t.name,
                "rows": rows,
                "file_bytes": nbytes,
                **({"content_key": t.content_keys[path]} if path in t.content_keys else {}),
                "schema": schema,
            }
            if fmt == "csv":
                res.update(encoding="utf-8-sig", mediatype="text/csv")
            else:
                res["mediatype"] = "application/vnd.apache.parquet"
            if part is not None:
                res["partition"] = {"field": "fiscal_year", "value": part}
            resources.append(res)
    return {
        "name": "cnfiscal",
        "title": "中国政府部门预决算公开数据 / Chinese government departments' budget disclosures",
        "description": (
            "各部门公开的部门预算、部门决算和整体支出绩效自评报告中抽取的数字，附出处原文。"
            " / Figures read from departments' published budgets, final accounts and "
            "performance self-evaluations, each with the sentence it came from."
        ),
        "created": created,
        "licenses": [LICENSE],
        "sources": sources,
        "resources": resources,
    }
