{{ incremental_by('agency', 'agency_id') }}
{%- set money = [
    'income_total', 'expenditure_total', 'basic', 'project', 'personnel', 'public_funds',
    'three_public_total', 'three_public_overseas', 'three_public_reception',
    'three_public_vehicle', 'three_public_vehicle_purchase', 'three_public_vehicle_operation',
    'operating_cost_total'
] -%}
{%- set counts = [
    'staff_authorized', 'staff_funded', 'staff_in_service', 'staff_retired', 'staff_contract'
] -%}
-- One row per agency × fiscal year × basis: the headline figures (万元, DECIMAL) and staff
-- counts, each from the preferred report and the widest fund scope stated (see
-- int_agency_year_metrics).
with metric_values as (
    select * from {{ ref('int_agency_year_metrics') }}
    where true {{ changed_only('agency', 'agency_id') }}
),

pivoted as (
    select
        agency_id,
        fiscal_year,
        basis,
        {%- for metric in money %}
        max(value) filter (where metric = '{{ metric }}') as {{ metric }}_wan_yuan,
        {%- endfor %}
        {%- for metric in counts %}
        cast(max(value) filter (where metric = '{{ metric }}') as integer) as {{ metric }},
        {%- endfor %}
        max(scope) filter (where metric = 'expenditure_total') as expenditure_scope,
        max(scope) filter (where metric = 'three_public_total') as three_public_scope,
        list(distinct scope order by scope) as scopes_used,
        list(distinct document_id order by document_id) as document_ids
    from metric_values
    group by agency_id, fiscal_year, basis
)

select
    pivoted.*,
    cast(pivoted.expenditure_total_wan_yuan * 10000 as decimal(28, 2)) as expenditure_total_yuan
from pivoted
