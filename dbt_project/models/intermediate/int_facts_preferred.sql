-- One figure per agency × year × basis × statement × item × scope × measure (amounts and
-- counts), chosen among every published report that states it: the report about that very
-- year first, then the report kind that owns the basis (a budget report for budget figures,
-- final accounts and then performance reports for actual ones), then the newest report.
with facts as (
    select * from {{ ref('int_facts_published') }}
    where measure in ('amount', 'count', 'share')
        and agency_id is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by agency_id, year, basis, statement, item, scope, measure
            order by {{ report_preference('year', 'basis', 'doc_kind', 'report_year', 'document_id') }}
        ) as preference
    from facts
    where statement <> 'performance'
)

select * exclude (preference)
from ranked
where preference = 1
