"""Tables rebuilt from word boxes: rows by shared baseline, columns by gaps in x coverage.

The standard budget tables are ruled grids of short cells. Words of the body rows (those
holding an amount) cover each column's x range; the gaps between the covered ranges are the
column borders. Header words are then placed in every column they sit over, so a merged
header cell ("支出" over two columns) labels each column beneath it. A page whose table has no
title of its own continues the previous page's table and is joined to it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from cnfiscal.model import ParseIssue
from cnfiscal.readers import Table
from cnfiscal.readers.pdf_words import PageGeometry, Word, group_lines
from cnfiscal.vocab import indicator_column_regex

AMOUNT = re.compile(r"^[-－]?\d+(?:,\d{3})+(?:\.\d+)?$|^[-－]?\d+\.\d+$|^[-－]?\d+$")
_PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|\d{1,4}|第\d+页(?:共\d+页)?|\d+/\d+)$")
_TITLE = re.compile(
    r"(?:表|表[（(][^（）()]{0,12}[)）]|续表|[（(]续[)）])$|公开\s*\d+\s*表|预算\d+表|单位[:：]|^(?:部门|单位名称|编制单位|填报单位)[:：]"
)
_CONTINUED = re.compile(r"续")
_UNIT = re.compile(r"(?:单位|金额单位)[:：]\s*(万元|亿元|千元|元)")
_BRACKETED_UNIT = re.compile(r"[(（](万元|亿元|千元|元)[)）]")
_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|其中)"
)
_PROSE = re.compile(r"[^，。；]{6,}[，。；]")
_TOTALISH = re.compile(r"合计|总计|小计|其中")
# header lines kept above a table's first row of figures: a header cell wrapped line by line
# in a narrow column (中小企业预留 … 的项目资金规模) can take ten lines or more
_HEAD_LINES = 16
# the header of a performance indicator grid (一级指标 | 二级指标 | 三级指标 | 指标值), from
# cnfiscal/vocab/indicator_columns.csv (role grid_head)
_INDICATOR_HEAD = indicator_column_regex("grid_head")
# a target cell of an indicator table: ≥95%, ≤1, 100%, 全年≥10000家次
_TARGET = re.compile(r"[≥≤＞＜]\s*\d|^\d+(?:\.\d+)?[%％]$")


def _line_text(line: list[Word]) -> str:
    return "".join(w.text for w in line)


def _is_amount(text: str) -> bool:
    return bool(AMOUNT.match(text))


@dataclass
class _Segment:
    title: list[str] = field(default_factory=list)
    lines: list[list[Word]] = field(default_factory=list)


@dataclass
class _Built:
    table: Table
    centers: list[float]
    header: list[str]


def _segments(lines: list[list[Word]], carried: list[str]) -> list[_Segment]:
    """Split a page's lines at title lines (表名, 单位：…): each segment may hold one table.

    Lines without data just above a title belong to the title (a 表名 in two lines); a title
    left at the foot of the previous page (`carried`) heads this page's first segment.
    """
    segs = [_Segment(title=list(carried))]
    for line in lines:
        text = _line_text(line)
        if _PAGE_NUMBER.match(text):
            continue
        titleish = bool(_TITLE.search(text)) and not any(_is_amount(w.text) for w in line)
        if titleish:
            cur = segs[-1]
            if any(_is_data(ln) for ln in cur.lines):
                segs.append(_Segment())
            else:
                cur.title += [_line_text(ln) for ln in cur.lines]
                cur.lines = []
            segs[-1].title = (segs[-1].title + [text])[-5:]
        else:
            segs[-1].lines.append(line)
    return segs


def _is_data(line: list[Word]) -> bool:
    if any(w.text in ("栏次", "行次") for w in line):
        return False  # the column-number row of final-account tables is part of the header
    amounts = [w for w in line if _is_amount(w.text)]
    if not amounts or is_column_numbers([w.text for w in amounts]):
        return False
    if len(line) >= 2:
        return True
    return "," in amounts[0].text or "." in amounts[0].text


def is_column_numbers(cells: list[str]) -> bool:
    """The 栏次 row under a header (1 2 3 … or 1 2 3 4=2+3) numbers the columns: header."""
    nums = [int(c) for c in cells if c.isdigit()]
    if len(nums) < 2 or len(nums) < len(cells) - 1:
        return False
    return nums == list(range(nums[0], nums[0] + len(nums))) and nums[0] <= 2


def _columns(words: list[Word], width: float) -> list[tuple[float, float]]:
    """Column x ranges: amounts first, then text words that do not reach into an amount
    column (a label centred across two cells must not fuse a name column with its numbers)."""
    nums = _spans([w for w in words if _is_amount(w.text)], width)
    text = [
        w for w in words if not _is_amount(w.text) and not any(_overlap(w, c) > 0 for c in nums)
    ]
    return sorted(nums + _spans(text, width))


def _spans(words: list[Word], width: float) -> list[tuple[float, float]]:
    spans = sorted((w.x0, w.x1) for w in words if w.x1 - w.x0 < 0.45 * width)
    cols: list[list[float]] = []
    for x0, x1 in spans:
        if cols and x0 <= cols[-1][1] + 1.5:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _overlap(w: Word, col: tuple[float, float]) -> float:
    return min(w.x1, col[1]) - max(w.x0, col[0])


def _place(line: list[Word], cols: list[tuple[float, float]], spread: bool) -> list[str]:
    cells = [""] * len(cols)
    for w in line:
        hits = [i for i, c in enumerate(cols) if _overlap(w, c) > 0]
        if not hits:
            mid = (w.x0 + w.x1) / 2
            hits = [min(range(len(cols)), key=lambda i: abs((cols[i][0] + cols[i][1]) / 2 - mid))]
        if not spread:
            hits = [max(hits, key=lambda i: _overlap(w, cols[i]))]
        for i in hits:
            cells[i] += w.text
    return cells


def _continuation(cells: list[str], prev: list[str]) -> bool:
    """A wrapped label's second line: short text under a column where the row above has text."""
    filled = [i for i, c in enumerate(cells) if c]
    if not filled or any(_is_amount(cells[i]) for i in filled):
        return False
    for i in filled:
        text = cells[i]
        if not prev[i] or _is_amount(prev[i]) or len(text) > 4:
            return False
        if _MARKER.match(text) or _TOTALISH.search(text) or text[0].isdigit():
            return False
    return True


