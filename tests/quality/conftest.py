"""One real pipeline run (Dagster job: fetch, parse, dbt, quality gate, exports, publish) over the
five seeds plus reports with injected defects; the tests read its events and DuckDB files."""

import re
import shutil

import pytest

from cnfiscal.settings import REPO_ROOT, Settings

SEEDS = REPO_ROOT / "corpus" / "seeds"
BUDGET_2018 = "002_f2fb8e6d9771339f.txt"  # 山海关区 2018 budget


def _shift_years(text: str, by: int) -> str:
    return re.sub(r"20(1\d)", lambda m: str(2000 + int(m.group(1)) + by), text)


def _defects() -> dict[str, str]:
    budget = (SEEDS / BUDGET_2018).read_text(encoding="utf-8")
    expenditure = "我单位 2018 年部门预算支出为 82.9 万元"
    part = "印刷费0.2万元、"
    assert expenditure in budget and part in budget
    return {
        # The stated expenditure total is 10 above its parts (人员 + 公用 + 项目 = 82.89).
        "defect-total-off-by-10": budget.replace(expenditure, expenditure.replace("82.9", "92.9")),
        # One part of the 公用经费 list (no 等) is dropped: the rest fall 0.2 short of 3.38.
        "defect-missing-part": budget.replace(part, ""),
        # The same report a year earlier, with the same figures: the 2018 report's stated
        # changes against 2017 (e.g. 减少 1.58 万元) now contradict it.
        "prior-year-shanhaiguan": _shift_years(budget, -1),
        "defect-zero-facts": "山海关区政务服务中心2018年部门预算公开\n\n本年度无预算数据。\n",
        # A page that is no report (a notice with a figure) catalogued by mistake.
        "defect-not-a-report": "关于开展2018年安全生产检查的通知\n各单位：检查覆盖率达到100%。\n",
    }


CATALOG_ENTRY = "  - id: {id}\n    location: {location}\n"


@pytest.fixture(scope="session")
def gated(tmp_path_factory):
    from pipelines.definitions import build_defs

    corpus = tmp_path_factory.mktemp("corpus")
    entries = []
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        shutil.copy(path, corpus / path.name)
        entries.append((f"seed-{i}", path.name))
    # An exact copy of the first seed under another id (sorted, so parsed, after it).
    shutil.copy(SEEDS / "000_f67dfe37cd9ba14f.txt", corpus / "copy.txt")
    entries.append(("zz-duplicate-of-seed-0", "copy.txt"))
    for source_id, text in _defects().items():
        (corpus / f"{source_id}.txt").write_text(text, encoding="utf-8")
        entries.append((source_id, f"{source_id}.txt"))
    catalog = corpus / "catalog.yaml"
    catalog.write_text(
        "sources:\n" + "".join(CATALOG_ENTRY.format(id=i, location=loc) for i, loc in entries),
        encoding="utf-8",
    )
    settings = Settings(tmp_path_factory.mktemp("warehouse"), catalog)
    result = (
        build_defs(settings)
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(raise_on_error=False)
    )
    return settings, result


@pytest.fixture(scope="session")
def checks(gated) -> dict:
    """check name → its evaluation in the run."""
    result = gated[1]
    return {
        e.event_specific_data.check_name: e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
