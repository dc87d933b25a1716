"""Other names a document gives its tables: the table of contents (目录) or a list of 公开表
often names a table more fully than its own title ("九、一般公共预算“三公”经费…支出预算表"
above a table titled "“三公”经费…支出预算表"), and the fund it covers is in that fuller name.
"""

from __future__ import annotations

import re

from cnfiscal.readers import ParsedDocument

_NAME = re.compile(r"[^\s：:]{4,40}表")
_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）])"
)
_DOTS = re.compile(r"[.．…·\s]*\d*$")  # leader dots and page number of a 目录 line


def name_tables_from_contents(doc: ParsedDocument) -> None:
    if not doc.tables or not doc.text:
        return
    lines = {_DOTS.sub("", ln.strip()) for ln in doc.text.splitlines() if 6 <= len(ln) <= 80}
    lines = {_LEAD.sub("", ln) for ln in lines if ln}
    owns = {table.index: _own_name(table.title) for table in doc.tables}
    for table in doc.tables:
        own = owns[table.index]
        if len(own) < 5:
            continue
        fuller = {ln for ln in lines if ln.endswith(own) and len(ln) > len(own)}
        # an alias adds words (not just a number or 公开NN表), and is not another table's name
        fuller = {
            ln
            for ln in fuller
            if re.search(r"[\u4e00-\u9fff]", ln[: -len(own)])
            and "表" not in ln[: -len(own)]
            and ln not in owns.values()
        }
        if len(fuller) == 1:
            table.aliases = sorted(fuller)


def _own_name(title: str) -> str:
    names = _NAME.findall(title.replace(" ", "\n"))
    if not names:
        return ""
    return _LEAD.sub("", re.sub(r"^(?:公开|预算|决算)?\d+表", "", names[-1]))