def _wrapped_around(rows: list[list[str]]) -> list[list[str]]:
    """A label wrapped in a narrow cell that is centred on its row: its first line above the
    row's figures, its last below, the figures' line blank in that column
    (机关事业单位基本养老 / 2080505 … 611.41 / 保险缴费支出). The three lines are one row."""

    def text_only_in(row: list[str]) -> int | None:
        filled = [k for k, c in enumerate(row) if c]
        if len(filled) != 1 or _is_amount(row[filled[0]]):
            return None
        return filled[0]

    out: list[list[str]] = []
    i = 0
    while i < len(rows):
        if 0 < i < len(rows) - 1 and out:
            above, row, below = out[-1], rows[i], rows[i + 1]
            k = text_only_in(above)
            if (
                k is not None
                and text_only_in(below) == k
                and not row[k]
                and any(_is_amount(c) for c in row)
            ):
                merged = list(row)
                merged[k] = above[k] + below[k]
                out[-1] = merged
                i += 2
                continue
        out.append(rows[i])
        i += 1
    return out


def _ruled_columns(
    rules: list[tuple[float, float, float]], top: float, bottom: float, words: list[Word]
) -> list[tuple[float, float]]:
    """Column borders from vertical rules crossing the table body; a rule that would cut a
    body word in two is a drawing artefact, not a border."""
    crossing = sorted(
        (x, t, b) for x, t, b in rules if min(b, bottom) - max(t, top) > 0.5 * (bottom - top)
    )
    borders: list[float] = []
    for x, t, b in crossing:
        if borders and x - borders[-1] < 3:
            continue
        # only words beside the rule count: a merged 合计 cell below a shorter rule does not
        if any(w.x0 + 1 < x < w.x1 - 1 and t <= w.mid_y <= b for w in words):
            continue
        borders.append(x)
    if len(borders) < 3:
        return []
    return [(a, b) for a, b in zip(borders, borders[1:], strict=False) if b - a >= 3]


