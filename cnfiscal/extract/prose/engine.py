"""The paragraph reader behind `extract_prose`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from cnfiscal.extract.numbers import NUMERAL_UNIT, Quantity, find_quantities, parse_number
from cnfiscal.extract.prose import lexicon as lx
from cnfiscal.extract.prose.clauses import Compare, read_segment, same_as_before
from cnfiscal.extract.prose.fixes import resolve_templates
from cnfiscal.extract.prose.intext_tables import table_facts
from cnfiscal.extract.sections import Block, Sentence, split_sentences
from cnfiscal.model import DocumentMeta, Fact, ParseIssue

_THRESHOLD_AFTER = re.compile(r"\s*(?:以上|以下|以内|及以上|左右)")
_SUB_MARK = re.compile(r"其中|包括|分别为|分别是|资产构成|主要包括|具体为|主要安排")
_REASON_HEAD = re.compile(r"^\s*(?:为|因|因为|主要是|主要原因|原因是|用于|主要用于)")
_REASON_IN = re.compile(r"[,，]\s*为|原因|用于")
_USED_FOR = re.compile(r"(?:主要)?用于([^。;；]+)")
_ALL_OF = re.compile(r"(?:全部|均)(?:为|是|来源于|来自)([^,，。;；]+)")
# a number without unit before a clause end; a match right after a digit or "." is the tail of a
# longer number and is skipped by the caller (pattern opens with a class so the scan is fast)
_BARE = re.compile(r"(\d\d*)(?=\s*(?:[,，;；。]|$))")
_ECON_LINE = re.compile(r"经济分类(?:科目)?[^。]{0,6}(?:主要用于|[:：]|如下|包括)")
_MIN_PROJECT_NAME = 2
# words that may stand before a project-spending word without naming a project of their own
_PROJECT_QUALIFIER = re.compile(
    r"(?:其中|本年|本级|部门|单位|年度|年初|全年|当年|\d{4}年|预算|决算|一般公共预算|财政拨款|"
    r"政府性基金|安排|用于|主要|全部|合计|小计|总计|的|[、,，:：()（）\s\d.])*"
)


def _names_a_project(clean: str, match, agency: str = "") -> bool:
    """服务业发展专项资金, 二级预算单位（公共资源交易中心）专项业务经费: a name before the word
    for project spending makes the line one project, not the department's 项目支出. The
    department's own name, or a short form of it (政务中心 for 汨罗市政务服务中心), is no
    project's."""
    # where the word starts: the alias, or its start when the label was cut after it
    # (新增服务业发展专项 for …专项资金)
    at = next(
        (
            clean.rfind(match.alias[:k])
            for k in range(len(match.alias), 1, -1)
            if match.alias[:k] in clean
        ),
        -1,
    )
    if at <= 0:
        return False
    head = _PROJECT_QUALIFIER.sub("", clean[:at])
    return len(head) >= 2 and not _abbreviates(head, agency)


def _abbreviates(short: str, name: str) -> bool:
    """`short` is `name` with characters left out (政务中心 ⊂ 政务服务中心), or its 我/本 self."""
    if short in ("我局", "本局", "我单位", "本单位", "我部门", "本部门", "我中心", "本中心"):
        return True
    rest = iter(name)
    return bool(name) and all(ch in rest for ch in short)


_YEAR_LIKE = re.compile(r"(?:19|20)\d\d")
_TITLE_LABEL_END = re.compile(r"[\d,，。;；:：]")
# a sentence without a figure (a digit, or a numeral with its unit) and without 持平 gives no
# fact and changes no paragraph state; skipping it is exact
_DIGIT = re.compile(r"\d")
_NUMERAL_UNIT = re.compile(NUMERAL_UNIT)
_LABEL_AFTER_END = re.compile(r"[,，。;；:：(（]")
_COMPARES = re.compile(r"比|较|增加|减少|增长|下降|上年")


def _may_have_figure(text: str) -> bool:
    return bool(_DIGIT.search(text) or "持平" in text or _NUMERAL_UNIT.search(text))


