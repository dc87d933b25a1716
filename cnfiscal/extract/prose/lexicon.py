"""Words to schema: a label as a report writes it → statement, item, fund scope, basis, year.

All synonyms come from data (cnfiscal/vocab/items.csv and the classification CSVs). Matching
is by suffix on a cleaned label, longest alias first, so "部门预算总收入" finds 总收入 and
"人员工资福利支出" finds 工资福利支出 without listing every wording.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from cnfiscal import vocab


@dataclass(frozen=True)
class ItemRule:
    statements: tuple[str, ...]
    item: str
    alias: str
    needs_context: bool
    count_units: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    statements: tuple[str, ...]
    item: str
    alias: str
    code: str | None = None
    parent_code: str | None = None
    count_units: tuple[str, ...] = ()


# Fund names inside a label decide scope; they are removed before looking for basis words.
_FUND_NAMES = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算")
_SCOPE_GP = re.compile(r"一般公共预算|一般共预算")
_SCOPE_FISCAL = re.compile(r"财政拨款|财政资金")
# funds the schema has no scope for: their own spending lines are not the department's
_OTHER_FUND = re.compile(r"政府性基金|国有资本经营|社会保险基金|社保基金|财政专户")
# "收入、支出预算总计" / "收、支总计各增加…" name both accounts at once, like 收支
_IN_AND_OUT = re.compile(r"收入?(总计|合计|预算|决算)?\s*[、和与及/]\s*支出?(总计|合计|预算|决算)?")


def _in_and_out(m: re.Match) -> str:
    return "收支" + (m.group(2) or m.group(1) or "")


_SPENT_TAIL = re.compile(r"(?:预算|决算|实际)?支出(?:预算|决算)?(?:数|金额)?$")
# income items that are only a fund's name: "委托业务费财政拨款" is 委托业务费, paid from that fund
_FUND_ITEMS = frozenset({"fiscal_appropriation", "general_public_budget"})
_ACTUAL_WORDS = re.compile(r"决算|实际|执行数|实际支出")
_BUDGET_WORDS = re.compile(r"预算")

# Pieces of a label that say nothing about the line itself.
_YEAR = re.compile(
    r"(?:截至|截止)?(?:20\d\d|19\d\d)\s*年(?:度|末|底|初)?(?:\d{1,2}月(?:\d{1,2}日)?)?"
)
_ENUM_HEAD = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、>]+)"
)
_QUOTES = re.compile(r"[“”\"'‘’《》「」]")
_LEAD_FILLER = re.compile(
    r"^(?:其中|包括|主要包括|主要用于|分别为|分别是|具体为|如下|合计|共计|共有|现有|实有|"
    r"我单位|本单位|我部门|本部门|我局|我中心|我办|单位|部门|全年|本年度|本年|全部|"
    r"按照|安排|用于|涉及|主要|以及|及|和|与|为|是|有|共|年末|年初|当年度|:|：)+"
)
_TAIL_FILLER = re.compile(
    r"(?:为|是|达|达到|共|约|各|均|分别|合计为|总额为|共计|累计|安排|支出数|决算数|预算数|执行数|"
    r"预算|决算|数|总体|情况|金额|资金|:|：|,|，)+$"
)


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    """Cleaned label: no blanks, quotes, year, enumerator or filler words."""
    s = re.sub(r"\s+", "", text)
    s = _QUOTES.sub("", s)
    s = s.replace("支出支出", "支出")
    if "收" in s:
        s = _IN_AND_OUT.sub(_in_and_out, s)
    for _ in range(3):
        before = s
        s = _ENUM_HEAD.sub("", s)
        s = _YEAR.sub("", s)
        s = _LEAD_FILLER.sub("", s)
        s = _TAIL_FILLER.sub("", s)
        if s == before:
            break
    return s


def clean_label(text: str) -> str:
    return _norm(text)


@lru_cache(maxsize=65536)
def _lead_clean(text: str) -> str:
    """Like _norm but keeps the label's tail (当年预算 stays 当年预算)."""
    s = _QUOTES.sub("", re.sub(r"\s+", "", text)).replace("支出支出", "支出")
    if "收" in s:
        s = _IN_AND_OUT.sub(_in_and_out, s)
    for _ in range(3):
        before = s
        s = _LEAD_FILLER.sub("", _YEAR.sub("", _ENUM_HEAD.sub("", s)))
        s = re.sub(r"(?:为|是|:|：|,|，)+$", "", s)
        if s == before:
            break
    return s