def _row_bands(body_lines: list[list[Word]], cols, across: list) -> list[list[list[Word]]] | None:
    """Body lines grouped by the horizontal rules between rows, when every row is ruled:
    the lines of one band are one row whose cells wrapped (a unit's name over three lines, a
    figure "411,130.6" whose last digit fell to the next line). None when the rules do not
    separate the rows one by one (a frame, a rule under the header only)."""
    if not across or not body_lines:
        return None
    x0, x1 = cols[0][0], cols[-1][1]
    top = min(w.top for ln in body_lines for w in ln)
    bottom = max(w.bottom for ln in body_lines for w in ln)
    # the rules just above the first row and below the last one count too
    margin = 1.5 * max(w.height for ln in body_lines for w in ln)
    ys: list[float] = []
    wide = [y for y, a, b in across if b - a >= 0.6 * (x1 - x0)]
    for y in sorted(y for y in wide if top - margin < y < bottom + margin):
        if not ys or y - ys[-1] >= 2:
            ys.append(y)
    data = sum(1 for ln in body_lines if _is_data(ln))
    if len(ys) < max(2, 0.6 * (data - 1)):
        return None
    bands: dict[int, list[list[Word]]] = {}
    for ln in body_lines:
        mid = sum(w.mid_y for w in ln) / len(ln)
        bands.setdefault(bisect_left(ys, mid), []).append(ln)
    if all(len(b) == 1 for b in bands.values()):
        return None
    # a band of wrapped cells has one line of figures at most (plus stray wrapped digits);
    # two lines full of figures are two rows under a rule that skips one
    for band in bands.values():
        if sum(sum(_is_amount(w.text) for w in ln) >= 2 for ln in band) > 1:
            return None
    return [bands[k] for k in sorted(bands)]


def _build(
    seg: _Segment, page_no: int, width: float, rules: list | None = None, across: list = ()
) -> tuple[Table, list[float]] | None:
    lines = seg.lines
    data_idx = [i for i, ln in enumerate(lines) if _is_data(ln)]
    if not data_idx:
        return None
    rich = sum(1 for i in data_idx if sum(_is_amount(w.text) for w in lines[i]) >= 2)
    if len(data_idx) < 2 and rich == 0:
        return None
    first, last = data_idx[0], data_idx[-1]
    # prose with figures is not a table: sentences make long words
    long_words = sum(
        1 for ln in lines[first : last + 1] for w in ln if _PROSE.search(w.text) or len(w.text) > 24
    )
    if long_words > 0.2 * (last + 1 - first):
        return None
    head_lines = lines[max(0, first - _HEAD_LINES) : first]
    # a header line is short cells; a sentence of prose above the table is not part of it
    head_lines = [ln for ln in head_lines if not any(len(w.text) > 30 for w in ln)]
    body_lines = lines[first : last + 1]
    body_words = [w for ln in body_lines for w in ln]
    head_words = [w for ln in head_lines for w in ln]
    cols = []
    if rules:
        top = min(w.top for w in body_words)
        bottom = max(w.bottom for w in body_words)
        cols = _ruled_columns(rules, top, bottom, body_words)
    if not cols:
        cols = _columns(body_words, width)
        extra = [w for w in head_words if not any(_overlap(w, c) > 0 for c in cols)]
        if extra:
            cols = sorted(cols + _columns(extra, width))
    if len(cols) < 2:
        return None
    rows: list[list[str]] = []
    for ln in head_lines:
        rows.append(_place(ln, cols, spread=True))
    n_head = len(rows)
    bands = _row_bands(body_lines, cols, list(across))
    if bands is not None:
        for band in bands:
            cells = [""] * len(cols)
            for ln in band:
                cells = [a + b for a, b in zip(cells, _place(ln, cols, spread=False), strict=True)]
            rows.append(cells)
    for ln in body_lines if bands is None else ():
        cells = _place(ln, cols, spread=False)
        if rows[n_head:] and _continuation(cells, rows[-1]):
            rows[-1] = [a + b for a, b in zip(rows[-1], cells, strict=True)]
            continue
        rows.append(cells)
    rows[n_head:] = _wrapped_around(rows[n_head:])
    head_text = " ".join(_line_text(ln) for ln in head_lines)
    table = _page_table(seg, page_no, rows, n_head, head_text)
    return table, [(a + b) / 2 for a, b in cols]


