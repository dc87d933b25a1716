"""Document metadata: agency, region, fiscal year, kind of report — read from the content.

File names mislead (a 2026 folder holding a 2025 budget), so only the text counts. The cover
decides: the title lines before 目录 ("<agency><year>年度部门决算", "2026年<agency>部门预算"),
and cover fields (部门名称：…, 预算单位：…). Kind comes from the title, never from a mention
elsewhere: budgets carry 绩效目标 tables without being performance reports. Without a cover, the
most named region-prefixed organisation and the report's own wording are used. Place names come
from the official division list (cnfiscal/vocab/regions.csv, see places.py).
"""

from __future__ import annotations

import re
from collections import Counter

from cnfiscal.extract.places import (
    first_place,
    party_prefix,
    region_prefix,
    regions,
    stem_counts,
)
from cnfiscal.model import DocumentMeta, ParseIssue

_HEAD_CHARS = 4000
_TITLE_CHARS = 300
_TITLE_LINES = 8
_KIND_TITLE = re.compile(
    r"((?:19|20)\d\d)\s*年度?\s*(?:部门|单位)?\s*(?:整体支出)?\s*(预算|决算|绩效)"
)
# after the year, a title may name a level or the agency before the kind ("2023年区级部门预算")
_TITLE_YEAR = re.compile(
    r"((?:19|20)\d\d)年度?(?![\d月])([^。;；:：]{0,30}?)(?:部门|单位)?(?:综合)?(预算|决算)"
)
_PERF_TITLE = re.compile(r"绩效自评|绩效评价|整体支出绩效(?:报告|自评|评价)|绩效报告|绩效目标申报")
_KIND_WORD = re.compile(r"决算|预算")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年(?![\d]{1,2}月)")
_TOC = re.compile(r"目\s*录")
_PAGE_NO = re.compile(r"^[\s\-—－_]*\d{1,3}[\s\-—－_]*$")
_ATTACHMENT = re.compile(r"^附件\s*\d*[:：]?")
# a line opening a numbered section ends the cover
_SECTION = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])"
)
# cover fields naming the reporting unit; "部门：" alone needs its colon (部门预算 is a word)
# (the field names' first characters are taken by one class, each name's rest checked after
# it: the same matches as the plain alternation, but the regex engine can skip ahead to them)
_FIELD = re.compile(
    r"[预主部单评项](?:"
    r"(?:(?<=预)算主管部门|(?<=主)管部门|(?<=预)算单位|(?<=部)门名称|(?<=单)位名称"
    r"|(?<=评)价项目单位|(?<=项)目单位|(?<=部)\s*门)"
    r"\s*[:：]\s*([\u4e00-\u9fff()（）]{3,40})"
    r"|(?:(?<=部)门名称|(?<=单)位名称)\s+([\u4e00-\u9fff()（）]{3,40}))"
)
_FIELD_HEAD = 1500
_NEXT_FIELD = re.compile(
    r"(?<=.{3})(?:预算主管|主管部门|项目主管|预算单位|部门名称|单位名称|评价项目|项目单位|项目金额)"
)
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
# whole CJK runs holding one of the last characters of _ORG_SUFFIX (a run without any of them
# names no organisation), found in one scan
_ORG_RUN = re.compile(
    r"(?<![\u4e00-\u9fff()（）])[\u4e00-\u9fff()（）]*?"
    r"[室处心府局厅院委部办会所站队馆署][\u4e00-\u9fff()（）]*"
)
_LOCAL_ORG = re.compile(
    r"(?:^|\n|我|本)(市|区|县)([\u4e00-\u9fff]{2,14}?(?:服务中心|中心|局|办公室|委员会|办))"
)
_KINDS = {"预算": "budget", "决算": "final_account", "绩效": "performance"}


def _trim_org(run: str) -> str:
    """Longest prefix of a CJK run that ends with an organisation suffix."""
    best = ""
    for suffix in _ORG_SUFFIX:
        idx = run.rfind(suffix)
        if idx >= 0 and idx + len(suffix) > len(best):
            best = run[: idx + len(suffix)]
    return best


def _with_party(text: str, start: int, org: str) -> str:
    """Keep the 中共 that precedes a party body's place name (中共江苏省委办公厅)."""
    for prefix in ("中国共产党", "中共"):
        if text[max(0, start - len(prefix)) : start] == prefix:
            return prefix + org
    return org


def _title_block(text: str) -> str:
    """The cover title: leading lines up to 目录 or the first numbered section, blanks removed."""
    out: list[str] = []
    size = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line or _PAGE_NO.match(line):
            continue
        if _SECTION.match(line) or len(out) >= _TITLE_LINES or size >= _TITLE_CHARS:
            break
        line = _ATTACHMENT.sub("", line)
        toc = _TOC.search(line)
        if toc:
            out.append(line[: toc.start()])
            break
        out.append(line)
        size += len(line)
    return re.sub(r"\s+", "", "".join(out))


