"""Document metadata: agency, region, fiscal year, kind of report — read from the content.

File names mislead (a 2026 folder holding a 2025 budget), so only the text counts: the title
line ("<agency><year>年度部门决算"), agency names that start with a place name from the official
division list (cnfiscal/vocab/regions.csv), and the report's own wording for its kind.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache
from importlib import resources

from cnfiscal.model import DocumentMeta, ParseIssue

_HEAD_CHARS = 4000
_KIND_TITLE = re.compile(
    r"((?:19|20)\d\d)\s*年度?\s*(?:部门|单位)?\s*(?:整体支出)?\s*(预算|决算|绩效)"
)
_PERF_TITLE = re.compile(r"绩效自评|绩效评价|整体支出绩效|绩效报告")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_ORG_SUFFIX = (
    "管理办公室",
    "办公室",
    "办事处",
    "委员会",
    "服务中心",
    "中心",
    "人民政府",
    "局",
    "厅",
    "院",
    "委",
    "部",
    "办",
    "会",
    "所",
    "站",
    "队",
    "馆",
    "处",
    "署",
    "室",
)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff()（）]+")
_LOCAL_ORG = re.compile(
    r"(?:^|\n|我|本)(市|区|县)([\u4e00-\u9fff]{2,14}?(?:服务中心|中心|局|办公室|委员会|办))"
)
_KINDS = {"预算": "budget", "决算": "final_account", "绩效": "performance"}


@cache
def _regions() -> tuple[dict[str, tuple[str, str, str]], dict[str, str]]:
    """name → (code, level, parent_code); stem (name without 市/县/区) → name."""
    names: dict[str, tuple[str, str, str]] = {}
    stems: dict[str, str] = {}
    path = resources.files("cnfiscal.vocab").joinpath("regions.csv")
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"]
            names.setdefault(name, (row["code"], row["level"], row.get("parent_code", "")))
            if len(name) >= 3 and name[-1] in "市县区省":
                stems.setdefault(name[:-1], name)
    return names, stems


def _region_prefix(agency: str) -> str:
    """The innermost official place name at the start of an agency name."""
    names, _ = _regions()
    best = ""
    pos = 0
    while pos < len(agency):
        hit = ""
        for n in range(min(8, len(agency) - pos), 1, -1):
            if agency[pos : pos + n] in names:
                hit = agency[pos : pos + n]
                break
        if not hit:
            break
        best = hit
        pos += len(hit)
    return best


def _trim_org(run: str) -> str:
    """Longest prefix of a CJK run that ends with an organisation suffix."""
    best = ""
    for suffix in _ORG_SUFFIX:
        idx = run.rfind(suffix)
        if idx >= 0 and idx + len(suffix) > len(best):
            best = run[: idx + len(suffix)]
    return best


def _agency_candidates(text: str) -> Counter:
    names, _ = _regions()
    found: Counter = Counter()
    for m in _CJK_RUN.finditer(text):
        run = m.group()
        for i in range(len(run)):
            for n in (4, 3, 2, 5, 6):
                if run[i : i + n] in names and (i == 0 or run[i - 1] not in "省市县区"):
                    org = _trim_org(run[i:])
                    if org and len(org) > n + 1 and _region_prefix(org):
                        found[org] += 1
                    break
            else:
                continue
            break
    return found


def _title_agency(text: str) -> str:
    for line in text.split("\n")[:40]:
        line = re.sub(r"^\s*第[一二三四五六七八九十]+部分\s*", "", line).strip()
        m = _KIND_TITLE.search(line)
        if not m:
            continue
        before = line[: m.start()].strip()
        org = _trim_org(before.split()[-1] if before.split() else "")
        if org and _region_prefix(org):
            return org
    return ""


def _region_from_mentions(text: str, level_char: str) -> str:
    """The deepest place the text names (by full name or stem) whose parent it also names."""
    names, stems = _regions()
    counts: Counter = Counter()
    for stem, name in stems.items():
        if name[-1] != level_char and level_char:
            continue
        n = text.count(stem)
        if n and len(stem) >= 2:
            counts[name] = n
    if not counts:
        return ""
    codes = {names[n][0]: n for n in counts}

    def score(name: str) -> tuple:
        parent = names[name][2]
        return (parent in codes or any(names[c][0] == parent for c in counts), counts[name])

    ranked = sorted(counts, key=score, reverse=True)
    return ranked[0]


def detect_metadata(text: str, hints: dict, name: str, issues: list[ParseIssue]) -> DocumentMeta:
    meta = DocumentMeta()
    head = text[:_HEAD_CHARS]
    # kind and year from the title wording
    first_lines = "\n".join(line for line in head.split("\n") if line.strip())[:400]
    title = _KIND_TITLE.search(head)
    if _PERF_TITLE.search(first_lines):
        meta.doc_kind = "performance"
    elif title:
        meta.doc_kind = _KINDS[title.group(2)]
    if title:
        meta.fiscal_year = int(title.group(1))
    if not meta.doc_kind:
        cues = {
            "performance": len(re.findall(r"绩效|评价", text)),
            "final_account": len(re.findall(r"决算", text)) * 2,
            "budget": len(re.findall(r"预算", text)),
        }
        best = max(cues, key=cues.get)
        if cues[best]:
            meta.doc_kind = best
    if meta.fiscal_year is None:
        years = Counter(int(y) for y in _YEAR.findall(head))
        if years:
            meta.fiscal_year = years.most_common(1)[0][0]
    # agency: the title, else the most named region-prefixed organisation
    agency = _title_agency(text)
    if not agency:
        lines = [line.strip() for line in head.split("\n") if 4 <= len(line.strip()) <= 30]
        standalone = [ln for ln in lines if _trim_org(ln) == ln and _region_prefix(ln)]
        if standalone:
            agency = standalone[0]
    self_ref = _LOCAL_ORG.search(head)
    if not agency:
        cands = _agency_candidates(head)
        for cand, _ in cands.most_common():
            # another body the report only mentions ("作为岳阳市公共资源交易中心分支机构") is
            # not the reporting unit when the report calls itself 市<org>
            if self_ref and self_ref.group(2) not in cand:
                continue
            agency = cand
            break
    if agency:
        meta.agency = agency
        meta.region = _region_prefix(agency)
    else:
        m = _LOCAL_ORG.search(head)
        if m:
            region = _region_from_mentions(text, m.group(1))
            if region:
                meta.agency = region + m.group(2)
                meta.region = region
                issues.append(
                    ParseIssue(
                        "info",
                        "agency_built",
                        f"agency written without its place; built from {region} named in the text",
                        quote=m.group(0).strip(),
                    )
                )
        if not meta.agency:
            issues.append(ParseIssue("warning", "no_agency", "no agency name found in the text"))
    if not meta.fiscal_year:
        issues.append(ParseIssue("warning", "no_fiscal_year", "no fiscal year found"))
    for key in ("agency", "region", "doc_kind"):
        if hints.get(key):
            setattr(meta, key, str(hints[key]))
    if hints.get("fiscal_year"):
        meta.fiscal_year = int(hints["fiscal_year"])
    return meta
