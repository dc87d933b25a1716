"""Prose extractor speed: text reports per second on one core (seeds repeated).

.venv/bin/python benchmarks/bench_extract.py [ROUNDS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cnfiscal.extract.metadata import detect_metadata
from cnfiscal.extract.normalize import normalize_text
from cnfiscal.extract.prose import extract_prose

SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared/corpus/seeds").glob("*.txt"))


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    for t in texts:  # warm caches (vocabulary, regexes)
        extract_prose(normalize_text(t), detect_metadata(normalize_text(t), {}, "", []), [])
    n = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            text = normalize_text(t)
            issues: list = []
            meta = detect_metadata(text, {}, "", issues)
            extract_prose(text, meta, issues)
            n += 1
    elapsed = time.perf_counter() - start
    print(f"{n} reports in {elapsed:.2f} s: {n / elapsed:.0f} reports/s (normalize+metadata+prose)")


if __name__ == "__main__":
    main()