def _page_table(
    seg: _Segment,
    page_no: int,
    rows: list[list[str]],
    n_head: int,
    head_text: str,
    *,
    bracketed: bool = False,
) -> Table:
    """A table read on one page. Its unit is stated in the title or header (单位：万元); with
    `bracketed=True` a bare （万元） in the header counts too."""
    title = " ".join(seg.title)
    unit_m = _UNIT.search(title + " " + head_text)
    if unit_m is None and bracketed:
        unit_m = _BRACKETED_UNIT.search(head_text)
    return Table(
        rows=rows,
        page=page_no,
        title=title,
        unit=unit_m.group(1) if unit_m else "",
        pages=[page_no],
        header_rows=n_head,
        row_pages=[page_no] * len(rows),
    )


def _borders_at(line: list[Word], rules: list) -> tuple[int, ...]:
    """The x of the vertical rules crossing a line, close ones merged."""
    y = sum(w.mid_y for w in line) / len(line)
    xs: list[float] = []
    for x in sorted(x for x, t, b in rules if t < y < b):
        if not xs or x - xs[-1] >= 3:
            xs.append(x)
    return tuple(round(x) for x in xs)


def _is_prose(w: Word) -> bool:
    return bool(_PROSE.search(w.text)) or len(w.text) > 12


def _merged_row(key: tuple[int, ...], grid: tuple[int, ...]) -> bool:
    """A row of `grid` whose merged cells drop some inner borders (a 总分 row spanning the
    name columns): same frame, its borders a subset of the grid's."""
    near = lambda x: any(abs(x - g) <= 2 for g in grid)  # noqa: E731
    return (
        len(key) >= 4  # still three cells: a full-width prose row is no part of the grid
        and len(grid) > len(key)
        and abs(key[0] - grid[0]) <= 2
        and abs(key[-1] - grid[-1]) <= 2
        and all(near(x) for x in key)
    )


def _wrapped_grids(
    seg: _Segment, page_no: int, rules: list, across: list
) -> list[tuple[Table, list[float]]]:
    """Ruled grids whose cells hold wrapped prose (申报表 with 主要实施内容, 绩效指标 …).

    Sentences in a table make long words, so the plain reading takes such a grid for prose.
    Here the drawn lines decide: lines crossed by the same vertical rules form one grid (a
    form stacks several, each with its own columns), every long word must sit inside one ruled
    cell (prose running across the page crosses the borders), and the horizontal rules group
    a cell's wrapped lines into one row; text of a merged cell goes to its first row.
    """
    blocks: list[tuple[tuple[int, ...], list[list[Word]]]] = []
    for line in seg.lines:
        key = _borders_at(line, rules)
        if blocks and (blocks[-1][0] == key or _merged_row(key, blocks[-1][0])):
            blocks[-1][1].append(line)
        else:
            blocks.append((key, [line]))
    out = []
    for borders, lines in blocks:
        if len(borders) < 4:  # a frame and at least two inner borders: three columns
            continue
        data = [ln for ln in lines if _is_data(ln) or any(_TARGET.search(w.text) for w in ln)]
        if len(data) < 2:
            continue
        words = [w for ln in lines for w in ln]
        if any(_is_prose(w) and any(w.x0 + 1 < x < w.x1 - 1 for x in borders) for w in words):
            continue
        cols = [(float(a), float(b)) for a, b in zip(borders, borders[1:], strict=False)]
        table = _banded(lines, data, cols, across, seg, page_no)
        if table is not None:
            out.append((table, [(a + b) / 2 for a, b in cols]))
    return out


