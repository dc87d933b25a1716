{{ incremental_by('agency', 'agency_id') }}
-- One row per real-world agency: named by a published report, or linked to one by the lineage
-- vocabulary (a predecessor whose own reports the warehouse does not hold).
with names as (
    select * from {{ ref('stg_agency_names') }}
    where true {{ changed_only('agency', 'agency_id') }}
),

published_names as (
    select names.*, documents.fiscal_year
    from names
    inner join {{ ref('int_documents_published') }} as documents using (document_id)
),

lineage as (
    select * from {{ ref('int_agency_lineage') }}
),

lineage_names as (
    select names.*
    from names
    where origin = 'lineage'
        and agency_id in (
            select predecessor_agency_id from lineage
            union
            select successor_agency_id from lineage
        )
),

agencies as (
    select
        agency_id,
        any_value(canonical_name) as canonical_name,
        any_value(region_code) as region_code,
        arg_max(name_as_written, fiscal_year) as current_name,
        arg_max(region_as_written, fiscal_year) as region_as_written,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        count(distinct document_id) as report_count,
        count(distinct name_as_written) as name_variant_count
    from published_names
    group by agency_id
),

lineage_only as (
    select
        agency_id,
        any_value(canonical_name) as canonical_name,
        any_value(region_code) as region_code,
        any_value(name_as_written) as current_name,
        any_value(region_name) as region_as_written,
        null::integer as first_fiscal_year,
        null::integer as last_fiscal_year,
        0::bigint as report_count,
        count(distinct name_as_written) as name_variant_count
    from lineage_names
    where agency_id not in (select agency_id from agencies)
    group by agency_id
),

all_agencies as (
    select * from agencies
    union all
    select * from lineage_only
),

regions as (
    select code, name, level, parent_code from {{ ref('regions') }}
)

select
    all_agencies.agency_id,
    all_agencies.current_name as agency_name,
    all_agencies.region_as_written as region,
    all_agencies.canonical_name,
    all_agencies.region_code,
    regions.name as region_name,
    regions.level as region_level,
    parent_regions.code as parent_region_code,
    parent_regions.name as parent_region_name,
    all_agencies.first_fiscal_year,
    all_agencies.last_fiscal_year,
    all_agencies.report_count,
    all_agencies.name_variant_count,
    successors.successor_agency_id,
    successors.reform_year as successor_from_year,
    predecessors.predecessor_agency_id,
    predecessors.reform_year as predecessor_until_year
from all_agencies
left join regions on all_agencies.region_code = regions.code
left join regions as parent_regions on regions.parent_code = parent_regions.code
left join lineage as successors on all_agencies.agency_id = successors.predecessor_agency_id
left join lineage as predecessors on all_agencies.agency_id = predecessors.successor_agency_id
