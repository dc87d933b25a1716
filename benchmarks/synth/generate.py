"""Write N synthetic budget-disclosure reports and a catalog for them — FOR LOAD TESTS ONLY.

The reports imitate the genre (部门预算 / 部门决算 / 整体支出绩效自评: 概况, totals with
year-on-year changes, income and expenditure breakdowns with shares, 三公经费, a summary
table) with real place names from cnfiscal/vocab/regions.csv, varied agencies, years, amounts
and wordings, as .txt, .html and .docx. They exist to make the pipeline do realistic amounts
of work; their numbers mean nothing and must never be used to claim extraction accuracy.

    python -m benchmarks.synth.generate OUT_DIR N [--seed S]
    python -m benchmarks.synth.generate OUT_DIR --mutate 0.01   # change 1 % of the reports
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from decimal import Decimal
from pathlib import Path

from cnfiscal.settings import REPO_ROOT

AGENCIES = [
    "政务服务中心",
    "行政审批服务局",
    "财政局",
    "教育局",
    "卫生健康委员会",
    "民政局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "水利局",
    "文化和旅游局",
    "市场监督管理局",
    "统计局",
    "审计局",
    "司法局",
    "人力资源和社会保障局",
]
KINDS = [("budget", "部门预算"), ("final", "部门决算"), ("performance", "部门整体支出绩效自评报告")]
FUNCTIONS = [
    ("一般公共服务支出", 201),
    ("教育支出", 205),
    ("科学技术支出", 206),
    ("社会保障和就业支出", 208),
    ("卫生健康支出", 210),
    ("城乡社区支出", 212),
    ("农林水支出", 213),
    ("住房保障支出", 221),
]
INCOME = ["一般公共预算财政拨款", "政府性基金预算财政拨款", "事业收入", "其他收入"]
TOTAL_WORDS = ["收入总计", "收入合计", "本年收入"]
CHANGE_WORDS = [("增加", "增长"), ("减少", "下降")]
REASONS = [
    "主要原因是人员调整及项目支出增加。",
    "主要原因:落实“放管服”改革,信息化建设投入增加。",
    "主要是严格执行中央八项规定精神,压减一般性支出。",
    "原因是部分项目完成,经费相应减少。",
]
DUTIES = [
    "负责贯彻执行国家和省、市有关方针政策和法律法规。",
    "负责本系统行政审批事项的受理、办理和监督。",
    "负责组织协调相关部门开展专项工作并督办检查。",
    "承办上级交办的其他事项。",
    "负责窗口工作人员的业务培训和绩效考核。",
    "负责统筹推进“互联网+政务服务”建设。",
]


def _places(rng: random.Random) -> list[str]:
    with (REPO_ROOT / "cnfiscal" / "vocab" / "regions.csv").open(encoding="utf-8") as fh:
        names = [r["name"] for r in csv.DictReader(fh) if r["level"] in ("city", "county")]
    rng.shuffle(names)
    return names


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


def _split(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    cuts = sorted(rng.random() for _ in range(parts - 1))
    shares = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
    amounts = [Decimal(str(round(float(total) * s, 2))) for s in shares[:-1]]
    return [*amounts, total - sum(amounts)]


def report(rng: random.Random, place: str, agency: str, year: int, kind: int) -> dict:
    """One report's content as sections of lines plus one summary table."""
    kind_code, kind_name = KINDS[kind]
    org = f"{place}{agency}"
    income = _money(rng, 80, 9000)
    spend = income - _money(rng, 0, float(income) * 0.05)
    last = income - _money(rng, -float(income) * 0.3, float(income) * 0.3)
    up = income >= last
    verb = CHANGE_WORDS[0 if up else 1][rng.randrange(2)]
    inc_parts = list(zip(INCOME[: rng.randint(2, 4)], strict=False))
    inc_amounts = _split(rng, income, len(inc_parts))
    funcs = rng.sample(FUNCTIONS, rng.randint(2, 5))
    fn_amounts = _split(rng, spend, len(funcs))
    sangong = [_money(rng, 0, 30) for _ in range(3)]
    word = rng.choice(TOTAL_WORDS)
    lines = [
        f"{org}{year}年{kind_name}",
        "第一部分 部门概况",
        "一、主要职能",
        *[f"{i}.{d}" for i, d in enumerate(rng.sample(DUTIES, 4), start=1)],
        "二、部门预算单位构成",
        f"纳入{year}年{kind_name}编制范围的单位共{rng.randint(1, 9)}个。",
        f"三、人员构成:编制人数{rng.randint(5, 300)}名,在职{rng.randint(5, 300)}名。",
        f"第二部分 {org}{year}年{kind_name}情况说明",
        "一、收支总体情况",
        f"{year}年{word}{income}万元,比上年{verb}{abs(income - last)}万元;"
        f"支出总计{spend}万元。{rng.choice(REASONS)}",
        "二、收入情况",
        f"{year}年{word}{income}万元,其中:"
        + ";".join(
            f"{name}{amt}万元,占{(amt / income * 100).quantize(Decimal('0.01'))}%"
            for (name,), amt in zip(inc_parts, inc_amounts, strict=True)
        )
        + "。",
        "三、支出情况",
        f"本年支出总计{spend}万元,其中:"
        + ";".join(f"{n}({c}类){a}万元" for (n, c), a in zip(funcs, fn_amounts, strict=True))
        + "。",
        "四、“三公”经费情况",
        f"{year}年“三公”经费{'预算' if kind_code == 'budget' else '支出'}{sum(sangong)}万元,"
        f"其中:因公出国(境)费{sangong[0]}万元,公务接待费{sangong[1]}万元,"
        f"公务用车购置及运行费{sangong[2]}万元。",
    ]
    if kind_code == "performance":
        rate = Decimal(str(round(rng.uniform(80, 100), 2)))
        lines += [
            "五、绩效自评情况",
            f"部门整体支出预算执行率{rate}%,自评得分{rng.randint(80, 100)}分。",
            f"办件按时办结率达到{rng.randint(95, 100)}%,群众满意度{rng.randint(90, 100)}%。",
        ]
    table = [["项目", "本年数(万元)", "上年数(万元)"], ["收入总计", str(income), str(last)]]
    table += [[n, str(a), ""] for (n, _), a in zip(funcs, fn_amounts, strict=True)]
    table.append(["支出总计", str(spend), ""])
    return {"title": lines[0], "lines": lines, "table": table, "org": org, "year": year}