def _banded(lines, data, cols, across, seg: _Segment, page_no: int) -> Table | None:
    """Rows of a ruled grid from its horizontal rules: lines between the same two rules of a
    column are one cell; a column without a rule between two rows holds a merged cell."""
    top = min(w.top for ln in lines for w in ln) - 2
    bottom = max(w.bottom for ln in lines for w in ln) + 2
    inside = [(y, x0, x1) for y, x0, x1 in across if top < y < bottom]
    col_breaks = []
    for a, b in cols:
        mid = (a + b) / 2
        col_breaks.append(sorted([top] + [y for y, x0, x1 in inside if x0 <= mid <= x1]))
    starts: list[float] = []
    for y in sorted({y for br in col_breaks for y in br}):
        if not starts or y - starts[-1] >= 2:
            starts.append(y)
    if len(starts) < 2:
        return None

    def band(y: float, breaks: list[float]) -> int:
        start = max((b for b in breaks if b <= y), default=top)
        return max(i for i, s in enumerate(starts) if s <= start + 1)

    cells: dict[int, list[str]] = {}
    data_bands = set()
    for ln in lines:
        for w in ln:
            j = max(range(len(cols)), key=lambda k: _overlap(w, cols[k]))
            r = band(w.mid_y, col_breaks[j])
            cells.setdefault(r, [""] * len(cols))[j] += w.text
        if any(ln is d for d in data):
            j0 = max(range(len(cols)), key=lambda k: _overlap(ln[-1], cols[k]))
            data_bands.add(band(ln[-1].mid_y, col_breaks[j0]))
    order = sorted(cells)
    rows = [cells[r] for r in order]
    n_head = next((i for i, r in enumerate(order) if r in data_bands), len(rows))
    if n_head >= len(rows) - 1 and len(rows) < 2:
        return None
    head_text = " ".join("".join(r) for r in rows[:n_head])
    return _page_table(seg, page_no, rows, n_head, head_text, bracketed=True)


def _merge_complementary(table: Table) -> None:
    """Pages of one table are not always laid out alike: a column of figures can sit under
    its header on one page and a little right of it on the next, and joining the pages then
    splits one column in two. Two neighbouring columns that never both hold a cell in the
    same body row, of which at most one has header words, are one column."""
    n_head = table.header_rows
    j = 0
    while j < max((len(r) for r in table.rows), default=0) - 1:
        body = table.rows[n_head:]
        head = table.rows[:n_head]
        a = [bool(r[j].strip()) if j < len(r) else False for r in body]
        b = [bool(r[j + 1].strip()) if j + 1 < len(r) else False for r in body]
        named = sum(any(r[k].strip() for r in head if k < len(r)) for k in (j, j + 1))
        figures = all(any(_is_amount(r[k].strip()) for r in body if k < len(r)) for k in (j, j + 1))
        if figures and named <= 1 and not any(x and y for x, y in zip(a, b, strict=True)):
            for r in table.rows:
                if j + 1 < len(r):
                    r[j] = r[j] + r[j + 1] if r[j] != r[j + 1] else r[j]
                    del r[j + 1]
            continue
        j += 1


def _has_own_title(title: str) -> bool:
    return bool(re.search(r"表", title)) and not _CONTINUED.search(title)


def _same_title(title: str, prev: str) -> bool:
    """A title printed again on every page of a long table (表7 … 单位：万元) continues it."""
    key = lambda t: re.sub(r"\s+|[(（]续[)）]|续表", "", t)  # noqa: E731
    return bool(key(title)) and key(title) == key(prev)