@dataclass
class Ctx:
    """What a figure is about, so the figures after it can refer back."""

    statements: tuple[str, ...]
    item: str
    scope: str
    basis: str
    year: int
    label: str
    prior: bool = False  # a figure for an earlier year quoted for comparison
    code: str | None = None
    parent_code: str | None = None


def _start(q: Quantity) -> int:
    return q.start


def _replace(ctx: Ctx, **changes) -> Ctx:
    """dataclasses.replace for Ctx, without its per-call field introspection."""
    new = object.__new__(Ctx)
    new.__dict__.update(ctx.__dict__)
    new.__dict__.update(changes)
    return new


@dataclass
class Para:
    subject: Ctx | None = None
    sub_mode: bool = False
    last_compare: tuple[int, str] | None = None
    project_mode: bool = False


@dataclass
class Heading:
    statement: str | None = None
    scope: str | None = None
    project: bool = False
    titles: list[str] = field(default_factory=list)


class ProseReader:
    def __init__(self, text: str, meta: DocumentMeta, issues: list[ParseIssue]):
        self.text = text
        self.meta = meta
        self.issues = issues
        self.fy = meta.fiscal_year or 0
        self.doc_basis = "budget" if meta.doc_kind == "budget" else "actual"
        self.facts: list[Fact] = []
        self.templates: list[tuple[Fact, ParseIssue]] = []
        self._headings: dict[tuple[int, ...], Heading] = {}
        self._blocks: dict[int, tuple[str | None, str | None, bool]] = {}

    # ---- driver -----------------------------------------------------------------------------
    def run(self, sentences: list[Sentence] | None = None) -> list[Fact]:
        if sentences is None:
            sentences = split_sentences(self.text)
        lines: dict[int, list[Sentence]] = {}
        for s in sentences:
            lines.setdefault(s.line, []).append(s)
        cue = _may_have_figure
        for group in lines.values():
            if group[0].in_table_row:
                continue
            figured = [s for s in group if cue(s.text)]
            if figured:
                self._paragraph(group, figured)
        self.facts += table_facts(sentences, self.meta, self.doc_basis)
        resolve_templates(self.facts, self.templates, self.issues)
        return _dedupe(self.facts)

    def _heading(self, path: list[Block]) -> Heading:
        # paragraphs under the same headings share one reading of them
        key = tuple(map(id, path))
        h = self._headings.get(key)
        if h is None:
            h = self._headings[key] = self._read_heading(path)
        return h

    def _read_heading(self, path: list[Block]) -> Heading:
        """The path's statement (innermost heading naming one), fund scope (一般公共预算 over
        财政拨款) and whether a heading titles projects.

        A path is its parent's path plus one heading (each numbered line opens a path of its
        own), so the parent's reading, memoized, is extended by that heading's."""
        if not path:
            return Heading()
        parent = self._heading(path[:-1])
        b = path[-1]
        st, scope, project = self._block_reading(b)
        scopes = (scope, parent.scope)
        return Heading(
            statement=st or parent.statement,
            scope="general_public"
            if "general_public" in scopes
            else "fiscal"
            if "fiscal" in scopes
            else None,
            project=parent.project or project,
            titles=[*parent.titles, b.title],
        )

    def _block_reading(self, b: Block) -> tuple[str | None, str | None, bool]:
        """What one heading says: statement, fund scope, whether it titles projects.

        Read once per heading of this report (a heading sits in many paths)."""
        r = self._blocks.get(id(b))
        if r is None:
            title = b.title
            st = lx.strong_statement(title) or lx.statement_of_title(title)
            label = _TITLE_LABEL_END.split(title, maxsplit=1)[0]
            m = lx.lookup(label, "expenditure") if label else None
            r = (st, lx.scope_of(title), m is not None and m.item == "project")
            self._blocks[id(b)] = r
        return r

    def _paragraph(self, group: list[Sentence], figured: list[Sentence]) -> None:
        para = Para()
        first = group[0]
        path = list(first.path) + ([first.block] if first.block else [])
        head = self._heading(path)
        if first.block is not None and first.block.run_in:
            self._issue(
                "info",
                "list_number_run_in",
                "list number written straight into the amount; read as the amount",
                self.text[first.block.start : first.block.end][:80],
                first.block.start,
            )
        econ_line = any("经济分类" in s.text and _ECON_LINE.search(s.text) for s in group)
        for sent in figured:
            self._sentence(sent, para, head, econ_line)

    # ---- one sentence -----------------------------------------------------------------------
    def _sentence(self, sent: Sentence, para: Para, head: Heading, econ_line: bool) -> None:
        text = sent.text
        mentions = self._mentions(text)
        last: Ctx | None = None
        last_change: Ctx | None = None
        prev_end = 0
        last_compare: Compare | None = None
        # (end in the sentence, reading or None) of each amount, for "…万元,与上年持平"
        amounts: list[tuple[int, Ctx | None]] = []
        other_fund_before = False  # the last amount was another fund's (政府性基金…)
        for q in mentions:
            seg_text = text[prev_end : q.num_start]
            prev_end = q.end
            if _SUB_MARK.search(seg_text):
                para.sub_mode = True
            seg = read_segment(seg_text)
            if seg.compare is not None:
                last_compare = seg.compare
            if (
                other_fund_before
                and not lx.clean_label(seg.label)
                and (q.kind == "percent" or seg.change or seg.template)
            ):
                continue  # "政府性基金…0万元,比上年增加X,增长Y%": that fund's change
            if q.kind == "percent":
                self._percent(q, seg, sent, last_change or last or para.subject, last_compare, para)
                continue
            if seg.change or seg.template:
                ref = self._ref_for_change(seg, last, para, head, q, sent, econ_line)
                if ref is None:
                    continue
                self._delta(q, seg, sent, ref, para, head, last_compare)
                last_change = ref
                continue
            last_change = None
            taken, ctx = self._after_generic_word(q, seg, sent, para, head, amounts)
            if taken:
                amounts.append((q.end, ctx))
                last = ctx or last
                continue
            ctx = self._amount(q, seg, sent, para, head, econ_line, last)
            amounts.append((q.end, ctx))
            other_fund_before = ctx is None and lx.other_fund(seg.piece)
            if ctx is not None:
                last = ctx
                if para.subject is None:
                    para.subject = ctx
        for label, s, e, cmp_year in same_as_before(text):
            if lx.clean_label(label):
                ctx = self._ctx_for_label(label, para, head, econ_line, last, sent)
            else:
                # "X为867.50万元,与上年持平": the figure just before is what stayed the same
                ctx = next((c for end, c in reversed(amounts) if end <= s), None)
                # (None when that figure was not read, e.g. another fund's)
            if ctx is not None:
                fake = Quantity(Decimal(0), "万元", "money", s, e, s, e, text[s:e], Decimal(0))
                seg = read_segment("")
                cmp = (cmp_year or ctx.year - 1, self.doc_basis)
                self._emit_delta(fake, sent, ctx, Decimal(0), cmp)
        for m in _ALL_OF.finditer(text):
            if last is None:
                continue
            match = lx.lookup(m.group(1), last.statements[0])
            if match is None or match.item == last.item:
                continue
            ctx = _replace(last, statements=match.statements, item=match.item, label=m.group(1))
            value = self._last_value(last)
            if value is not None:
                for st in ctx.statements:
                    self._emit(st, ctx, "amount", value, "万元", sent, m.start(1), m.end(1))

    def _after_generic_word(self, q, seg, sent, para, head, amounts) -> tuple[bool, Ctx | None]:
        """A label that is only a generic word (实际支出, 支出决算, 其中财政拨款) after another
        figure of the sentence belongs to that figure's line, not to the department's total.
        Returns (taken, reading): taken when the mention is settled here."""
        bare = lx.names_no_subject(seg.label) if amounts else None
        if bare == "fund" and self._context_statement(para, head) == "income":
            bare = None  # "收入预算…,其中:财政拨款X": an income source after all
        if not bare:
            return False, None
        prev = amounts[-1][1]
        if prev is None:  # "某项目预算600万元,实际支出574万元": an unread line's own figure
            return True, None
        basis = lx.basis_of(seg.label) if bare == "generic" else None
        same_side = ("收入" in seg.label) == ("income" in prev.statements)
        if basis and same_side and q.kind == "money":
            # "年初预算为2.85万元,支出决算为0.39万元": the same line, another basis
            ctx = _replace(prev, basis=basis, prior=False)
            self._emit_all(ctx, "amount", self._money(q, sent, para), "万元", sent, q)
            return True, ctx
        return False, None

    def _mentions(self, text: str) -> list[Quantity]:
        out = []
        for q in find_quantities(text):
            if _THRESHOLD_AFTER.match(text, q.end):
                continue
            out.append(q)
        taken = [(q.start, q.end) for q in out]
        n_quantities = len(out)
        for m in _BARE.finditer(text):
            at = m.start()
            if at and (text[at - 1].isdecimal() or text[at - 1] == "."):
                continue
            if any(s <= at < e for s, e in taken):
                continue
            if len(m.group(1)) == 4 and _YEAR_LIKE.match(m.group(1)):
                continue
            value = parse_number(m.group(1))
            if value is None:
                continue
            out.append(
                Quantity(value, "", "bare", m.start(), m.end(), m.start(), m.end(), m.group(1))
            )
        if len(out) > n_quantities:  # quantities come in text order; bare numbers join them
            out.sort(key=_start)
        return out

    # ---- labels to context ------------------------------------------------------------------
    def _context_statement(self, para: Para, head: Heading) -> str | None:
        if para.subject is not None:
            return para.subject.statements[0]
        return head.statement

    def _ctx_for_label(
        self,
        label: str,
        para: Para,
        head: Heading,
        econ_line: bool,
        last: Ctx | None,
        sent: Sentence,
        raw_label: str | None = None,
        year_hint: int | None = None,
    ) -> Ctx | None:
        context = self._context_statement(para, head)
        clean = lx.clean_label(label)
        if not clean:
            return None
        match = None
        in_projects = head.project or (para.subject is not None and para.subject.item == "project")
        is_sub = para.subject is not None or head.project
        if in_projects and is_sub:
            m = lx.lookup(label, "expenditure")
            if (
                m is not None
                and m.item == "project"
                and _names_a_project(clean, m, self.meta.agency)
            ):
                match = lx.Match(("expenditure",), f"project:{clean}", clean)
            elif m is not None and m.item in ("project", "basic", "total"):
                match = m
            elif len(clean) >= _MIN_PROJECT_NAME and not _REASON_HEAD.match(label):
                match = lx.Match(("expenditure",), f"project:{clean}", clean)
            else:
                return None
        elif econ_line and context in (None, "expenditure"):
            match = lx.classify(label)
            if match is None:
                generic = lx.lookup(label, context)
                if generic is not None and generic.item in ("total", "basic"):
                    match = generic
                elif not _REASON_HEAD.match(label):
                    match = lx.Match(("expenditure",), f"raw:{clean}", clean)
        else:
            match = lx.lookup(label, context)
            agency = self.meta.agency
            if (
                match is not None
                and match.item == "project"
                and _names_a_project(clean, match, agency)
            ):
                match = lx.Match(("expenditure",), f"project:{clean}", clean)
        if match is None:
            return None
        statements = match.statements
        item = match.item
        if item.startswith("econ:302") and statements == ("operating_cost",):
            statements = ("expenditure",) if context == "expenditure" else ("operating_cost",)
        raw = raw_label if raw_label is not None else label
        if (
            "expenditure" in statements
            and "income" not in statements
            and not item.startswith("func:")  # 223 国有资本经营预算支出 is a class of its own
            and lx.other_fund(raw)
        ):
            return None
        scope = self._scope(raw, statements, para, head, item)
        basis = lx.basis_of(raw) or self.doc_basis
        year = year_hint or lx.year_of(raw) or self.fy
        return Ctx(
            statements,
            item,
            scope,
            basis,
            year,
            clean,
            code=match.code,
            parent_code=match.parent_code,
        )

    def _scope(
        self, label: str, statements: tuple[str, ...], para: Para, head: Heading, item: str = ""
    ) -> str:
        own = lx.scope_of(label)
        subj = para.subject
        # under "其中" a fund word names an income source (the item), but a total it qualifies
        # ("其中:…一般公共预算拨款支出预算X") is that fund's own total
        if own and (item == "total" or not (para.sub_mode and subj is not None)):
            # under a 一般公共预算财政拨款 heading, a bare 财政拨款 means that fund's part
            return "general_public" if own == "fiscal" and head.scope == "general_public" else own
        if subj is not None and (para.sub_mode or set(subj.statements) & set(statements)):
            return subj.scope
        if own:
            return own
        return head.scope or "all"

    # ---- amounts ----------------------------------------------------------------------------
    def _amount(self, q, seg, sent, para, head, econ_line, last) -> Ctx | None:
        label_text = seg.label
        year_hint = None
        prior = False
        if seg.compare is not None and seg.compare_label.strip():
            # "比2018年基本支出579万元": the earlier year's figure, quoted for comparison
            label_text = seg.compare_label
            year_hint = self._compare_year(seg.compare, self.fy, sent, head)
            prior = True
        if q.kind == "bare":
            return self._bare(q, label_text, sent, para, head, econ_line, last)
        clean = lx.clean_label(label_text)
        if not clean and q.kind == "count":
            after = _LABEL_AFTER_END.split(sent.text[q.end :], maxsplit=1)[0]
            label_text = after
            clean = lx.clean_label(after)
        if not clean and head.project and q.kind == "money":
            used = _USED_FOR.search(sent.text, q.end)
            name = lx.clean_label(used.group(1)) if used else ""
            if name:
                label_text = name
                clean = name
        if not clean:
            # "决算数1.33万元": the same line as the figure before, another basis
            ref = last or para.subject
            if ref is None or q.kind != "money":
                return None
            basis = lx.basis_of(seg.piece) or ref.basis
            ctx = _replace(ref, basis=basis, prior=False)
            self._emit_all(ctx, "amount", self._money(q, sent, para), "万元", sent, q)
            return ctx
        ctx = self._ctx_for_label(
            label_text, para, head, econ_line, last, sent, raw_label=seg.piece, year_hint=year_hint
        )
        if ctx is None:
            ctx = self._raw_fallback(q, label_text, para, head, sent.text[: q.start])
            if ctx is None:
                return None
        if prior:
            ctx.prior = True
            if seg.compare.basis:
                ctx.basis = seg.compare.basis
        elif ctx.year < self.fy:
            ctx.prior = True
            ctx.year = self._mistyped_year(ctx, sent, seg)
        if q.kind == "count":
            if not ctx.item.startswith("raw:") and q.unit not in self._count_units(ctx):
                return None
            ctx_c = _replace(ctx)
            self._emit_all(ctx_c, "count", q.value, self._count_unit(ctx, q.unit), sent, q)
            return ctx
        if q.kind != "money":
            return None
        value = self._money(q, sent, para)
        self._emit_all(ctx, "amount", value, "万元", sent, q)
        return ctx

    def _raw_fallback(self, q, label_text, para, head, before: str = "") -> Ctx | None:
        """ "其中" sub-lines of procurement and asset counts keep raw:<label>."""
        context = self._context_statement(para, head)
        clean = lx.clean_label(label_text)
        if _REASON_HEAD.match(label_text) or len(clean) < 2 or _REASON_IN.search(before):
            return None
        if context == "procurement" and para.sub_mode and q.kind == "money":
            pass
        elif context == "assets" and q.kind == "count":
            pass
        else:
            return None
        scope = self._scope(label_text, (context,), para, head)
        return Ctx((context,), f"raw:{clean}", scope, self.doc_basis, self.fy, clean)

    def _bare(self, q, label_text, sent, para, head, econ_line, last) -> Ctx | None:
        """A number without unit: a staffing count, or a zero amount ("常年为0")."""
        ctx = self._ctx_for_label(label_text, para, head, econ_line, last, sent)
        if ctx is None:
            return None
        if ctx.statements[0] == "staffing" and q.value == q.value.to_integral_value():
            self._emit_all(ctx, "count", q.value, "人", sent, q)
            return ctx
        if q.value == 0 and ctx.statements[0] not in ("staffing", "assets"):
            self._emit_all(ctx, "amount", Decimal(0), "万元", sent, q)
            return ctx
        return None

    def _count_units(self, ctx: Ctx) -> tuple[str, ...]:
        for statements, units in lx.count_rules().get(ctx.item, ()):
            if statements & set(ctx.statements):
                return units
        return ()

    def _count_unit(self, ctx: Ctx, unit: str) -> str:
        if ctx.statements[0] == "staffing" and unit == "名":
            return "人"
        if ctx.item == "vehicles" and unit == "台":
            return "辆"
        return unit

    def _money(self, q: Quantity, sent: Sentence, para: Para) -> Decimal:
        value = q.wan if q.wan is not None else q.value
        if q.anomaly == "double_dot":
            self._issue(
                "warning",
                "number_typo",
                f"doubled decimal point read as {value}",
                q.raw,
                sent.start + q.start,
            )
        if q.unit == "元" and value != 0:
            # a 万元 figure written 元: far too small beside the 万元 figures around it
            others = [m.wan for m in find_quantities(sent.text) if m.unit in ("万元", "万")]
            big = max([o for o in others if o is not None] or [Decimal(0)])
            if q.value >= 100 and big and value * 1000 < big:
                self._issue(
                    "warning",
                    "unit_typo",
                    f"amount written in 元 beside 万元 figures; read as {q.value}万元",
                    sent.text[max(0, q.start - 10) : q.end + 2],
                    sent.start + q.start,
                )
                return q.value
        if q.unit == "万":
            self._issue(
                "info", "unit_short", "unit written 万 (read as 万元)", q.raw, sent.start + q.start
            )
        return value

    # ---- changes ----------------------------------------------------------------------------
    def _ref_for_change(self, seg, last, para, head, q, sent, econ_line) -> Ctx | None:
        if lx.other_fund(seg.label):
            return None  # another fund's change, not the figure before it
        if lx.clean_label(seg.label):
            ctx = self._ctx_for_label(
                seg.label, para, head, econ_line, last, sent, raw_label=seg.label
            )
            if ctx is not None:
                return ctx
        return last or para.subject

    def _compare_year(self, cmp: Compare, fact_year: int, sent: Sentence, head: Heading) -> int:
        if cmp.relative:
            return fact_year - 1
        if cmp.year is None:
            return fact_year
        if cmp.explicit_year and cmp.year != fact_year - 1 and cmp.year < fact_year:
            if any("比上年" in t or "上年增减" in t for t in head.titles):
                self._issue(
                    "warning",
                    "year_typo",
                    f"compares with {cmp.year} under a 比上年 heading; read as {fact_year - 1}",
                    sent.text[:80],
                    sent.start,
                )
                return fact_year - 1
        return cmp.year

    def _delta(self, q, seg, sent, ref: Ctx, para: Para, head: Heading, last_cmp) -> None:
        if q.kind not in ("money",):
            return
        year = self.fy if ref.prior else ref.year
        if ref.prior:
            cmp = (ref.year, ref.basis)
        else:
            c = seg.compare or last_cmp
            if c is not None:
                cy = self._compare_year(c, year, sent, head)
                basis = c.basis or ("actual" if "assets" in ref.statements else self.doc_basis)
                cmp = (cy, basis)
                para.last_compare = cmp
            elif para.last_compare is not None:
                cmp = para.last_compare
            else:
                cmp = (year - 1, "actual" if "assets" in ref.statements else self.doc_basis)
        ctx = _replace(ref, year=year, prior=False)
        value = self._money(q, sent, para)
        if seg.template:
            fact = self._emit_delta(q, sent, ctx, value, cmp)
            issue = self._issue(
                "warning",
                "template_leftover",
                "change written as 增加/减少 (template left unfilled)",
                sent.text[max(0, q.start - 20) : q.end],
                sent.start + q.start,
            )
            if fact is not None and value != 0:
                for f in fact:
                    self.templates.append((f, issue))
            return
        self._emit_delta(q, sent, ctx, value * seg.change, cmp)

    def _emit_delta(self, q, sent, ctx: Ctx, value: Decimal, cmp) -> list[Fact]:
        out = []
        for st in ctx.statements:
            f = self._emit(st, ctx, "delta", value, "万元", sent, q.start, q.end)
            f.compare_year, f.compare_basis = cmp
            out.append(f)
        return out

    def _percent(self, q, seg, sent, ref: Ctx | None, last_cmp, para: Para) -> None:
        if ref is None:
            return
        if seg.share:
            self._emit_all(
                _replace(ref, year=self.fy if ref.prior else ref.year),
                "share",
                q.value,
                "%",
                sent,
                q,
            )
            return
        sign = seg.change
        if not sign:
            return
        year = self.fy if ref.prior else ref.year
        c = seg.compare or last_cmp
        if ref.prior:
            cmp = (ref.year, ref.basis)
        elif c is not None:
            cmp = (year - 1 if c.relative else (c.year or year), c.basis or self.doc_basis)
            if c.explicit_year and c.year:
                cmp = (c.year, c.basis or self.doc_basis)
        elif para.last_compare is not None:
            cmp = para.last_compare
        else:
            cmp = (year - 1, self.doc_basis)
        ctx = _replace(ref, year=year)
        for st in ctx.statements:
            f = self._emit(st, ctx, "pct_change", q.value * sign, "%", sent, q.start, q.end)
            f.compare_year, f.compare_basis = cmp

    # ---- helpers ----------------------------------------------------------------------------
    def _mistyped_year(self, ctx: Ctx, sent: Sentence, seg) -> int:
        """A budget report calling its own figures "上年年部门预算中" is read as its own year."""
        if (
            self.meta.doc_kind == "budget"
            and ctx.year == self.fy - 1
            and "部门预算" in seg.piece
            and not _COMPARES.search(sent.text)
        ):
            self._issue(
                "warning",
                "year_typo",
                f"{ctx.year} in a {self.fy} budget report's own figure; read as {self.fy}",
                sent.text[:80],
                sent.start,
            )
            ctx.prior = False
            return self.fy
        return ctx.year

    def _last_value(self, ctx: Ctx) -> Decimal | None:
        for f in reversed(self.facts):
            if f.item == ctx.item and f.measure == "amount":
                return f.value
        return None

    def _emit_all(self, ctx: Ctx, measure, value, unit, sent, q) -> None:
        for st in ctx.statements:
            self._emit(st, ctx, measure, value, unit, sent, q.start, q.end)

    def _emit(self, statement, ctx: Ctx, measure, value, unit, sent, s, e) -> Fact:
        fact = Fact(
            statement=statement,
            item=ctx.item,
            scope=ctx.scope,
            basis=ctx.basis,
            year=ctx.year,
            measure=measure,
            value=value,
            unit=unit,
            label=ctx.label,
            code=ctx.code,
            parent_code=ctx.parent_code,
            source="text",
            start=sent.start + s,
            end=sent.start + e,
            evidence=sent.text,
        )
        self.facts.append(fact)
        return fact

    def _issue(self, severity, code, message, quote, start) -> ParseIssue:
        issue = ParseIssue(severity, code, message, quote=quote, start=start)
        self.issues.append(issue)
        return issue


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per key and value (a figure stated twice gives one fact)."""
    seen: set[tuple] = set()
    out = []
    for f in facts:
        key = (f.statement, f.item, f.scope, f.basis, f.year, f.measure, f.compare_year, f.value)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