def _as_text(r: dict) -> bytes:
    rows = ["\t".join(row) for row in r["table"]]
    return "\n".join([*r["lines"], "收入支出预算总表", *rows, ""]).encode("utf-8")


def _as_html(r: dict) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in r["lines"][1:])
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in r["table"])
    html = (
        f'<html><head><meta charset="utf-8"><title>{r["title"]}</title></head><body>'
        f"<h1>{r['title']}</h1>{body}<p>收入支出总表</p><table>{cells}</table></body></html>"
    )
    return html.encode("utf-8")


def _as_docx(r: dict) -> bytes:
    import docx

    doc = docx.Document()
    for line in r["lines"]:
        doc.add_paragraph(line)
    table = doc.add_table(rows=len(r["table"]), cols=3)
    for i, row in enumerate(r["table"]):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


FORMATS = [("txt", _as_text, 60), ("html", _as_html, 36), ("docx", _as_docx, 4)]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def generate(out_dir: Path, n: int, seed: int = 7) -> Path:
    """Write n reports under out_dir/reports and out_dir/catalog.csv; returns the catalog."""
    rng = random.Random(seed)
    places = _places(rng)
    weights = [w for *_, w in FORMATS]
    rows = []
    for i in range(n):
        ext, render, _ = rng.choices(FORMATS, weights=weights)[0]
        place, agency = places[i % len(places)], rng.choice(AGENCIES)
        year, kind = rng.randint(2015, 2024), rng.randrange(3)
        rel = f"reports/{i // 1000:03d}/r{i:06d}.{ext}"
        _write(out_dir / rel, render(report(rng, place, agency, year, kind)))
        rows.append({"id": f"synth-{i:06d}", "location": rel})
    catalog = out_dir / "catalog.csv"
    with catalog.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "location"])
        writer.writeheader()
        writer.writerows(rows)
    return catalog


def mutate(out_dir: Path, fraction: float, seed: int = 11) -> list[str]:
    """Rewrite a fraction of the text/HTML reports with a changed amount (a corrected report)."""
    rng = random.Random(seed)
    files = sorted(p for p in (out_dir / "reports").rglob("*") if p.suffix in (".txt", ".html"))
    chosen = rng.sample(files, max(1, round(len(files) * fraction)))
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("万元", "万元 ", 1) + f"\n(更正 {rng.randint(1, 10**9)})")
    return [str(p) for p in chosen]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("n", type=int, nargs="?", default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mutate", type=float, default=None)
    args = ap.parse_args()
    if args.mutate is not None:
        print(f"changed {len(mutate(args.out_dir, args.mutate))} reports")
    else:
        print(generate(args.out_dir, args.n, args.seed))


if __name__ == "__main__":
    main()
