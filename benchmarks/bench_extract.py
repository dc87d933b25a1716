"""Prose extractor speed: text reports per second on one core (seeds repeated).

.venv/bin/python benchmarks/bench_extract.py [ROUNDS] [--profile]

Prints wall-clock and CPU-time rates (the machine is shared, so CPU time is the steadier
figure), the time per stage, and a pure-Python loop as a yardstick of this machine's speed.
The prose lexicon memoizes label lookups (a label such as 一般公共预算拨款支出 recurs across
reports); since the seeds repeat, a second run clears those memos before every report, so the
rate for labels never seen before is printed too. The performance indicators (their own
sentence split included) are timed in a pass of their own, so the rates above stay comparable
with earlier runs. --profile adds the top functions by own time.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from pathlib import Path

from cnfiscal.extract.metadata import detect_metadata
from cnfiscal.extract.normalize import normalize_text
from cnfiscal.extract.performance import extract_performance
from cnfiscal.extract.performance import labels as perf_labels
from cnfiscal.extract.prose import extract_prose, lexicon
from cnfiscal.extract.sections import split_sentences

SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared/corpus/seeds").glob("*.txt"))


def _yardstick() -> float:
    start = time.process_time()
    for _ in range(1_000_000):
        pass
    return (time.process_time() - start) * 1000


def _label_memos_cleared() -> None:
    for fn in (lexicon._norm, lexicon._lead_clean, lexicon.classify, lexicon.lookup):
        fn.cache_clear()
    for fn in (perf_labels.clean_name, perf_labels.indicator_for):
        getattr(fn, "cache_clear", lambda: None)()  # (not memoized in older code)


def _run(texts: list[str], rounds: int, before_each=None) -> tuple[int, float, float, dict]:
    stages = {"normalize": 0.0, "metadata": 0.0, "prose": 0.0}
    n = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for t in texts:
            if before_each is not None:
                before_each()
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
    return n, time.perf_counter() - wall, time.process_time() - cpu, stages


def _run_performance(texts: list[str], rounds: int, before_each=None) -> float:
    """CPU ms per report of split_sentences + extract_performance."""
    prepared = []
    for t in texts:
        text = normalize_text(t)
        prepared.append((text, detect_metadata(text, {}, "", [])))
    n, cpu = 0, 0.0
    for _ in range(rounds):
        for text, meta in prepared:
            if before_each is not None:
                before_each()
            t0 = time.process_time()
            extract_performance(text, [], meta, [], split_sentences(text))
            cpu += time.process_time() - t0
            n += 1
    return cpu / n * 1000


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else 40
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    for t in texts:  # warm caches (vocabulary, regexes)
        extract_prose(normalize_text(t), detect_metadata(normalize_text(t), {}, "", []), [])
    n, wall, cpu, stages = _run(texts, rounds)
    print(f"{n} reports in {wall:.2f} s wall: {n / wall:.0f} reports/s (normalize+metadata+prose)")
    print(f"CPU time {cpu:.2f} s: {n / cpu:.0f} reports/s")
    print("per report, ms CPU: " + ", ".join(f"{k} {v / n * 1000:.2f}" for k, v in stages.items()))
    n, _, _, stages = _run(texts, max(1, rounds // 4), _label_memos_cleared)
    cold = sum(stages.values())
    print(
        f"label memos cleared before each report: {n / cold:.0f} reports/s CPU (stage sum; "
        + ", ".join(f"{k} {v / n * 1000:.2f}" for k, v in stages.items())
        + " ms)"
    )
    warm = _run_performance(texts, rounds)
    cold = _run_performance(texts, max(1, rounds // 4), _label_memos_cleared)
    print(
        f"performance indicators (own pass, sentence split included): {warm:.2f} ms CPU per "
        f"report; label memos cleared: {cold:.2f} ms"
    )
    print(f"yardstick: 1M empty Python loop iterations = {_yardstick():.0f} ms CPU")
    if "--profile" in sys.argv:
        prof = cProfile.Profile()
        prof.enable()
        _run(texts, max(1, rounds // 4))
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
