"""HTML of the site's pages (Chinese interface text). Plain strings, escaped at every value."""

from __future__ import annotations

from html import escape
from pathlib import Path

from cnfiscal.model import format_decimal
from cnfiscal.site.charts import Bar, bar_chart
from cnfiscal.site.figures import BASIS_ZH, Figure, group_label

KIND_ZH = {"budget": "部门预算", "final_account": "部门决算", "performance": "绩效自评"}
CHART_TITLES = {
    "function": "按支出功能分类",
    "economic": "按支出经济分类",
    "budget_vs_actual": "支出预算与决算",
    "three_public": "“三公”经费",
}

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
 margin:0 auto;max-width:980px;padding:0 16px 48px;color:#1a202c;line-height:1.6}
header{border-bottom:2px solid #2b6cb0;margin-bottom:16px}
header a{margin-right:16px}
table{border-collapse:collapse;width:100%;font-size:14px;margin:8px 0 20px}
th,td{border-bottom:1px solid #e2e8f0;padding:4px 8px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-size:12px;word-break:break-all}
.chart{width:100%;max-width:720px;height:auto}
.chart .grid{stroke:#e2e8f0}.chart .tick{font-size:11px;fill:#4a5568}
.chart .val{font-size:10px;fill:#1a202c}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px;font-size:13px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
tr:target{background:#fefcbf}.ev{color:#4a5568;font-size:13px}.empty{color:#718096}
"""


def write(path: Path, title: str, body: str, depth: int = 0) -> None:
    up = "../" * depth
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title} · 部门预决算公开数据</title>"
        f'<link rel="stylesheet" href="{up}style.css"></head><body><header>'
        f"<h1>部门预决算公开数据</h1><nav>"
        f'<a href="{up}index.html">首页与下载</a><a href="{up}dictionary.html">数据字典</a>'
        f'<a href="{up}dbt-docs/index.html">模型文档（dbt）</a></nav></header>'
        f"<main>{body}</main></body></html>",
        encoding="utf-8",
    )


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _years(first, last) -> str:
    if first is None:
        return "—"  # no published report (e.g. all held back by the quality gate)
    return str(first) if first == last else f"{first}–{last}"


def _sql_escape(expr: str) -> str:
    """html.escape (quote=True) of a VARCHAR expression, in SQL."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        expr = f"replace({expr}, '{char}', '{entity}')"
    return f"replace({expr}, '''', '&#x27;')"  # '''': a quote, in SQL


# An agency's row of the index, in SQL (string_agg over a table of AGENCY_COLUMNS): the index
# lists every agency (43,837 at 100,000 reports), ~0.15 s of escape() and formatting in Python
AGENCY_ROW_SQL = (
    """'<tr><td><a href="agencies/' || {id} || '.html">' || {name} || '</a></td><td>' || """
    """{region} || '</td><td>' || CASE WHEN first_fiscal_year IS NULL THEN '—' """
    "WHEN first_fiscal_year = last_fiscal_year THEN first_fiscal_year::VARCHAR "
    "ELSE first_fiscal_year::VARCHAR || '–' || coalesce(last_fiscal_year::VARCHAR, 'None') END"
    """ || '</td><td class=''num''>' || coalesce(report_count::VARCHAR, 'None') || """
    "'</td></tr>'"
).format(
    id=_sql_escape("agency_id"),
    name=_sql_escape("agency_name"),
    region=_sql_escape("coalesce(region, '')"),
)


def index_body(package: dict, sums: dict[str, str], agency_rows: str) -> str:
    """The front page; agency_rows: the agencies' rows (AGENCY_ROW_SQL, aggregated)."""
    rows = []
    for r in package["resources"]:
        path = r["path"]
        rows.append(
            f'<tr><td><a href="downloads/{escape(path)}" download>{escape(path)}</a></td>'
            f"<td>{escape(r.get('title', ''))}</td><td>{r['format'].upper()}</td>"
            f'<td class="num" data-rows="{r["rows"]}">{r["rows"]:,}</td>'
            f'<td class="num">{_size(r.get("file_bytes", 0))}</td>'
            f"<td><code>{sums.get(path, '')}</code></td></tr>"
        )
    lic = package["licenses"][0]
    return (
        "<p>从各部门公开的部门预算、部门决算和整体支出绩效自评报告中抽取的数字。"
        "每个数字都附有出处原文，可追溯到原始报告。</p>"
        f"<h2>部门</h2><table><tr><th>部门</th><th>地区</th><th>年度</th><th>报告数</th></tr>"
        f"{agency_rows}</table><h2>数据下载</h2>"
        "<p>Parquet（zstd 压缩）适合分析工具；CSV 为带 BOM 的 UTF-8，可直接用 Excel 打开。"
        '数据包说明：<a href="downloads/datapackage.json">datapackage.json</a>（Frictionless），'
        '校验和：<a href="downloads/SHA256SUMS">SHA256SUMS</a>。'
        f'许可：<a href="{escape(lic["path"])}">{escape(lic["title"])}</a>（汇编整理部分；'
        "原始报告为政府公开信息）。</p>"
        "<table id='downloads'><tr><th>文件</th><th>内容</th><th>格式</th><th>行数</th>"
        f"<th>大小</th><th>SHA-256</th></tr>{''.join(rows)}</table>"
    )


def dictionary_body(package: dict) -> str:
    out = []
    seen = set()
    for r in package["resources"]:
        if r["table"] in seen:
            continue
        seen.add(r["table"])
        schema = r["schema"]
        keys = ""
        if schema.get("primaryKey"):
            keys += f"<p>主键：<code>{escape(', '.join(schema['primaryKey']))}</code></p>"
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            keys += (
                f"<p>外键：<code>{escape(', '.join(fk['fields']))}</code> → "
                f"<code>{escape(ref['resource'])}.{escape(', '.join(ref['fields']))}</code></p>"
            )
        fields = "".join(
            f"<tr><td><code>{escape(f['name'])}</code></td><td>{escape(f['type'])}"
            f"<br><code>{escape(f.get('duckdb_type', ''))}</code></td>"
            f"<td>{escape(f.get('description_zh', ''))}</td>"
            f"<td>{escape(f.get('description_en', ''))}</td></tr>"
            for f in schema["fields"]
        )
        out.append(
            f'<h2 id="{escape(r["table"])}">{escape(r.get("title", ""))} '
            f"<code>{escape(r['table'])}</code></h2>"
            f"<p>{escape(r.get('description', ''))}</p>{keys}"
            "<table><tr><th>字段</th><th>类型</th><th>说明</th><th>English</th></tr>"
            f"{fields}</table>"
        )
    return "".join(out)


def _fmt(v) -> str:
    return f"{v:,.2f}"


def _chart_section(chart: str, figs: list[Figure], hrefs: dict[str, str]) -> str:
    names: dict[str, str] = {}
    for f in figs:  # one legend name per line even when reports word it differently
        names.setdefault(f.key, f.label)
    bars = [
        Bar(group_label(f, chart), names[f.key], f.value, f.anchor, f.document_id) for f in figs
    ]
    rows = "".join(
        f'<tr id="{escape(f.anchor)}"><td>{f.year}</td><td>{BASIS_ZH[f.basis]}</td>'
        f"<td>{escape(names[f.key])}</td>"
        f'<td class="num" data-value="{f.value}">{_fmt(f.value)}</td>'
        f'<td class="ev">{escape(f.evidence or "")}</td><td>{_source_link(f, hrefs)}</td></tr>'
        for f in figs
    )
    table = (
        "<table><tr><th>年度</th><th>口径</th><th>项目</th><th>金额（万元）</th>"
        f"<th>出处原文</th><th>来源报告</th></tr>{rows}</table>"
        if figs
        else ""
    )
    title = CHART_TITLES[chart]
    empty = "没有同一年度的预算数与决算数可对比" if chart == "budget_vs_actual" else ""
    return f"<h2>{title}</h2>{bar_chart('chart-' + chart, title, bars, empty=empty)}{table}"


def _source_link(f: Figure, hrefs: dict[str, str]) -> str:
    text = f"{f.report_year} {KIND_ZH.get(f.doc_kind, f.doc_kind)}"
    href = hrefs.get(f.source_id)
    if href:
        return f'<a class="src" href="{escape(href)}">{escape(text)}</a>'
    return f"{escape(text)}<br><code>{escape(f.location)}</code>"


def _indicator_section(indicators: list[tuple], hrefs: dict[str, str]) -> str:
    """绩效指标: what the money achieved, each figure with its sentence and report."""
    if not indicators:
        return ""
    rows = []
    for (
        year,
        basis,
        name,
        written,
        value,
        unit,
        qualifier,
        evidence,
        source,
        ry,
        kind,
        loc,
    ) in indicators:
        report = f"{ry} {KIND_ZH.get(kind, kind)}"
        href = hrefs.get(source)
        link = (
            f'<a class="src" href="{escape(href)}">{escape(report)}</a>'
            if href
            else f"{escape(report)}<br><code>{escape(loc)}</code>"
        )
        shown = f"{qualifier or ''}{format_decimal(value)}"
        rows.append(
            f"<tr><td>{year}</td><td>{'目标' if basis == 'budget' else '实际'}</td>"
            f'<td title="{escape(written or "")}">{escape(name or "")}</td>'
            f'<td class="num" data-value="{value}">{escape(shown)}</td>'
            f"<td>{escape(unit or '')}</td>"
            f'<td class="ev">{escape(evidence or "")}</td><td>{link}</td></tr>'
        )
    return (
        '<h2>绩效指标</h2><table class="indicators"><tr><th>年度</th><th>口径</th><th>指标</th>'
        "<th>数值</th><th>单位</th><th>出处原文</th><th>来源报告</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def agency_body(
    agency: tuple,
    reports: list,
    figures: dict,
    hrefs: dict[str, str],
    indicators: list[tuple] | None = None,
) -> str:
    rep = "".join(
        f"<tr><td>{d[2]}</td><td>{KIND_ZH.get(d[3], d[3])}</td>"
        f"<td>{f'<a href={chr(34)}{escape(h)}{chr(34)}>原文</a>' if h else ''} "
        f"<code>{escape(d[4])}</code></td><td>{d[5]:%Y-%m-%d}</td></tr>"
        for d, h in reports
    )
    sections = "".join(_chart_section(c, figs, hrefs) for c, figs in figures.items())
    return (
        f"<h2>{escape(agency[1])}</h2><p>地区：{escape(agency[2] or '')}。金额单位：万元。"
        "点击柱形可查看该数字的出处原文和来源报告。</p>"
        "<h3>报告</h3><table><tr><th>年度</th><th>类型</th><th>来源</th><th>抓取日期</th></tr>"
        f"{rep}</table>{sections}{_indicator_section(indicators or [], hrefs)}"
    )
