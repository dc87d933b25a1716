-- Headline figures of each agency × year × basis, one column per metric. Each metric takes the
-- widest fund scope the reports state it for (all > fiscal > general_public).
with facts as (
    select * from {{ ref('int_facts_preferred') }}
    where measure in ('amount', 'count')
),

metric_items as (
    select * from {{ ref('agency_year_metrics') }}
),

metric_values as (
    select
        facts.agency_id,
        facts.year as fiscal_year,
        facts.basis,
        metric_items.metric,
        facts.value,
        facts.scope,
        facts.document_id
    from facts
    inner join metric_items
        on facts.statement = metric_items.statement
        and facts.item = metric_items.item
        and facts.measure = metric_items.measure
    qualify row_number() over (
        partition by facts.agency_id, facts.year, facts.basis, metric_items.metric
        order by {{ scope_rank('facts.scope') }}
    ) = 1
)

select * from metric_values
