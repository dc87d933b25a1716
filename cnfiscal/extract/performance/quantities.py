"""Indicator quantities as reports write them: "12万多件", "近1.3万户", "10、7个工作日以内".

`numbers.find_quantities` covers money and a few count units; indicators need more (份, 期, 条,
工作日, 分…), a 万/亿 multiplier before a count unit, the 多/余 written inside the number, the
近/超过 before it and the 以上/以内 after it, and lists of numbers sharing one unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cnfiscal.extract.numbers import parse_number

# Longest first so the regex prefers 人次 over 人 and 个工作日 over 个.
TIME_UNITS = ("个工作日", "工作日", "个小时", "小时", "分钟", "个月", "天")
COUNT_UNITS = (
    "万人次", "人次", "户次", "家次", "件次", "批次", "个百分点", "平方米", "公里", "课时", "学时",
    "个", "件", "项", "份", "期", "条", "家", "名", "人", "户", "次", "场", "篇", "台", "套", "所",
    "辆", "处", "宗", "笔", "批", "张", "本", "册", "座", "间", "栋", "类", "轮", "起", "例", "吨",
    "亩", "床",
)  # fmt: skip
MONEY_UNITS = ("亿元", "万元", "元")
SCORE_UNIT = "分"
PERCENT = "%"
_UNITS = sorted((*TIME_UNITS, *COUNT_UNITS, *MONEY_UNITS, SCORE_UNIT), key=len, reverse=True)

# Words before a number that soften or bound it, mapped to the qualifier the schema records.
PRE_QUALIFIERS = {
    "接近": "近",
    "将近": "近",
    "近": "近",
    "超过": "超过",
    "逾": "逾",
    "约": "约",
    "不低于": "≥",
    "不少于": "≥",
    "不超过": "≤",
    "不高于": "≤",
    "≥": "≥",
    "≤": "≤",
    "≧": "≥",
    "≦": "≤",
    ">=": "≥",
    "<=": "≤",
    ">": ">",
    "<": "<",
    "＞": ">",
    "＜": "<",
    "大于": ">",
    "高于": ">",
    "小于": "<",
    "低于": "<",
}
POST_QUALIFIERS = ("以上", "以内", "以下", "左右", "之内")

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_PRE = "|".join(sorted(map(re.escape, PRE_QUALIFIERS), key=len, reverse=True))
_UNIT_RE = "|".join(map(re.escape, _UNITS))
# One or more numbers (a "、" list shares the unit written after the last one), an optional
# 万/亿 multiplier, 多/余 inside, then the unit or %, then 以上/以内….
QUANTITY_RE = re.compile(
    rf"(?P<pre>{_PRE})?\s*"
    rf"(?P<nums>{_NUM}(?:\s*、\s*{_NUM})*)\s*"
    rf"(?P<mult>万|亿)?(?P<approx>多|余)?\s*"
    rf"(?P<unit>%|{_UNIT_RE})"
    rf"(?P<post>{'|'.join(POST_QUALIFIERS)})?"
)
# A 分 that is part of a word (分钟 is a unit; 分别, 分类, 分局… are not scores).
_FEN_WORD = re.compile(r"分[\u4e00-\u9fff]")
_FEN_OK_AFTER = ("分以上", "分以下", "分左右", "分以内", "分的")
# Numbers that are ordinals, dates or parts of a name, not quantities.
_ORDINAL_BEFORE = re.compile(r"(?:第|前|后|每|近\d|[A-Za-z])$")
_DATE_AFTER = re.compile(r"^\s*(?:年|月|日|号|时|点|季度)")
_NUM_RE = re.compile(_NUM)
_BLANKS = re.compile(r"\s+")
_CELL_LEAD = re.compile(r"^(?:全年|年度|累计|每年|达到|达|为)")
_BARE_CELL = re.compile(rf"(?P<pre>{_PRE})?(?P<num>{_NUM})(?P<mult>万|亿)?")


@dataclass(frozen=True)
class Qty:
    value: Decimal
    unit: str
    qualifier: str | None
    start: int  # span of qualifier + number + unit + post qualifier
    end: int
    num_start: int  # span of this number alone (differs from start in a list)
    num_end: int
    raw: str
    kind: str  # percent | money | time | score | count
    in_list: bool = False  # one of several numbers sharing a unit ("10、7个工作日")


def unit_kind(unit: str) -> str:
    if unit == PERCENT:
        return "percent"
    if unit in MONEY_UNITS:
        return "money"
    if unit in TIME_UNITS:
        return "time"
    if unit == SCORE_UNIT:
        return "score"
    return "count"


def _clean_unit(unit: str) -> str:
    # "个工作日" and "个小时" are written with a measure word; the unit is the noun.
    if unit in ("个工作日", "个小时"):
        return unit[1:]
    return unit


def scan(text: str, offset: int = 0) -> list[Qty]:
    """Every indicator quantity in `text` (spans shifted by `offset`), left to right."""
    out: list[Qty] = []
    for m in QUANTITY_RE.finditer(text):
        unit = m.group("unit")
        mult = m.group("mult")
        if unit == SCORE_UNIT and _FEN_WORD.match(text, m.end("unit") - 1):
            if not text.startswith(_FEN_OK_AFTER, m.end("unit") - 1):
                continue
        nums_start = m.start("nums")
        if _ORDINAL_BEFORE.search(text[max(0, nums_start - 2) : nums_start]):
            continue
        if unit in MONEY_UNITS and mult:
            unit = mult + "元" if unit == "元" else unit  # 8.1亿元 / 9848.5万元 as written
            mult = None
        elif unit in ("万元", "亿元") and not mult:
            pass
        factor = Decimal(10000) if mult == "万" else Decimal(100000000) if mult == "亿" else 1
        pre = m.group("pre")
        qualifier = PRE_QUALIFIERS.get(pre) if pre else None
        if m.group("approx"):
            qualifier = m.group("approx")
        if m.group("post"):
            qualifier = m.group("post")
        if unit == "万人次":
            unit, factor = "人次", Decimal(10000)
        nums = list(_NUM_RE.finditer(m.group("nums")))
        for n in nums:
            value = parse_number(n.group())
            if value is None:
                continue
            value = value * factor
            if value == value.to_integral_value():
                value = value.quantize(Decimal(1))
            s = nums_start + n.start()
            out.append(
                Qty(
                    value=value.normalize() if value != value.to_integral_value() else value,
                    unit=_clean_unit(unit),
                    qualifier=qualifier,
                    start=offset + (m.start() if n is nums[0] else s),
                    end=offset + m.end(),
                    num_start=offset + s,
                    num_end=offset + nums_start + n.end(),
                    raw=m.group(),
                    kind=unit_kind(_clean_unit(unit)),
                    in_list=len(nums) > 1,
                )
            )
    return out


def is_date_number(text: str, end: int) -> bool:
    """True when the digits ending at `end` are followed by 年/月/日 (a date, not a count)."""
    return bool(_DATE_AFTER.match(text, end))


def parse_cell(cell: str) -> Qty | None:
    """A table cell that is one value ("≥95%", "全年≥10000家次", "28个", "100"), else None."""
    s = _BLANKS.sub("", cell or "")
    s = _CELL_LEAD.sub("", s)
    if not s or len(s) > 24:
        return None
    found = scan(s)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(s):
        return found[0]
    m = _BARE_CELL.fullmatch(s)
    if m:
        value = parse_number(m.group("num"))
        if value is None:
            return None
        if m.group("mult"):
            value *= Decimal(10000) if m.group("mult") == "万" else Decimal(100000000)
        q = PRE_QUALIFIERS.get(m.group("pre")) if m.group("pre") else None
        return Qty(value, "", q, 0, len(s), m.start("num"), m.end("num"), s, "count")
    return None
