"""Grouped bar charts as inline SVG (no script, no library): years along x, one bar per series.

Every bar carries its exact value (data-value, the DECIMAL as text) and links to the row of the
evidence table that holds the sentence it came from, so readers and tests can check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f", "#718096"]
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 300, 64, 44, 16


@dataclass
class Bar:
    group: str  # x label, e.g. "2019 预算"
    series: str  # legend label
    value: Decimal
    anchor: str  # id of the evidence row
    document: str = ""  # document_id the figure was read from


def _fmt(v: Decimal) -> str:
    text = f"{v:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def _nice_max(v: Decimal) -> Decimal:
    if v <= 0:
        return Decimal(1)
    exp = Decimal(10) ** (len(str(int(v))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = Decimal(str(step)) * exp
        if top >= v:
            return top
    return v


def bar_chart(
    chart_id: str, title: str, bars: list[Bar], unit: str = "万元", empty: str = ""
) -> str:
    if not bars:
        text = empty or "报告中没有可用的数字"
        return f'<p class="empty" id="{escape(chart_id)}">（{escape(text)}）</p>'
    groups = list(dict.fromkeys(b.group for b in bars))
    series = list(dict.fromkeys(b.series for b in bars))
    color = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    top = _nice_max(max(b.value for b in bars))
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    group_w = plot_w / len(groups)
    bar_w = min(48.0, group_w * 0.8 / len(series))
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" data-unit="{unit}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}（{unit}）</title>",
    ]
    for i in range(5):  # gridlines and y labels
        v = top * i / 4
        y = TOP + plot_h - plot_h * float(i) / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{_fmt(v)}</text>'
        )
    for gi, g in enumerate(groups):
        in_group = [b for b in bars if b.group == g]
        x0 = LEFT + gi * group_w + (group_w - bar_w * len(in_group)) / 2
        for bi, b in enumerate(in_group):
            h = plot_h * float(b.value / top) if top else 0
            x, y = x0 + bi * bar_w, TOP + plot_h - h
            parts.append(
                f'<a href="#{escape(b.anchor)}"><rect class="bar" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{color[b.series]}" '
                f'data-group="{escape(g)}" data-series="{escape(b.series)}" '
                f'data-value="{b.value}" data-fact="{escape(b.anchor)}" '
                f'data-document="{escape(b.document)}">'
                f"<title>{escape(g)} {escape(b.series)}：{_fmt(b.value)} {unit}</title></rect>"
                f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y - 3:.1f}" class="val" '
                f'text-anchor="middle">{_fmt(b.value)}</text></a>'
            )
        parts.append(
            f'<text x="{LEFT + (gi + 0.5) * group_w:.1f}" y="{HEIGHT - BOTTOM + 18}" '
            f'class="tick" text-anchor="middle">{escape(g)}</text>'
        )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="swatch" style="background:{color[s]}"></span>{escape(s)}</li>'
        for s in series
    )
    return "".join(parts) + f'<ul class="legend">{legend}</ul>'
