"""Numbers as reports write them: digits, Chinese numerals, money units, "number + unit" spans.

Stable helpers shared by the prose and performance extractors:

- `parse_number(text)`     -> Decimal | None   "1,484.49", "１４８４．４９", "二十三", "两"
- `to_wanyuan(value, unit)` -> Decimal | None  元 → /10000 (every decimal kept), 亿元 → ×10000,
                                               万元 and a bare 万 stay as they are
- `find_quantities(text)`  -> list[Quantity]    every "number + unit" mention with char spans
- `unit_kind(unit)`        -> "money" | "percent" | "count" | ""

Everything works on raw or NFKC-normalized text; nothing here raises on odd input.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

# Full-width digits and the separators that appear inside numbers, mapped to ASCII.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")

# Multipliers that turn an amount in the given unit into 万元.
MONEY_TO_WAN: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "万元": Decimal(1),
    "万": Decimal(1),
    "百万元": Decimal(100),
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
}
PERCENT_UNITS = ("%", "个百分点")
# Count units in the order the regex must try them (longer first).
COUNT_UNITS = (
    "人次",
    "户次",
    "平方米",
    "名",
    "人",
    "辆",
    "个",
    "件",
    "台",
    "套",
    "处",
    "项",
    "次",
    "家",
    "户",
    "间",
    "栋",
    "座",
)

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# A number written in digits: ASCII or full-width, optional thousands separators, an optional
# fraction. A doubled dot ("6..63") is accepted here and reported as an anomaly.
_DIGIT_NUM = r"[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．]{1,2}[0-9０-９]+)?"
_CN_NUM = rf"[{_CN_DIGITS}]+"
_MONEY = r"百万元|千元|万元|亿元|元|万|亿"
_PERCENT = r"%|％|个百分点"
_COUNT = "|".join(COUNT_UNITS)

# Number, optional blanks, unit. Money units win over count units; "万人" is a count in 万.
# Written as "one digit or numeral, then the rest of that kind of number" (the same matches as
# `(?P<num>{_DIGIT_NUM}|{_CN_NUM})`): a pattern that opens with a character class lets the regex
# engine skip ahead to candidate characters instead of trying the alternation at every position.
# A digit number is taken whole (atomic group): a shorter one ends before a digit, "," or ".",
# where no unit can follow, so giving characters back never finds another match.
_D = "0-9０-９"
_QUANTITY_RE = re.compile(
    rf"(?P<num>[{_D}{_CN_DIGITS}](?:(?<=[{_D}])(?>[{_D}]*(?:[,，][{_D}]{{3}})*(?:[.．]{{1,2}}[{_D}]+)?)"
    rf"|(?<=[{_CN_DIGITS}])[{_CN_DIGITS}]*))\s*(?P<unit>{_MONEY}|{_PERCENT}|{_COUNT})"
)
_NUMBER_RE = re.compile(_DIGIT_NUM)
# A Chinese numeral before a unit: besides a digit, what any quantity needs (a text with neither
# holds no quantity).
NUMERAL_UNIT = rf"[{_CN_DIGITS}]\s*(?:{_MONEY}|{_PERCENT}|{_COUNT})"
_COUNT_AFTER = re.compile(rf"[余多]?(?:{_COUNT})")
_DOUBLE_DOT = re.compile(r"[.．]{2}")
_DOTS = re.compile(r"\.{2,}")
_ONE = Decimal(1)


class Quantity(NamedTuple):
    """One "number + unit" mention (immutable; a named tuple because reports hold hundreds).

    `value` is the number as written (no unit conversion); `wan` is the amount in 万元 for money
    and None otherwise. `start`/`end` span number and unit; `num_start`/`num_end` the number.
    `anomaly` names something odd in how the number is written ("double_dot"), else "".
    """

    value: Decimal
    unit: str
    kind: str
    start: int
    end: int
    num_start: int
    num_end: int
    raw: str
    wan: Decimal | None = None
    chinese: bool = False
    anomaly: str = ""


_UNIT_KIND = {
    **dict.fromkeys(MONEY_TO_WAN, "money"),
    **dict.fromkeys(("%", "％", "个百分点"), "percent"),
    **dict.fromkeys(COUNT_UNITS, "count"),
}


def unit_kind(unit: str) -> str:
    """ "money", "percent", "count" or "" for a unit string."""
    return _UNIT_KIND.get(unit, "")


@lru_cache(maxsize=4096)
def _chinese_to_decimal(text: str) -> Decimal | None:
    import cn2an  # imported lazily: it is slow to import and rarely needed

    value = None
    for mode in ("strict", "smart"):  # strict rejects colloquial 两; smart accepts it
        try:
            value = cn2an.cn2an(text, mode)
            break
        except Exception:  # cn2an raises plain ValueError/KeyError variants on bad input
            continue
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def parse_number(text: str) -> Decimal | None:
    """The number a string writes, as Decimal; None when it is not a number.

    Accepts ASCII and full-width digits, thousands separators, a leading sign, and Chinese
    numerals (二十三, 两, 一百零五). A doubled decimal point ("6..63") reads as one.
    """
    if not text:
        return None
    s = text.strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "")
    sign = 1
    if s[:1] in "+-−":
        sign = -1 if s[0] in "-−" else 1
        s = s[1:]
    if not s:
        return None
    if s[0].isdigit():
        if ".." in s:
            s = _DOTS.sub(".", s)
        try:
            return sign * Decimal(s)
        except InvalidOperation:
            return None
    if all(ch in _CN_DIGITS for ch in s):
        value = _chinese_to_decimal(s)
        return None if value is None else sign * value
    return None


def to_wanyuan(value: Decimal, unit: str) -> Decimal | None:
    """An amount in `unit` converted to 万元; None when `unit` is not a money unit.

    Exact Decimal arithmetic: 元 keeps every decimal (1234.5元 → 0.12345).
    """
    factor = MONEY_TO_WAN.get(unit)
    if factor is None:
        return None
    return _strip_zeros(value * factor)


def _strip_zeros(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form (2E+4 → 20000); never rounds."""
    if value == value.to_integral_value():
        return value.quantize(_ONE)
    return value.normalize()


