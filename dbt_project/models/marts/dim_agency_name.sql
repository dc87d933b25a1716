{{ incremental_by('agency', 'agency_id') }}
-- Names over time: each way an agency is written, with the fiscal years the published reports
-- use it in (SCD type 2 in fiscal time; snapshots/agency_names_snapshot keeps load time).
with published_names as (
    select names.agency_id, names.name_as_written, documents.fiscal_year, documents.document_id
    from {{ ref('stg_agency_names') }} as names
    inner join {{ ref('int_documents_published') }} as documents using (document_id)
    where true {{ changed_only('agency', 'names.agency_id') }}
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
),

names_in_order as (
    select
        *,
        -- the first year a name not seen before appears (names starting the same year coexist)
        min(valid_from_year) over (
            partition by agency_id order by valid_from_year
            range between 1 following and unbounded following
        ) as next_name_from_year,
        max(last_seen_year) over (partition by agency_id) as agency_last_year
    from periods
)

select
    agency_id,
    agency_name,
    valid_from_year,
    last_seen_year,
    -- through the year before the next name appears, or its own last use if that is later;
    -- open while the latest reports still use it
    case
        when last_seen_year = agency_last_year then null
        else greatest(last_seen_year, coalesce(next_name_from_year - 1, last_seen_year))
    end as valid_to_year,
    report_count,
    last_seen_year = agency_last_year as is_current
from names_in_order