@cache
def item_rules() -> tuple[ItemRule, ...]:
    with resources.files("cnfiscal.vocab").joinpath("items.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        out.append(
            ItemRule(
                statements=tuple(row["statement"].split("|")),
                item=row["item"],
                alias=re.sub(r"\s+", "", _QUOTES.sub("", row["alias"])),
                needs_context=row.get("needs_context", "") == "context",
                count_units=tuple(u for u in (row.get("count_units") or "").split("|") if u),
            )
        )
    return tuple(out)


@cache
def count_rules() -> dict[str, tuple[tuple[frozenset[str], tuple[str, ...]], ...]]:
    """item → (statements, count units) of its rules that give count units, in file order."""
    out: dict[str, list] = {}
    for rule in item_rules():
        if rule.count_units:
            out.setdefault(rule.item, []).append((frozenset(rule.statements), rule.count_units))
    return {k: tuple(v) for k, v in out.items()}


_LEVEL_MARK = re.compile(r"[(（]\s*[类款项]\s*[)）]")
# a line marked (款)/(项) is below 类 level, where no fact of the schema sits
_SUB_LEVEL = re.compile(r"[(（]\s*[款项]\s*[)）]")


def _class_key(name: str) -> str:
    """Comparison key for classification names: 的 and a trailing 支出 do not matter."""
    s = re.sub(r"\s+", "", name).replace("支出支出", "支出").replace("的", "")
    s = _LEVEL_MARK.sub("", s)  # "公共安全(类)支出": the level marker is not part of the name
    s = re.sub(r"[()（）]", "", s).replace("支出支出", "支出")  # "…支出(类)支出"
    return s[:-2] if s.endswith("支出") and len(s) > 3 else s


@cache
def _class_index() -> dict[str, tuple[str, str, str]]:
    """key → (prefix, code, parent_code).

    Functional 款 names repeat under many 类 (行政运行), so functional classes count at 类 level
    only; economic classes use the departmental scheme (30x) at 类 and 款 level. A key that
    names two different codes is ambiguous and maps to ("", "", "").
    """
    index: dict[str, tuple[str, str, str]] = {}
    entries = [("func", e) for e in vocab.functional_classes() if e.level == "类"]
    entries += [
        ("econ", e)
        for e in vocab.economic_classes()
        if getattr(e, "scheme", "departmental") in ("departmental", "")
    ]
    for prefix, e in entries:
        key = _class_key(e.name)
        hit = (prefix, e.code, e.parent_code)
        old = index.get(key)
        if old is not None and old[:2] != hit[:2]:
            # a 类 name reused at 款 level (其他资本性支出) keeps the 类 code
            same_tree = old[0] == prefix and (
                e.code.startswith(old[1]) or old[1].startswith(e.code)
            )
            if same_tree:
                index[key] = old if len(old[1]) <= len(e.code) else hit
            else:
                index[key] = ("", "", "")
        elif old is None:
            index[key] = hit
    return index


@lru_cache(maxsize=65536)
def classify(label: str) -> Match | None:
    """Functional / economic class whose name the label ends with (longest wins)."""
    key = _class_key(_norm(label))
    index = _class_index()
    for i in range(len(key)):
        hit = index.get(key[i:])
        if hit is not None and len(key) - i >= 2:
            prefix, code, parent = hit
            if not prefix:
                return None
            return Match(
                statements=("expenditure",),
                item=f"{prefix}:{code}",
                alias=key[i:],
                code=code,
                parent_code=parent or None,
            )
    return None


def _rule_aliases(rule: ItemRule) -> tuple[str, ...]:
    a = rule.alias
    # "人员经费支出" is 人员经费; income lines never take a 支出 suffix
    if a.endswith("支出") or "income" in rule.statements:
        return (a,)
    return (a, a + "支出")


# A label naming one of these accounts belongs to it whatever item words follow.
_STRONG = (("三公", "three_public"), ("机关运行", "operating_cost"), ("政府采购", "procurement"))
_TOTAL_TAIL = re.compile(r"(?:总额|合计|总计|共计|总体)$")
# procurement amounts reserved for or awarded to small businesses: a part, not the total
_SME_SHARE = re.compile(r"中小企业|小微企业|预留|授予")
# after the label's last 三公: "三公经费及会议费、培训费…" is a sum the 三公 total excludes
_WITH_MEETINGS = re.compile(r"三公(?!.*三公).*(?:会议费|培训费)")