def find_numbers(text: str) -> list[tuple[Decimal, int, int]]:
    """Every number written in digits, with its span (no unit needed)."""
    out = []
    for m in _NUMBER_RE.finditer(text):
        value = parse_number(m.group())
        if value is not None:
            out.append((value, m.start(), m.end()))
    return out


def find_quantities(text: str) -> list[Quantity]:
    """Every "number + unit" mention in `text`, left to right, with char spans.

    Chinese numerals count only when followed by a count unit (现有一辆 → 1 辆); written before a
    money unit they are rare and ambiguous with words (一万元 reads fine, 万一 does not).
    """
    out: list[Quantity] = []
    for m in _QUANTITY_RE.finditer(text):
        raw_num, unit = m.group(1, 2)
        chinese = not raw_num[0].isdigit()
        kind = _UNIT_KIND.get(unit, "")
        if chinese:
            if kind not in ("count", "money"):
                continue
            # "万"/"亿" alone after a Chinese numeral belongs to the numeral (一万 = 10000).
            if unit in ("万", "亿"):
                continue
        if raw_num.isascii() and ".." not in raw_num:  # the common case, as parse_number reads it
            try:
                value = 1 * Decimal(raw_num.replace(",", ""))
            except InvalidOperation:
                value = None
        else:
            value = parse_number(raw_num)
        if value is None:
            continue
        start, m_end = m.span()
        # "12万人次": 万 multiplies a count that follows; the count unit decides the kind.
        if unit in ("万", "亿"):
            tail = _COUNT_AFTER.match(text, m_end)
            if tail:
                value = _strip_zeros(value * MONEY_TO_WAN[unit] * 10000)
                unit, kind = tail.group().lstrip("余多"), "count"
                m_end = tail.end()
        anomaly = "double_dot" if "." in raw_num or "．" in raw_num else ""
        if anomaly and not _DOUBLE_DOT.search(raw_num):
            anomaly = ""
        wan = to_wanyuan(value, unit) if kind == "money" else None
        if unit == "％":
            unit = "%"
        num_start, num_end = m.span(1)
        out.append(
            Quantity(
                value,
                unit,
                kind,
                start,
                m_end,
                num_start,
                num_end,
                text[start:m_end],
                wan,
                chinese,
                anomaly,
            )
        )
    return out
