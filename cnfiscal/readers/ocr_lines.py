"""Ruling lines of a scanned table: found in the image, erased before OCR, kept as rules.

A text PDF draws its cell borders as paths, which pdf_words.vertical_rules reads; a scan has
them only as pixels. Runs of dark pixels much longer than any stroke of a character are
borders: horizontal runs of at least ~10 mm, vertical ones of at least ~6 mm. They are erased
(an OCR engine reads a border as | or 1 and garbles the cell beside it) and returned as the
same (x, top, bottom) rules and (y, x0, x1) horizontal lines, in pixels, that table
rebuilding uses for a text PDF. A slight skew breaks a long line into steps one pixel apart;
steps that touch are chained back into one line.
"""

from __future__ import annotations

DARK = 150  # grey level below which a pixel is ink
H_MIN_MM = 10.0
V_MIN_MM = 6.0


def _runs(ink, min_len: int):
    """(row, start, end) of every horizontal run of ink at least min_len long."""
    import numpy as np

    padded = np.zeros((ink.shape[0], ink.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = ink
    edges = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # same row-major order as the starts
    keep = ends - starts >= min_len
    return rows_s[keep], starts[keep], ends[keep]


def _chain(runs, reach: int = 3) -> list[list[float]]:
    """Runs (pos, a, b) one pixel apart in pos and overlapping or touching in a..b chained
    into lines [pos_mid, a, b]."""
    lines: list[list[float]] = []  # pos_first, pos_last, a, b
    for pos, a, b in sorted(zip(*runs, strict=True)):
        for line in reversed(lines[-40:]):
            if pos - line[1] <= reach and a <= line[3] + reach and b >= line[2] - reach:
                line[1] = pos
                line[2], line[3] = min(line[2], a), max(line[3], b)
                break
        else:
            lines.append([pos, pos, a, b])
    return [[(p0 + p1) / 2, a, b] for p0, p1, a, b in lines]


def find_rules(image, dpi: float):
    """The image with its ruling lines erased, its vertical rules (x, top, bottom) and its
    horizontal lines (y, x0, x1), in pixels."""
    import numpy as np
    from PIL import Image

    arr = np.asarray(image.convert("L")).copy()
    ink = arr < DARK
    px_per_mm = dpi / 25.4
    h_rows, h_s, h_e = _runs(ink, int(H_MIN_MM * px_per_mm))
    v_cols, v_s, v_e = _runs(ink.T, int(V_MIN_MM * px_per_mm))
    for r, s, e in zip(h_rows, h_s, h_e, strict=True):
        arr[r, s:e] = 255
    for c, s, e in zip(v_cols, v_s, v_e, strict=True):
        arr[s:e, c] = 255
    across = [(y, a, b) for y, a, b in _chain((h_rows, h_s, h_e))]
    rules = [(x, a, b) for x, a, b in _chain((v_cols, v_s, v_e))]
    return Image.fromarray(arr, "L"), rules, across
