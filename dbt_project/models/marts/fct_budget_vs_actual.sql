{{ incremental_by('agency', 'agency_id') }}
-- The budget against the outturn for the same agency × fiscal year × line: the budget figure
-- from the preferred report stating it (the budget report, else a later report quoting the
-- budget) against the actual figure (final accounts, else the performance report), with the
-- execution rate and the report's own stated difference against the budget where it gives one.
with amounts as (
    select * from {{ ref('int_facts_preferred') }}
    where measure = 'amount' and unit = '万元' {{ changed_only('agency', 'agency_id') }}
),

budgets as (
    select * from amounts where basis = 'budget'
),

actuals as (
    select * from amounts where basis = 'actual'
),

stated_differences as (
    select agency_id, year, statement, item, scope, value as stated_delta_vs_budget
    from {{ ref('int_facts_published') }}
    where measure = 'delta' and basis = 'actual'
        and compare_basis = 'budget' and compare_year = year {{ changed_only('agency', 'agency_id') }}
    qualify row_number() over (
        partition by agency_id, year, statement, item, scope
        order by {{ report_preference('year', 'basis', 'doc_kind', 'report_year', 'document_id') }}
    ) = 1
)

select
    budgets.agency_id,
    budgets.year as fiscal_year,
    budgets.statement,
    budgets.item,
    budgets.scope,
    budgets.value as budget_wan_yuan,
    actuals.value as actual_wan_yuan,
    actuals.value - budgets.value as difference_wan_yuan,
    -- wide: a budget of a few 元 against a real outturn is a rate in the millions of per cent
    cast(round(100 * actuals.value / nullif(budgets.value, 0), 2) as decimal(18, 2))
        as execution_rate_pct,
    stated_differences.stated_delta_vs_budget,
    budgets.document_id as budget_document_id,
    budgets.doc_kind as budget_doc_kind,
    actuals.document_id as actual_document_id,
    actuals.doc_kind as actual_doc_kind,
    budgets.document_id = actuals.document_id as same_report
from budgets
inner join actuals using (agency_id, year, statement, item, scope)
left join stated_differences using (agency_id, year, statement, item, scope)
