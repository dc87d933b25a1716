-- Predecessor → successor links of the lineage vocabulary, as agency ids.
with lineage as (
    select * from {{ ref('agency_lineage') }}
),

lineage_names as (
    select name_as_written, agency_id
    from {{ ref('stg_agency_names') }}
    where origin = 'lineage'
)

select
    predecessor_names.agency_id as predecessor_agency_id,
    successor_names.agency_id as successor_agency_id,
    lineage.predecessor as predecessor_name,
    lineage.successor as successor_name,
    lineage.year as reform_year,
    lineage.evidence
from lineage
inner join lineage_names as predecessor_names on lineage.predecessor = predecessor_names.name_as_written
inner join lineage_names as successor_names on lineage.successor = successor_names.name_as_written
