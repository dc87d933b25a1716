-- Names over time: each way an agency is written, with the fiscal years the published reports
-- use it in (SCD type 2 in fiscal time; snapshots/agency_names_snapshot keeps load time).
with published_names as (
    select names.agency_id, names.name_as_written, documents.fiscal_year, documents.document_id
    from {{ ref('stg_agency_names') }} as names
    inner join {{ ref('int_documents_published') }} as documents using (document_id)
),

periods as (
    select
        agency_id,
        name_as_written as agency_name,
        min(fiscal_year) as valid_from_year,
        max(fiscal_year) as last_seen_year,
        count(distinct document_id) as report_count
    from published_names
    group by agency_id, name_as_written
)

select
    agency_id,
    agency_name,
    valid_from_year,
    last_seen_year,
    lead(valid_from_year) over (
        partition by agency_id order by valid_from_year, agency_name
    ) - 1 as valid_to_year,
    report_count,
    last_seen_year = max(last_seen_year) over (partition by agency_id) as is_current
from periods
