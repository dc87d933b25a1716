{{ incremental_by('agency', 'agency_id') }}
-- What an agency achieved against what it spent: each volume indicator achieved in a year
-- (people served, cases handled; measure count) beside the agency's actual expenditure total
-- that year (fct_agency_year), as units per 万元 and 元 per unit.
with results as (
    select * from {{ ref('fct_performance') }}
    where basis = 'actual' and measure = 'count' and value > 0 {{ changed_only('agency', 'agency_id') }}
),

spending as (
    select agency_id, fiscal_year, expenditure_total_wan_yuan, expenditure_scope
    from {{ ref('fct_agency_year') }}
    where basis = 'actual' and expenditure_total_wan_yuan > 0 {{ changed_only('agency', 'agency_id') }}
)

select
    results.agency_id,
    results.fiscal_year,
    results.indicator_key,
    results.indicator_as_written,
    results.value,
    results.unit,
    results.qualifier,
    results.category,
    results.direction,
    spending.expenditure_total_wan_yuan,
    spending.expenditure_scope,
    cast(round(results.value / spending.expenditure_total_wan_yuan, 4) as decimal(18, 4))
        as per_wan_yuan,
    cast(round(spending.expenditure_total_wan_yuan * 10000 / results.value, 2) as decimal(18, 2))
        as yuan_per_unit,
    results.document_id,
    results.fact_seq
from results
inner join spending using (agency_id, fiscal_year)
