-- One row per agency named by at least one published report.
with documents as (
    select * from {{ ref('stg_documents') }}
    where status = 'loaded' and agency is not null
),

per_agency as (
    select
        {{ agency_key('agency') }} as agency_id,
        agency as agency_name,
        any_value(region order by fiscal_year desc) as region,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        count(*) as report_count
    from documents
    group by agency
)

select * from per_agency