def strong_statement(label: str) -> str | None:
    for word, statement in _STRONG:
        if word in label:
            return statement
    return None


@cache
def _alias_index() -> dict[str, tuple[tuple[int, int, ItemRule], ...]]:
    """alias → (rule number, alias number, rule) of every rule that has it, in file order."""
    index: dict[str, list[tuple[int, int, ItemRule]]] = {}
    for ri, rule in enumerate(item_rules()):
        for ai, alias in enumerate(_rule_aliases(rule)):
            if alias:
                index.setdefault(alias, []).append((ri, ai, rule))
    return {k: tuple(v) for k, v in index.items()}


def _best_rule(s: str, context: str | None, only: str | None, contains: bool):
    """Best (alias length, in-context, rule) whose alias ends `s` (or is in it, `contains`).

    Longest alias wins, then a rule of the context statement, then the earlier rule in the file.
    Suffixes are looked up in an alias index (one dict probe per suffix); the containment
    fallback scans every rule.
    """
    index = _alias_index()
    n = len(s)
    if contains:  # every substring of a length some alias has (a match shorter than 3 is unused)
        longest = _longest_alias()
        spans = ((i, j) for i in range(n) for j in range(i + 3, min(n, i + longest) + 1))
    else:
        spans = ((i, n) for i in range(n))
    best: tuple[int, int, ItemRule] | None = None
    best_key: tuple | None = None
    for i, j in spans:
        hits = index.get(s[i:j])
        if hits is None:
            continue
        for ri, ai, rule in hits:
            if only and only not in rule.statements:
                continue
            if (
                rule.needs_context
                and context not in rule.statements
                and only not in rule.statements
            ):
                continue
            score = (j - i, 1 if context in rule.statements else 0)
            key = (score, -ri, -ai)
            if best_key is None or key > best_key:
                best_key, best = key, (*score, rule)
    return best


@cache
def _longest_alias() -> int:
    return max(len(a) for a in _alias_index())


def _best_rule_scan(s: str, context: str | None, only: str | None, contains: bool):
    """Reference for `_best_rule`: every rule tried in turn (tests check they agree)."""
    best: tuple[int, int, ItemRule] | None = None
    for rule in item_rules():
        if only and only not in rule.statements:
            continue
        if rule.needs_context and context not in rule.statements and only not in rule.statements:
            continue
        for alias in _rule_aliases(rule):
            if not alias:
                continue
            hit = alias in s if contains else s.endswith(alias)
            if hit:
                score = (len(alias), 1 if context in rule.statements else 0)
                if best is None or score > best[:2]:
                    best = (*score, rule)
    return best


@lru_cache(maxsize=65536)
def lookup(label: str, context: str | None) -> Match | None:
    """Best item for a label (see _lookup); a 三公 total summed with 会议费/培训费 is none."""
    m = _lookup(label, context)
    if m is not None and m.item == "total" and m.statements == ("three_public",):
        if _WITH_MEETINGS.search(_norm(label)):
            return None
    if m is not None and m.item == "total" and m.statements == ("procurement",):
        if _SME_SHARE.search(label):  # 面向中小企业预留… / 授予中小企业合同金额: a part
            return None
    return m


