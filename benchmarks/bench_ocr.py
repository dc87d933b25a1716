"""OCR of scanned reports: pages per second per engine, and what the OCR reading recovers of
the text-layer reading of the same report.

    .venv/bin/python benchmarks/bench_ocr.py [--docs N] [--pages N] [--dpi D] [--out DIR]

The scans are made here (benchmarks/scans.py): the first wild-corpus report of each of N cities
that has its expenditure total, rasterised at D dpi with a slight turn (≤0.3°) and noise, kept
in a temp dir. For each engine installed (tesseract; rapidocr-onnxruntime when importable) it
prints render+OCR pages/s on the first --pages pages of every scan (wall and CPU of this
process + children), and, running the whole pipeline on the scans with that engine:

- recall: share of the text-layer facts (key and value within 0.005) the OCR reading has;
- precision: share of the OCR facts that the text-layer reading has;
- core fields: expenditure total, income total, basic, project, "三公" total recovered
  with the text layer's value;
- consistency.py over the OCR outputs (written to --out, default a temp dir).

The 北京 report with no text layer at all (corpus/real) is extracted too and its core fields
printed: there is no text layer to compare with.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scans import rasterise  # noqa: E402

from cnfiscal.extract import extract_bytes  # noqa: E402
from cnfiscal.readers.ocr_engines import ENGINES  # noqa: E402
from cnfiscal.readers.pdf_ocr import OCR_DPI  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
WILD = SHARED / "corpus" / "wild"
BEIJING = SHARED / "corpus" / "real" / "renwu__002_北京__政务服务和数据管理局_2026年部门预算.pdf"
CORE = (
    ("expenditure", "total", "all"),
    ("income", "total", "all"),
    ("expenditure", "basic", "all"),
    ("expenditure", "project", "all"),
    ("three_public", "total", None),
)
MAX_DOC_PAGES = 30


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _own_facts(ex) -> dict[tuple, Decimal]:
    out: dict[tuple, Decimal] = {}
    for f in ex.facts:
        out.setdefault(f.key(), f.value)
    return out


def _core(ex) -> dict[str, Decimal | None]:
    year = ex.document.fiscal_year
    basis = "actual" if ex.document.doc_kind in ("final_account", "performance") else "budget"
    got = {}
    for statement, item, scope in CORE:
        vals = [
            f.value
            for f in ex.facts
            if f.statement == statement
            and f.item == item
            and (scope is None or f.scope == scope)
            and f.measure == "amount"
            and f.year == year
            and f.basis == basis
        ]
        got[f"{statement}.{item}"] = vals[0] if vals else None
    return got


def pick_reports(n: int) -> list[tuple[Path, object]]:
    """The first report (by name) of each city whose text layer gives its expenditure total."""
    import pypdfium2 as pdfium

    chosen: list[tuple[Path, object]] = []
    cities: set[str] = set()
    for path in sorted(WILD.glob("renwu__*.pdf")):
        city = path.name.split("__")[1].split("_", 1)[1] if "__" in path.name else path.name
        if city in cities:
            continue
        data = path.read_bytes()
        pdf = pdfium.PdfDocument(data)
        pages = len(pdf)
        pdf.close()
        if pages > MAX_DOC_PAGES:
            continue
        ex = extract_bytes(data, path.name)
        if _core(ex)["expenditure.total"] is None:
            continue
        cities.add(city)
        chosen.append((path, ex))
        if len(chosen) == n:
            break
    return chosen


def speed(engine_name: str, scans: list[bytes], pages: int) -> tuple[int, float, float]:
    import pypdfium2 as pdfium

    engine = ENGINES[engine_name]()
    n, wall, cpu = 0, time.perf_counter(), _cpu()
    for data in scans:
        pdf = pdfium.PdfDocument(data)
        for i in range(min(pages, len(pdf))):
            image = pdf[i].render(scale=OCR_DPI / 72, grayscale=True).to_pil()
            engine.words(image, timeout=300)
            n += 1
        pdf.close()
    return n, time.perf_counter() - wall, _cpu() - cpu


def accuracy(engine_name: str, picked, scans: list[bytes], out: Path) -> None:
    os.environ["CNFISCAL_OCR_ENGINE"] = engine_name
    out.mkdir(parents=True, exist_ok=True)
    hit = truth_n = ocr_n = ocr_ok = 0
    core_hit = core_n = 0
    pages = 0
    wall = time.perf_counter()
    for (path, truth), scan in zip(picked, scans, strict=True):
        ex = extract_bytes(scan, path.name)
        (out / f"{path.stem}.json").write_text(
            json.dumps(ex.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        pages += ex.text.count("\f") + 1
        want, got = _own_facts(truth), _own_facts(ex)
        hit += sum(1 for k, v in want.items() if k in got and abs(got[k] - v) <= Decimal("0.005"))
        ocr_ok += sum(
            1 for k, v in got.items() if k in want and abs(want[k] - v) <= Decimal("0.005")
        )
        truth_n, ocr_n = truth_n + len(want), ocr_n + len(got)
        tc, oc = _core(truth), _core(ex)
        line = []
        for k, v in tc.items():
            if v is None:
                continue
            core_n += 1
            ok = oc[k] is not None and abs(oc[k] - v) <= Decimal("0.005")
            core_hit += ok
            line.append(
                f"{k.split('.')[1] if k != 'three_public.total' else '三公'}{'✓' if ok else '✗'}"
            )
        confs = [f.ocr_confidence for f in ex.facts if f.ocr_confidence is not None]
        mean = sum(confs) / len(confs) if confs else 0
        print(
            f"  {path.name[:60]}: facts {len(got)}/{len(want)}, core {' '.join(line)}, "
            f"mean fact confidence {mean:.2f}"
        )
    wall = time.perf_counter() - wall
    print(
        f"{engine_name}: whole pipeline {pages} pages in {wall:.0f} s "
        f"({pages / wall:.2f} pages/s); "
        f"recall {hit}/{truth_n} ({hit / max(truth_n, 1):.3f}), precision {ocr_ok}/{ocr_n} "
        f"({ocr_ok / max(ocr_n, 1):.3f}); core fields {core_hit}/{core_n} "
        f"({core_hit / max(core_n, 1):.3f})"
    )
    done = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "consistency.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    print("  consistency.py: " + "\n  ".join(done.stdout.strip().splitlines()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=8)
    ap.add_argument("--pages", type=int, default=3)
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--engines", default=",".join(ENGINES))
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if ENGINES[e]().problem() is None]
    print(f"engines usable here: {', '.join(engines) or 'none'}; OCR at {OCR_DPI} dpi")
    picked = pick_reports(args.docs)
    scans = [
        rasterise(p.read_bytes(), dpi=args.dpi, angle=0.3, noise=0.03, seed=k)
        for k, (p, _) in enumerate(picked)
    ]
    print(
        f"{len(picked)} reports rasterised at {args.dpi} dpi: "
        + ", ".join(p.name.split("__")[1] for p, _ in picked)
    )
    base = args.out or Path(tempfile.mkdtemp(prefix="bench_ocr_"))
    for name in engines:
        n, wall, cpu = speed(name, scans, args.pages)
        print(
            f"{name}: render+OCR {n} pages: {n / wall:.2f} pages/s wall, "
            f"{n / max(cpu, 1e-9):.2f} pages per CPU-second"
        )
    for name in engines:
        accuracy(name, picked, scans, base / name)
        if BEIJING.exists():
            ex = extract_bytes(BEIJING.read_bytes(), BEIJING.name)
            (base / name / f"{BEIJING.stem}.json").write_text(
                json.dumps(ex.to_json(), ensure_ascii=False), encoding="utf-8"
            )
            core = {k: (str(v) if v is not None else "-") for k, v in _core(ex).items()}
            print(f"  北京 (image-only, {name}): {core}")
    print(f"outputs in {base}")


if __name__ == "__main__":
    main()
