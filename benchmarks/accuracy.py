"""Extraction accuracy in one run: seed gold, real partial gold, and the unannotated wild corpus.

.venv/bin/python benchmarks/accuracy.py [--jobs N] [--keep DIR] [--only seeds,real,wild]

Extracts every report of ../shared/corpus/{seeds,real,wild} (N processes, default 2), scores
the seeds and the annotated real reports with ../shared/tools/score_facts.py, the wild corpus
with ../shared/tools/consistency.py, and prints the figures the README quotes:

- seed F1, seed performance-indicator F1, real partial F1;
- wild PDFs: expenditure-total coverage of the text-layer reports, identities held, and the
  text-layer PDFs with no facts (each must state none, with an issue saying why);
- wild HTML: how many pages are reports and how many are `not_a_report`, and the reports'
  expenditure-total coverage.

Gold-free figures are only a signal: an identity holds when both sides were extracted.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TOOLS = SHARED / "tools"


def _extract_one(job: tuple[str, str]) -> str:
    from cnfiscal.extract import extract_file

    src, out = job
    result = extract_file(src)
    target = Path(out) / f"{Path(src).stem}.json"
    target.write_text(json.dumps(result.to_json(), ensure_ascii=False), encoding="utf-8")
    return src


def extract_all(files: list[Path], out: Path, jobs: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    work = [(str(f), str(out)) for f in files]
    if jobs <= 1:
        for job in work:
            _extract_one(job)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_extract_one, work, chunksize=2))


def _tool(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, cwd=ROOT
    )
    return done.stdout


def _last_f1(text: str) -> str:
    m = re.search(r"^F1 ([0-9.]+)", text, re.M)
    overall = re.search(r"^overall: .*$", text, re.M)
    return f"{m.group(1) if m else '?'}  ({overall.group(0) if overall else ''})"


def _outputs(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def _no_text_layer(doc: dict) -> bool:
    return any(i.get("code") == "no_text_layer" for i in doc.get("issues", []))


def wild_pdf_summary(folder: Path) -> list[str]:
    docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
    scanned = [k for k, d in docs.items() if _no_text_layer(d)]
    not_report = [k for k, d in docs.items() if d["document"].get("doc_kind") == "not_a_report"]
    reports = {k: d for k, d in docs.items() if k not in scanned and k not in not_report}
    lines = [_tool(str(TOOLS / "consistency.py"), str(folder)).strip().splitlines()[-1]]
    with_total = sum(_has_own_total(d) for d in reports.values())
    n = max(len(reports), 1)
    lines.append(
        f"wild PDFs: {len(docs)}; scanned (no text layer) {len(scanned)}; "
        f"not_a_report {len(not_report)}; text-layer reports {len(reports)}, "
        f"with their expenditure total {with_total} ({with_total / n:.3f})"
    )
    for k, d in sorted(reports.items()):
        if not d["facts"]:
            why = [i["code"] for i in d["issues"] if i["severity"] != "info"]
            lines.append(f"  text-layer report with no facts: {k} ({', '.join(why) or '-'})")
        elif not _has_own_total(d):
            lines.append(f"  report without its expenditure total: {k}")
    return lines


def _has_own_total(d: dict) -> bool:
    """The expenditure total (all funds) for the report's own year and basis."""
    year = d["document"].get("fiscal_year")
    kind = d["document"].get("doc_kind")
    basis = "actual" if kind in ("final_account", "performance") else "budget"
    return any(
        f["statement"] == "expenditure"
        and f["item"] == "total"
        and f["scope"] == "all"
        and f["measure"] == "amount"
        and f.get("year") == year
        and f.get("basis") == basis
        for f in d["facts"]
    )


def wild_html_summary(folder: Path) -> list[str]:
    docs = _outputs(folder)
    not_report = [d for d in docs if d["document"].get("doc_kind") == "not_a_report"]
    reports = [d for d in docs if d["document"].get("doc_kind") != "not_a_report"]
    with_total = sum(
        any(f["statement"] == "expenditure" and f["item"] == "total" for f in d["facts"])
        for d in reports
    )
    return [
        f"wild HTML pages: {len(docs)}; not_a_report {len(not_report)}; "
        f"reports {len(reports)}, with an expenditure total {with_total}"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", help="write the extract output here instead of a temp dir")
    parser.add_argument("--only", default="seeds,real,wild")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"no {SHARED}: nothing to measure")
        return 1
    parts = set(args.only.split(","))
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cnfiscal-acc-"))
    corpus = SHARED / "corpus"
    sets = {
        "seeds": sorted((corpus / "seeds").glob("*.txt")),
        "real": sorted(p for p in (corpus / "real").iterdir() if p.suffix in (".pdf", ".html")),
        "wild_pdf": sorted((corpus / "wild").glob("*.pdf")),
        "wild_html": sorted((corpus / "wild").glob("*.htm*")),
    }
    for name, files in sets.items():
        if name.split("_")[0] in parts:
            extract_all(files, base / name, args.jobs)
    print(f"extract output: {base}")
    if "seeds" in parts:
        seeds = str(base / "seeds")
        print(
            "seed gold F1:",
            _last_f1(_tool(str(TOOLS / "score_facts.py"), str(SHARED / "gold"), seeds)),
        )
        perf = _tool(
            str(TOOLS / "score_facts.py"),
            str(SHARED / "gold" / "performance"),
            seeds,
            "--statement",
            "performance",
        )
        print("seed performance F1:", _last_f1(perf))
    if "real" in parts:
        real = _tool(
            str(TOOLS / "score_facts.py"),
            str(SHARED / "gold" / "real"),
            str(base / "real"),
            "--partial",
        )
        print("real partial gold F1:", _last_f1(real))
        cons = _tool(str(TOOLS / "consistency.py"), str(base / "real")).strip().splitlines()
        print("real corpus consistency:", cons[-1] if cons else "?")
    if "wild" in parts:
        for line in wild_pdf_summary(base / "wild_pdf"):
            print(line)
        for line in wild_html_summary(base / "wild_html"):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
