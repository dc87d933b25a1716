"""Indicators stated in sentences: "按时办结率为100%", "受理业务97573件", "从20个工作日压缩到10个".

Each quantity in a performance region becomes a fact unless the words around it show it is
something the other statements own (spending, staff, 三公) or a derived figure of such a number
("减少0.72万元,降幅为5%"). Names come from the words before the number, or after it when the
number comes first ("评选出12个红旗窗口").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cnfiscal.extract.performance.labels import clean_name, indicator_for
from cnfiscal.extract.performance.quantities import Qty, scan
from cnfiscal.extract.sections import Sentence
from cnfiscal.model import Fact, ParseIssue

_BOUNDARY = re.compile(r"[,，;；:：()（）。!！?？\[\]【】]")
# Money that is an outcome (fees collected, deals closed), not the unit's own spending.
_MONEY_OUTCOME = re.compile(
    r"收费|税|金额|交易|成交|招标|营业|产值|投资|融资|节约|节省|减免|减负|销售|签约"
)
_MONEY_SPENDING = re.compile(
    r"经费|支出|预算|拨款|补贴|补助|工资|三公|采购|结转|结余|执行数|费用|资产"
)
# A percent of money ("占总支出的76.49%", "三公经费下降0.3%") belongs to the money statements.
_PERCENT_OF_MONEY = re.compile(r"预算|支出|经费|收入|拨款|三公|资金|总额|资产")
# Staff and organisation counts belong to `staffing`; 三公 reception and cars to `three_public`.
_STAFF = re.compile(
    r"在职|编制|编外|在编|临时工|聘用|聘请|离退休|退休|离休|内设|科室|下设|实有|职工|人员编制|"
    r"公务接待|公务用车|车辆|因公出国|办公用房|办公面积|面积|工作人员$|人员$"
)
# A clause that is only a change word refers to the number before it.
_DERIVED = re.compile(
    r"^(?:降幅|增幅|降低|增长|下降|减少|增加|上升|同比|比上年|较上年|占比|幅度|分别|为|了|达|约|的|,)+$"
)
# The name is after the number when the words before it end in a verb or connector.
_ENDS_WITH_VERB = re.compile(
    r"(?:对|为|将|把|向|给|出|有|了|和|及|与|、|开设|新增|完成|建成|累计|共|计|达|到|至|办理|"
    r"公布|提供|落实|培训|组织|推荐|认定|查处|设立|开展|获得?|荣获|评选出|发放|编印|建立)$"
)
_POST_STOP = re.compile(
    r"[,，;；:：。()（）、\d]|和|及|与|进行|纳入|在|集中|提供|发放|分发|共|达|的|近|约"
)
_TARGET_CUE = re.compile(r"目标|计划|预计|力争|拟|预期|指标值|争取")
_ACTUAL_CUE = re.compile(r"实际|已|完成了|实现了|完成情况|截至|截止")
_FROM = re.compile(r"[从由]")
_TO = re.compile(
    r"(?:压缩|缩短|减少|降低|下降|降|提高|提升|增加|增长|增|扩大|扩充|上升|变)(?:到|至|为)|到|至"
)
_PREV_YEAR = re.compile(r"去年|上年|上一年|前一年")
_YEAR = re.compile(r"(?<![比较与同至到])(20\d\d)\s*年度?")
_SATISFACTION = re.compile(r"满意")
_CATEGORY_WORDS = (
    ("satisfaction", re.compile(r"满意度指标")),
    ("cost", re.compile(r"成本指标")),
    ("benefit", re.compile(r"效益指标")),
    ("output", re.compile(r"产出指标|数量指标|质量指标|时效指标")),
)
# per-sentence patterns, compiled once (re.sub(pattern, …) looks its pattern up on every call)
_PER = re.compile(r"平均|每")
_LEAD_QUOTES = re.compile(r"^[“”\"'‘’《》]+")
_BOOK_TITLE = re.compile(r"《[^》]*》")
_PAREN_AT_END = re.compile(r"[(（][^()（）]{1,12}[)）]\s*$")
_ENDS_WITH_AND = re.compile(r"[和及与、]$")
_BLANK = re.compile(r"\s")
_FILLER = re.compile(r"[为了达的]")


@dataclass
class Context:
    fiscal_year: int
    basis: str  # the report's default basis for what it states


def measure_of(q: Qty, name: str) -> str:
    if q.kind == "percent":
        return "share"
    if q.kind == "count" and q.unit != "个百分点":
        if q.value != q.value.to_integral_value() or _PER.search(name):
            return "amount"
        return "count"
    return "amount"


def category_of(name: str, heading: str) -> str | None:
    if _SATISFACTION.search(name):
        return "satisfaction"
    for cat, rx in _CATEGORY_WORDS:
        if rx.search(heading):
            return cat
    return None


def _clause_start(text: str, pos: int) -> int:
    last = 0
    for m in _BOUNDARY.finditer(text, 0, pos):
        last = m.end()
    return last


def _post_noun(text: str, pos: int) -> str:
    tail = _LEAD_QUOTES.sub("", text[pos : pos + 30])
    m = _POST_STOP.search(tail)
    return clean_name(tail[: m.start()] if m else tail[:15])


def _year_of(sent: str, upto: int, fy: int) -> int:
    head = _BOOK_TITLE.sub("", sent[:upto])
    if _PREV_YEAR.search(head[_clause_start(head, len(head)) :]):
        return fy - 1
    years = [int(y) for y in _YEAR.findall(head) if fy - 5 <= int(y) <= fy + 1]
    return years[-1] if years else fy


def _basis_of(sent: str, upto: int, default: str) -> str:
    head = sent[:upto]
    t = max((m.end() for m in _TARGET_CUE.finditer(head)), default=-1)
    a = max((m.end() for m in _ACTUAL_CUE.finditer(head)), default=-1)
    if t > a:
        return "budget"
    if a > t:
        return "actual"
    return default


@dataclass
class _Cand:
    q: Qty
    name: str
    label: str
    skip: str = ""  # why it is not an indicator ("" when it is one)


def _name(sent: str, rel_start: int, rel_end: int, prev_end: int) -> tuple[str, str]:
    """(name, label as written) for the quantity at [rel_start, rel_end) of `sent`."""
    upto = rel_start
    # "服务事项(公用)1558384件": a parenthesis right before the number qualifies the name
    m = _PAREN_AT_END.search(sent[:upto])
    if m:
        upto = m.start()
    start = max(_clause_start(sent, upto), prev_end)
    pre_raw = sent[start:rel_start]
    pre = clean_name(sent[start:upto])
    if not pre or _ENDS_WITH_VERB.search(pre_raw.strip()):
        post = _post_noun(sent, rel_end)
        # a verb before the number belongs to the name (评选出…), a connector does not (…和)
        verb = "" if _ENDS_WITH_AND.search(pre_raw.strip()) else clean_name(pre_raw)
        name = clean_name(verb + post)
        return (name or pre), (pre_raw.strip() + "…" + post).strip("…")
    return pre, pre_raw.strip()


# a free-standing figure in a name ("决策 20 17.90", "综合管理 367.65 保质保量…"): the words are
# a table row the page text repeats, cells set apart by blanks, not a sentence naming a figure
_FREE_FIGURE = re.compile(r"(?:^|(?<=\s))[-\d.,%％]*\d[-\d.,%％]*(?=\s|$)")


def _table_row_name(name: str) -> bool:
    figures = _FREE_FIGURE.findall(name)
    return len(figures) >= 2 or any("." in f for f in figures)


def _skip_reason(q: Qty, name: str, clause: str) -> str:
    if _table_row_name(name):
        return "table_row"
    if q.kind == "money":
        if _MONEY_SPENDING.search(clause) or not _MONEY_OUTCOME.search(clause):
            return "money"
    if q.kind == "percent" and _PERCENT_OF_MONEY.search(clause) and "率" not in name:
        return "money_share"
    if q.kind in ("count", "time") and _STAFF.search(clause):
        return "staffing"
    if not name:
        return "no_name"
    return ""


def sentence_candidates(sent: Sentence) -> list[_Cand]:
    text = sent.text
    cands: list[_Cand] = []
    prev_end = 0
    for q in scan(text):
        clause_from = _clause_start(text, q.start)
        name, label = _name(text, q.start, q.end, prev_end)
        clause = text[clause_from : q.start]
        derived = clause.strip() and _DERIVED.match(_BLANK.sub("", clause))
        prev = cands[-1] if cands else None
        if q.in_list and prev is not None and prev.q.end == q.end:
            # "10、7个工作日": the later numbers of a list share the first one's words
            cands.append(_Cand(q, prev.name, prev.label, prev.skip))
            continue
        if derived or not clause.strip(" ,，"):
            prev = cands[-1] if cands else None
            if derived and prev is None:
                cands.append(_Cand(q, name, label, "derived_without_base"))
            elif derived and prev is not None:
                word = clean_name(clause) or _FILLER.sub("", clause).strip(" ,，")
                skip = prev.skip or ("" if q.kind == "percent" else "derived_count")
                cands.append(_Cand(q, prev.name + word, clause.strip(), skip))
            else:
                cands.append(_Cand(q, name, label, _skip_reason(q, name, text[: q.start])))
        else:
            cands.append(_Cand(q, name, label, _skip_reason(q, name, clause)))
        prev_end = q.end
    return cands


@dataclass
class _Pair:
    subject: str  # the words before 从/由: what changed
    from_at: int
    to_at: int  # end of the 压缩到/增至 words
    befores: list[int]
    afters: list[int]


def _pairs(text: str, cands: list[_Cand]) -> list[_Pair]:
    """Before→after statements: "报装时间从20个工作日压缩到10个工作日", "由177项增至295项"."""
    out: list[_Pair] = []
    for fm in _FROM.finditer(text):
        clause_end = _BOUNDARY.search(text, fm.end())
        stop = clause_end.start() if clause_end else len(text)
        inside = [i for i, c in enumerate(cands) if fm.end() <= c.q.start < stop]
        if not inside:
            continue
        tm = _TO.search(text, cands[inside[0]].q.end, stop)
        if not tm:
            continue
        befores = [i for i in inside if cands[i].q.start < tm.start()]
        afters = [i for i in inside if cands[i].q.start >= tm.end()]
        if not befores or not afters:
            continue
        subject = clean_name(text[_clause_start(text, fm.start()) : fm.start()])
        out.append(_Pair(subject, fm.start(), tm.end(), befores, afters))
    return out


def _enumerated_names(name: str, n: int) -> list[str] | None:
    """ "一般项目用水、用气报装时间" with n=2 → the two full names; None if it does not split so.

    The listed words share their length with the word after the first 、 (用水、用气 → 2).
    """
    parts = name.split("、")
    if len(parts) != n or n < 2:
        return None
    first, rest = parts[0], parts[1:]
    k = next((k for k in range(1, min(4, len(first)) + 1) if first[-k] == rest[0][0]), 1)
    last = rest[-1]
    elems = [first[-k:]] + [p[:k] for p in rest[:-1]] + [last[:k]]
    return [first[:-k] + e + last[k:] for e in elems]


def _pair_facts(
    text: str, cands: list[_Cand], pair: _Pair, sent: Sentence, ctx: Context,
    issues: list[ParseIssue], heading: str,
) -> list[Fact]:  # fmt: skip
    out: list[Fact] = []
    units = {cands[i].q.unit for i in pair.afters}
    for unit in units:
        afters = [i for i in pair.afters if cands[i].q.unit == unit and not cands[i].skip]
        befores = [i for i in pair.befores if cands[i].q.unit == unit and not cands[i].skip]
        if not afters:
            continue
        if not befores:
            typo = _typo_before(text, cands, pair, afters[0], sent, issues)
            if typo is None:
                continue
            cands.append(typo)
            befores = [len(cands) - 1]
        names = _enumerated_names(pair.subject, len(afters))
        for n, a in enumerate(afters):
            b = befores[n] if len(befores) == len(afters) else befores[0]
            if names:
                name = names[n]
            else:
                noun = _post_noun(text, cands[a].q.end)[:6]
                name = pair.subject + (f"({noun})" if noun and len(units) > 1 else "")
            if not name:
                continue
            prev = _PREV_YEAR.search(text[pair.from_at : cands[b].q.start])
            before_year = ctx.fiscal_year - 1 if prev else ctx.fiscal_year
            basis = _basis_of(text, pair.from_at, ctx.basis)
            out.append(_fact(cands[b], name + "(before)", sent, before_year, basis, heading))
            out.append(_fact(cands[a], name + "(after)", sent, ctx.fiscal_year, basis, heading))
    return out


def _typo_before(text, cands, pair: _Pair, a: int, sent, issues) -> _Cand | None:
    """The "before" twin of an after count written with a wrong unit ("9月部门" for 9个部门).

    When the after side says "12个部门" and the before side has a bare "9<x>部门", the before
    number is read with the after side's unit and the oddity is reported.
    """
    q = cands[a].q
    noun = text[q.end : q.end + 2]
    if not re.fullmatch(r"[\u4e00-\u9fff]{2}", noun):
        return None
    span = text[pair.from_at : pair.to_at]
    m = re.search(rf"(\d+)\s*([\u4e00-\u9fff]){re.escape(noun)}", span)
    if not m or m.group(2) == q.unit:
        return None
    start = pair.from_at + m.start(1)
    issues.append(
        ParseIssue(
            "warning",
            "unit_typo",
            f"read {m.group(0)!r} as {m.group(1)}{q.unit}{noun}, "
            "like the figure it is compared with",
            quote=text,
            start=sent.start + start,
        )
    )
    fixed = Qty(
        value=Decimal(m.group(1)),
        unit=q.unit,
        qualifier=None,
        start=start,
        end=pair.from_at + m.end(2),
        num_start=start,
        num_end=pair.from_at + m.end(1),
        raw=m.group(0),
        kind=q.kind,
    )
    return _Cand(fixed, "", m.group(0))


def facts_from_sentence(
    sent: Sentence, ctx: Context, issues: list[ParseIssue], heading: str = ""
) -> list[Fact]:
    text = sent.text
    cands = sentence_candidates(sent)
    pairs = _pairs(text, cands)
    paired = {i for p in pairs for i in p.befores + p.afters}
    facts: list[Fact] = []
    for i, c in enumerate(cands):
        if c.skip or i in paired:
            continue
        year = _year_of(text, c.q.start, ctx.fiscal_year)
        basis = _basis_of(text, c.q.start, ctx.basis)
        facts.append(_fact(c, c.name, sent, year, basis, heading))
    for p in pairs:
        facts += _pair_facts(text, cands, p, sent, ctx, issues, heading)
    return facts


def _fact(c: _Cand, name: str, sent: Sentence, year: int, basis: str, heading: str) -> Fact:
    q = c.q
    ind = indicator_for(name, q.unit)
    return Fact(
        statement="performance",
        item=f"kpi:{name}",
        scope="all",
        basis=basis,
        year=year,
        measure=measure_of(q, name),
        value=q.value,
        unit=q.unit,
        label=c.label or name,
        qualifier=q.qualifier,
        category=category_of(name, heading),
        code=ind.key if ind else None,
        source="text",
        start=sent.start + q.start,
        end=sent.start + q.end,
        evidence=sent.text,
    )