def _join(prev: _Built, table: Table, centers: list[float]) -> None:
    """Append a continuation page's body rows to the table it continues."""
    header = ["".join(r) for r in table.rows[: table.header_rows]]
    body = table.rows[table.header_rows :]
    if header and header != prev.header and len(header) > 2:
        body = table.rows  # not a repeated header: keep every row
    n = len(prev.centers)
    for row in body:
        if len(row) == n:
            mapped = list(row)
        else:
            mapped = [""] * n
            for c, cell in zip(centers, row, strict=True):
                if cell:
                    j = min(range(n), key=lambda k: abs(prev.centers[k] - c))
                    mapped[j] += cell
        prev.table.rows.append(mapped)
        prev.table.row_pages.append(table.page or 0)
    if table.page not in prev.table.pages:
        prev.table.pages.append(table.page or 0)


_NUMBER_TOKEN = re.compile(r"(?:^|\s)[-－]?\d[\d,]*(?:\.\d+)?(?=\s|$)")
_TARGET_TOKEN = re.compile(r"(?:^|\s)[≥≤＞＜]?\d+(?:\.\d+)?[%％]?(?=\s|$)|[≥≤＞＜]\d")


def looks_tabular(text: str) -> bool:
    """Worth rebuilding words for: several free-standing figures (table cells; prose writes
    them inside sentences) or a table title / unit line. A miss costs facts, a false hit only
    time, so the bar is low."""
    if len(_NUMBER_TOKEN.findall(text)) >= 4:
        return True
    if len(_TARGET_TOKEN.findall(text)) >= 6:
        return True  # the 指标值 columns of an indicator table (≥95% ≥95%)
    lines = text.split("\n")
    # a lone 合计 row carried over to its own page still has two figures on one line
    return any(_TITLE.search(ln.strip()) or len(_NUMBER_TOKEN.findall(ln)) >= 2 for ln in lines)


def tables_from_pages(pages: list[PageGeometry], issues: list[ParseIssue]) -> list[Table]:
    """Tables of every page, continuation pages joined to the table they continue."""
    built: list[_Built] = []
    carried: list[str] = []
    for page_index, geo in enumerate(pages):
        words, width, rules = geo.words, geo.width, geo.rules
        if not words:
            continue
        page_no = page_index + 1
        segs = _segments(group_lines(words), carried)
        last = segs[-1]
        carried = last.title if not any(_is_data(ln) for ln in last.lines) else []
        if not geo.tabular:
            continue
        for k, seg in enumerate(segs):
            found = []
            ruled = bool(rules and geo.across)
            if ruled and any(_INDICATOR_HEAD.search(_line_text(ln)) for ln in seg.lines[:12]):
                # an indicator grid wraps its names: the drawn rows keep each cell whole
                found = _wrapped_grids(seg, page_no, rules, geo.across)
            if not found:
                result = _build(seg, page_no, width, rules, geo.across)
                found = [result] if result is not None else []
            if not found and ruled:
                found = _wrapped_grids(seg, page_no, rules, geo.across)
            for n, (table, centers) in enumerate(found):
                _add(built, table, centers, page_no, k + n)
    tables = [b.table for b in built]
    for i, t in enumerate(tables):
        t.index = i
        if len(t.pages) > 1:
            _merge_complementary(t)
    return tables


def _add(built: list[_Built], table: Table, centers: list[float], page_no: int, k: int) -> None:
    """A page's k-th table: a new table, or the rest of the previous page's last one."""
    prev = built[-1] if built else None
    continues = (
        prev is not None
        and k == 0
        and (not _has_own_title(table.title) or _same_title(table.title, prev.table.title))
        and prev.table.pages[-1] == page_no - 1
    )
    if continues and prev is not None:
        _join(prev, table, centers)
        return
    header = ["".join(r) for r in table.rows[: table.header_rows]]
    built.append(_Built(table, centers, header))