def _kind_of(title: str) -> str | None:
    if _PERF_TITLE.search(title):
        return "performance"
    m = _TITLE_YEAR.search(title) or _KIND_WORD.search(title)
    if m:
        return _KINDS[m.group(m.lastindex or 0)]
    return None


def _org_in(segment: str, whole: str, start: int, need_place: bool) -> str:
    segment = segment.lstrip("()（）")
    party = party_prefix(segment)
    org = _trim_org(segment)
    if not org or len(org) < 3 or re.search(r"\d", org):
        return ""
    if need_place and not region_prefix(org):
        return ""
    return org if party else _with_party(whole, start, org)


def _title_agency(title: str) -> str:
    """ "<agency><year>年度部门决算" or "<year>年<agency>部门预算"."""
    m = _TITLE_YEAR.search(title)
    if not m:
        return ""
    before = _org_in(title[: m.start()], title, 0, need_place=False)
    if before:
        return before
    return _org_in(m.group(2), title, m.start(2), need_place=False)


def _field_agency(text: str) -> str:
    """The unit a cover field names; far from the cover it must carry a place name."""
    for m in _FIELD.finditer(text):
        # re-joined cover lines run one field into the next ("…委员会项目主管部门: …")
        value = _NEXT_FIELD.split(m.group(1) or m.group(2))[0]
        start = m.start(1) if m.group(1) else m.start(2)
        org = _org_in(value, text, start, need_place=start > _FIELD_HEAD)
        if org:
            return org
    return ""


def _agency_candidates(text: str) -> Counter:
    found: Counter = Counter()
    for m in _ORG_RUN.finditer(text):
        run = m.group()
        hit = first_place(run)
        if hit is None:
            continue
        i, place = hit
        org = _trim_org(run[i:])
        if org and len(org) > len(place) + 1 and region_prefix(org):
            found[_with_party(text, m.start() + i, org)] += 1
    return found


def _region_from_mentions(text: str, level_char: str) -> str:
    """The deepest place the text names (by stem) whose parent it also names."""
    names, _ = regions()
    counts = stem_counts(text, level_char)
    if not counts:
        return ""
    codes = {names[n][0] for n in counts}

    def score(name: str) -> tuple:
        return (names[name][2] in codes, counts[name])

    return max(counts, key=score)


def _fiscal_year(title: str, head: str, text: str) -> int | None:
    m = _TITLE_YEAR.search(title) or _KIND_TITLE.search(head)
    if m:
        return int(m.group(1))
    # a cover without year (a table attachment): the year its headings name most
    for scope in (head, text):
        years = Counter(int(y) for y in _YEAR.findall(scope))
        if years:
            return years.most_common(1)[0][0]
    return None


def _fallback_kind(text: str) -> str | None:
    cues = {
        "performance": len(re.findall(r"绩效|评价", text)),
        "final_account": len(re.findall(r"决算", text)) * 2,
        "budget": len(re.findall(r"预算", text)),
    }
    best = max(cues, key=cues.get)
    return best if cues[best] else None


def _agency(title: str, head: str, text: str) -> str:
    agency = _field_agency(text) or _title_agency(title)
    if agency:
        return agency
    m = _KIND_TITLE.search(head)
    if m:
        # a title further down ("山海关区人民政府政务服务中心 2018 年部门预算公开说明")
        line_start = head.rfind("\n", 0, m.start()) + 1
        agency = _org_in(re.sub(r"\s+", "", head[line_start : m.start()]), "", 0, True)
        if agency:
            return agency
    lines = [line.strip() for line in head.split("\n") if 4 <= len(line.strip()) <= 30]
    standalone = [ln for ln in lines if region_prefix(ln) and _trim_org(ln) == ln]
    if standalone:
        return standalone[0]
    self_ref = _LOCAL_ORG.search(head)
    for cand, _ in _agency_candidates(head).most_common():
        # another body the report only mentions ("作为岳阳市公共资源交易中心分支机构") is
        # not the reporting unit when the report calls itself 市<org>
        if self_ref and self_ref.group(2) not in cand:
            continue
        return cand
    return ""


def detect_metadata(text: str, hints: dict, name: str, issues: list[ParseIssue]) -> DocumentMeta:
    meta = DocumentMeta()
    head = text[:_HEAD_CHARS]
    title = _title_block(head)
    meta.doc_kind = _kind_of(title) or _fallback_kind(text)
    meta.fiscal_year = _fiscal_year(title, head, text)
    agency = _agency(title, head, text)
    if agency:
        meta.agency = agency
        meta.region = region_prefix(agency)
        if not meta.region:
            issues.append(
                ParseIssue(
                    "info",
                    "no_region",
                    "agency name carries no place name; region left empty",
                    quote=agency,
                )
            )
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
