"""The identities as self-checks inside extraction (cnfiscal/extract/balance.py)."""

from decimal import Decimal

from cnfiscal.extract.balance import arbitrate
from cnfiscal.extract.merge import merge_facts
from cnfiscal.model import Fact


def _f(item, value, source="table", table=0, scope="general_public", statement="expenditure"):
    return Fact(
        statement=statement,
        item=item,
        scope=scope,
        basis="budget",
        year=2026,
        measure="amount",
        value=Decimal(value),
        unit="万元",
        source=source,
        table=table if source == "table" else None,
        page=3 if source == "table" else None,
    )


def _run(facts):
    issues = []
    kept = merge_facts(arbitrate(facts, issues), issues)
    return {f.item: f.value for f in kept}, issues


def test_a_table_that_balances_wins_over_a_stray_class():
    """A prose line of another fund read as a class of this one breaks Σ 类 = total."""
    facts = [
        _f("total", "37018.75"),
        _f("func:206", "1140.61"),
        _f("func:208", "11871.20"),
        _f("func:210", "23268.50"),
        _f("func:221", "738.45"),
        _f("func:212", "12600", source="text"),
    ]
    got, issues = _run(facts)
    assert "func:212" not in got and got["func:210"] == Decimal("23268.50")
    (issue,) = [i for i in issues if i.code == "balance_choice"]
    assert "func:212 12600 (text)" in issue.message and issue.severity == "warning"


def test_competing_totals_keep_the_one_that_balances():
    """A side-by-side summary table puts another line's figure on the 支出总计 row; the prose
    states the total that its classes add up to."""
    facts = [
        _f("total", "42673.03"),
        _f("func:205", "3797.62"),
        _f("func:214", "106247.07"),
        _f("func:229", "82163.07"),
        _f("total", "192207.76", source="text"),
    ]
    got, issues = _run(facts)
    assert got["total"] == Decimal("192207.76")
    assert any(i.code == "balance_choice" and "42673.03" in i.message for i in issues)


def test_three_public_total_against_its_parts():
    facts = [
        _f("total", "147.90", scope="fiscal", statement="three_public"),
        _f("overseas", "115", scope="fiscal", statement="three_public"),
        _f("reception", "5.10", scope="fiscal", statement="three_public"),
        _f("vehicle", "27.80", scope="fiscal", statement="three_public"),
        _f("reception", "15.11", scope="fiscal", statement="three_public", source="text"),
    ]
    got, issues = _run(facts)
    assert got["reception"] == Decimal("5.10")
    assert not [i for i in issues if i.code == "balance_choice"]  # the table's value holds


def test_nothing_is_set_aside_when_no_reading_balances():
    facts = [
        _f("total", "100"),
        _f("basic", "60"),
        _f("project", "30"),
        _f("project", "35", "text"),
    ]
    got, issues = _run(facts)
    assert got == {"total": Decimal("100"), "basic": Decimal("60"), "project": Decimal("30")}
    assert not [i for i in issues if i.code == "balance_choice"]


def test_two_balancing_tables_the_one_other_statements_confirm_wins():
    """A report names one class two ways in two tables that each balance: the reading that
    another fund's table repeats is kept (7d)."""
    facts = [
        _f("total", "1000", scope="all", table=0),
        _f("func:201", "70", scope="all", table=0),  # the summary table's label
        _f("func:210", "930", scope="all", table=0),
        _f("func:208", "70", scope="all", table=1),
        _f("func:210", "930", scope="all", table=1),
        _f("func:208", "70", scope="fiscal", table=2),  # the appropriations table agrees
    ]
    got, issues = _run(facts)
    assert got.get("func:208") == Decimal("70") and "func:201" not in got
