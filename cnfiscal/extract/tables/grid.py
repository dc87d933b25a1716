"""Reading a table grid: header text per column, amount cells, row labels and codes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from cnfiscal.extract.tables.vocab import basis_of, fold
from cnfiscal.readers import Table
from cnfiscal.readers.pdf_tables import is_column_numbers

# thousands grouped by commas; some tables print only the last comma (120258,600)
_AMOUNT = re.compile(r"^-?\d+(?:,\d{3})+(?:\.\d+)?$|^-?\d+(?:\.\d+)?$")
_CODE = re.compile(r"^(\d{3})(\d{2})?(\d{2})?$")
_CODE_PREFIX = re.compile(r"^(\d{3}(?:\d{2}){0,2})\s*(\D.*)$")
_TO_WAN = {
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "万元": Decimal(1),
    "亿元": Decimal(10000),
}


# a dash printed in a figure's cell states nothing spent: a printed 0 (a blank states nothing)
_DASH = re.compile(r"^[-－—–]{1,2}$")


def amount(cell: str) -> Decimal | None:
    text = (cell or "").replace("－", "-").replace("，", ",").strip()
    if _DASH.match(text):
        return Decimal(0)
    if not _AMOUNT.match(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def to_wan(value: Decimal, unit: str) -> Decimal:
    return value * _TO_WAN.get(unit, Decimal(1))


def header_rows(table: Table) -> int:
    """Rows before the first row holding an amount (the PDF reader may already know)."""
    if table.header_rows:
        return table.header_rows
    for i, row in enumerate(table.rows):
        if _is_numbering_row(row):
            continue
        if sum(1 for c in row if amount(c) is not None and not _CODE.match(c.strip())) >= 1:
            return i
    return 0


def _is_numbering_row(row: list[str]) -> bool:
    """栏次 row: column numbers, with * or 栏次/行次 over the label columns."""
    cells = [c.strip() for c in row if c.strip()]
    nums = [c for c in cells if c not in ("*", "**", "栏次", "行次")]
    if not nums:
        return bool(cells)
    return is_column_numbers(nums)


def column_headers(table: Table, n_head: int) -> list[list[str]]:
    """Per column, the distinct header fragments top to bottom."""
    width = max((len(r) for r in table.rows), default=0)
    out: list[list[str]] = [[] for _ in range(width)]
    for row in table.rows[:n_head]:
        if _is_numbering_row(row):
            continue
        row = _spread_groups(row, width)
        for j, cell in enumerate(row):
            text = fold(cell)
            if text and (not out[j] or out[j][-1] != text):
                out[j].append(text)
    _lend_headers(table, n_head, out)
    return out


def _spread_groups(row: list[str], width: int) -> list[str]:
    """A header line holding only column-group names (预算数 … 决算数) names every column
    of its group. The groups of such tables are alike, so with k names over n columns each
    takes n/k columns; otherwise each column takes the nearest name."""
    row = list(row) + [""] * (width - len(row))
    named = [(j, c) for j, c in enumerate(row) if c.strip()]
    if len(named) < 2 or len(named) > width // 2:
        return row
    if len({basis_of(c) for _, c in named} - {None}) < 2:
        return row
    if width % len(named) == 0:
        size = width // len(named)
        return [named[j // size][1] for j in range(width)]
    return [min(named, key=lambda n, j=j: abs(n[0] - j))[1] for j in range(width)]


def _lend_headers(table: Table, n_head: int, out: list[list[str]]) -> None:
    """Header text over an empty column goes to the filled column on its right when that one
    has no header of its own, or when both hold a fragment of one spaced word (总 | 计): an
    unruled table centres headers while its numbers sit flush right, so a header can land in a
    column of its own just left of its figures."""
    body = table.rows[n_head:]
    filled = [any(j < len(r) and r[j].strip() for r in body) for j in range(len(out))]
    for j in range(len(out) - 1):
        if filled[j] or not out[j]:
            continue
        k = j + 1
        while k < len(out) and not filled[k] and not out[k]:
            k += 1
        if k >= len(out) or not filled[k]:
            continue
        short = all(len(f) <= 2 for f in out[j] + out[k])
        if not out[k] or short:
            out[k] = ["".join(out[j] + out[k])] if short else list(out[j])
            out[j] = []


def header_candidates(frags: list[str]) -> list[str]:
    """Ways to read a column header, most specific first: the joined lower fragments before
    the whole stack (a merged group header sits above the column's own name)."""
    cands = []
    for k in range(len(frags) - 1, -1, -1):
        cands.append("".join(frags[k:]))
    return cands


def is_code_cell(cell: str) -> bool:
    return bool(_CODE.match((cell or "").strip()))


def row_code_and_label(row: list[str], amount_cols: set[int]) -> tuple[str, str, int]:
    """The classification code (类/款/项 pieces joined) and the name of a body row, with the
    column of the name. Codes may sit in their own column(s) or lead the name cell."""
    code = ""
    label, label_col = "", -1
    for j, cell in enumerate(row):
        text = (cell or "").strip()
        if not text or j in amount_cols:
            continue
        if code and re.fullmatch(r"\d", text) and not label:
            text = "0" + text  # a 款/项 code exported as a number loses its leading zero
        if re.fullmatch(r"\d{2,7}", text) and len(code) + len(text) <= 7 and not label:
            code += text
            continue
        m = _CODE_PREFIX.match(text)
        if m and not label and not code:
            code, text = m.group(1), m.group(2)
        if not label:
            label, label_col = text, j
    if not _CODE.match(code):
        code = ""
    return code, label, label_col


def parent_of(code: str) -> str | None:
    if len(code) == 5:
        return code[:3]
    if len(code) == 7:
        return code[:5]
    return None
