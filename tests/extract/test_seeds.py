"""End to end on the seed reports and on reworded copies of them."""

import json
import re
import subprocess
import sys
from pathlib import Path

from cnfiscal.extract import extract_bytes

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SEEDS = sorted((SHARED / "corpus" / "seeds").glob("*.txt"))


def test_seed_score(tmp_path):
    for p in SEEDS:
        out = extract_bytes(p.read_bytes(), p.name).to_json()
        (tmp_path / f"{p.stem}.json").write_text(json.dumps(out, ensure_ascii=False))
    res = subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "score_facts.py"),
            str(SHARED / "gold"),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    f1 = float(res.stdout.strip().splitlines()[-1].split()[-1])
    assert f1 >= 0.97, res.stdout
    assert "meta 20/20" in res.stdout


def test_seed_with_other_numbers_keeps_structure():
    """Scale every 万元 amount by 3: the same facts come out with scaled values."""
    p = SEEDS[3]
    text = p.read_text(encoding="utf-8")
    base = extract_bytes(text.encode(), p.name)

    def scale(m):
        return f"{float(m.group(1)) * 3:.2f}万元"

    scaled = extract_bytes(re.sub(r"(\d+(?:\.\d+)?)万元", scale, text).encode(), p.name)
    a = {(f.statement, f.item, f.scope, f.measure) for f in base.facts if f.unit == "万元"}
    b = {(f.statement, f.item, f.scope, f.measure) for f in scaled.facts if f.unit == "万元"}
    assert a == b
    tot = [
        f
        for f in scaled.facts
        if f.statement == "income" and f.item == "total" and f.measure == "amount"
    ][0]
    assert float(tot.value) == round(793.05 * 3, 2)


def test_seed_with_year_shifted():
    p = SEEDS[0]
    text = p.read_text(encoding="utf-8").replace("2019", "2031").replace("2018", "2030")
    res = extract_bytes(text.encode(), p.name)
    assert res.document.fiscal_year == 2031
    deltas = [f for f in res.facts if f.measure == "delta"]
    assert deltas and all(f.compare_year == 2030 for f in deltas)
