"""Prose extractor speed: text reports per second on one core (seeds repeated).

.venv/bin/python benchmarks/bench_extract.py [ROUNDS]

Prints wall-clock and CPU-time rates (the machine is shared, so CPU time is the steadier
figure), the time per stage, and a pure-Python loop as a yardstick of this machine's speed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cnfiscal.extract.metadata import detect_metadata
from cnfiscal.extract.normalize import normalize_text
from cnfiscal.extract.prose import extract_prose

SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared/corpus/seeds").glob("*.txt"))


def _yardstick() -> float:
    start = time.process_time()
    for _ in range(1_000_000):
        pass
    return (time.process_time() - start) * 1000


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    for t in texts:  # warm caches (vocabulary, regexes)
        extract_prose(normalize_text(t), detect_metadata(normalize_text(t), {}, "", []), [])
    stages = {"normalize": 0.0, "metadata": 0.0, "prose": 0.0}
    n = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for t in texts:
            t0 = time.process_time()
            text = normalize_text(t)
            t1 = time.process_time()
            issues: list = []
            meta = detect_metadata(text, {}, "", issues)
            t2 = time.process_time()
            extract_prose(text, meta, issues)
            t3 = time.process_time()
            stages["normalize"] += t1 - t0
            stages["metadata"] += t2 - t1
            stages["prose"] += t3 - t2
            n += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{n} reports in {wall:.2f} s wall: {n / wall:.0f} reports/s (normalize+metadata+prose)")
    print(f"CPU time {cpu:.2f} s: {n / cpu:.0f} reports/s")
    print("per report, ms CPU: " + ", ".join(f"{k} {v / n * 1000:.2f}" for k, v in stages.items()))
    print(f"yardstick: 1M empty Python loop iterations = {_yardstick():.0f} ms CPU")


if __name__ == "__main__":
    main()