def _lookup(label: str, context: str | None) -> Match | None:
    """Best item for a label; `context` is the statement the surrounding text is about.

    Suffix match on the cleaned label, longest alias first; rules marked needs_context apply
    only inside their statement; a label naming 三公 / 机关运行 / 政府采购 stays in that account.
    A contained alias (3+ characters) is the fallback when no suffix matches.
    """
    s = _norm(label)
    if not s or _SUB_LEVEL.search(label):
        return None
    only = strong_statement(s)
    best = None
    for candidate in (_lead_clean(label), s, _TOTAL_TAIL.sub("", s)):
        best = _best_rule(candidate, context, only, contains=False)
        if best:
            break
    if best and best[0] == 2 and best[2].item == "total" and "expenditure" in best[2].statements:
        # only the generic 支出 matched: "公务接待费预算支出" is 公务接待费, spent
        stem = _SPENT_TAIL.sub("", candidate)
        named = lookup(stem, context) if len(stem) >= 2 and stem != candidate else None
        if named is not None and named.item != "total" and "income" not in named.statements:
            return named
    if best and best[2].item in _FUND_ITEMS and "收入" not in candidate[-best[0] :]:
        head = candidate[: -best[0]]
        if head.endswith("非"):  # 非财政拨款…: money from outside the fund
            return None
        named = lookup(head, context) if len(head) >= 2 else None
        if named is not None and "income" not in named.statements:
            return named
    cls = None if only else classify(label)
    if cls is not None:
        bonus = 2 if s.endswith("支出") else 0
        if best is None or len(cls.alias) + bonus > best[0]:
            return cls
    if best is None and only:
        rule = next(r for r in item_rules() if only in r.statements and r.item == "total")
        return Match(rule.statements, "total", rule.alias)
    if best is None:
        best = _best_rule(s, context, only, contains=True)  # only aliases of 3+ characters
        if best is not None and best[0] < 3:
            best = None
    if best is None:
        return None
    rule = best[2]
    if rule.item in _FUND_ITEMS and "非财政" in s:  # 使用非财政拨款结余: not the fund
        return None
    return Match(rule.statements, rule.item, rule.alias, count_units=rule.count_units)


def scope_of(label: str) -> str | None:
    """Fund scope a label names, or None."""
    if "一般" not in label and "财政" not in label:  # every fund word starts with one of them
        return None
    if _SCOPE_GP.search(label):
        return "general_public"
    if _SCOPE_FISCAL.search(label):
        return "fiscal"
    return None


def other_fund(label: str) -> bool:
    """The label names a fund outside the schema's scopes (政府性基金, 国有资本经营…)."""
    return bool(_OTHER_FUND.search(label)) and not _SCOPE_GP.search(label)


_BARE_GENERIC = re.compile(r"^(?:实际|全年|当年|累计)?(?:支出|收入)$")


def names_no_subject(label: str) -> str | None:
    """ "generic" when the label is only a generic word (实际支出), "fund" when only a fund's
    name (其中财政拨款): it says what kind of figure follows, not whose; the subject is whatever
    the sentence spoke of before. None for a label that names its line."""
    s = _norm(label)
    if _BARE_GENERIC.match(s):
        return "generic"
    m = lookup(label, None)
    return "fund" if m is not None and m.item in _FUND_ITEMS and m.alias == s else None


def basis_of(label: str) -> str | None:
    """ "actual"/"budget" when the label says so (fund names such as 一般公共预算 do not count)."""
    if "算" not in label and "实际" not in label and "执行数" not in label:
        return None  # no basis word (预算/决算 hold 算)
    s = _FUND_NAMES.sub("", label)
    if _ACTUAL_WORDS.search(s):
        return "actual"
    if _BUDGET_WORDS.search(s):
        return "budget"
    return None


_YEAR_OF = re.compile(r"((?:19|20)\d\d)\s*年")


def year_of(label: str) -> int | None:
    if "年" not in label:
        return None
    m = _YEAR_OF.search(label)
    return int(m.group(1)) if m else None


# Words that name a statement even without a known item (section titles, paragraph subjects).
_STATEMENT_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"三公"), "three_public"),
    (re.compile(r"机关运行"), "operating_cost"),
    (re.compile(r"政府采购"), "procurement"),
    (re.compile(r"国有资产|资产占用|资产信息|固定资产"), "assets"),
    (re.compile(r"人员构成|人员情况|编制"), "staffing"),
    (re.compile(r"收入"), "income"),
    (re.compile(r"支出|经费"), "expenditure"),
)


# One scan for all of them; no two words of different statements can overlap, so the earliest
# listed statement among the words found is the one the ordered search would return.
_STATEMENT_ANY = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _STATEMENT_WORDS))
_STATEMENT_RANK = {}
for _rank, (_pattern, _statement) in enumerate(_STATEMENT_WORDS):
    for _word in _pattern.pattern.split("|"):
        _STATEMENT_RANK[_word] = (_rank, _statement)


def statement_of_title(title: str) -> str | None:
    found = _STATEMENT_ANY.findall(title)
    if not found:
        return None
    return min(_STATEMENT_RANK[w] for w in found)[1]
