"""indicator_columns.csv: the header vocabulary of performance indicator grids."""

from __future__ import annotations

import re

from cnfiscal.vocab import indicator_column_labels, indicator_column_regex, indicator_columns

# every role the reader (grid_head) and cnfiscal/extract/performance/tables.py look up
ROLES = {
    "grid_head", "name", "level1", "level2", "target", "actual", "weight", "score", "unit",
    "qualifier", "project", "note", "yearly", "multiyear", "grade", "total", "funds_total",
    "execution_rate", "category",
}  # fmt: skip


def test_loads_with_every_role_the_code_needs():
    rows = indicator_columns()
    assert rows and {r.role for r in rows} == ROLES
    for r in rows:
        re.compile(r.pattern)
        assert r.priority >= 1
    assert len({(r.role, r.pattern) for r in rows}) == len(rows)
    for role in ROLES:
        assert indicator_column_regex(role).pattern


def test_most_specific_name_header_first():
    names = [c.pattern for c in indicator_column_labels("name")]
    assert names.index("三级指标") < names.index("绩效指标") < names.index("^指标$")


def test_role_regexes_match_the_usual_headers():
    assert indicator_column_regex("grid_head").search("一级指标二级指标三级指标")
    assert indicator_column_regex("unit").search("度量单位")
    assert not indicator_column_regex("unit").search("单位名称")
    assert indicator_column_regex("qualifier").search("指标值类型")
    assert indicator_column_regex("project").search("单位（项目）名称")
    assert indicator_column_regex("grade").search("评价标准优秀").group() == "优秀"
    assert indicator_column_regex("total").match("总分")
    assert not indicator_column_regex("total").match("总分值")
    cats = {c.pattern: c.value for c in indicator_column_labels("category")}
    assert cats["满意"] == "satisfaction" and cats["时效"] == "output"
    assert all(c.value for c in indicator_column_labels("category"))
