-- The keys whose rows the incremental marts replace in this run: reports published now whose
-- signature the last build did not have (new, changed, released from quarantine), reports it had
-- that are no longer published as they were (removed, replaced by a new version, quarantined),
-- and the agencies of both, with their lineage neighbours (fct_yoy reads a predecessor's
-- reports as its successor's prior year).
{% set built = marts_built_relation() %}
with current_state as (
    select document_id, agency_key, signature from {{ ref('state_documents_current') }}
),

built_state as (
    {% if built is not none -%}
    select document_id, agency_key, signature from {{ built }}
    {%- else -%}
    select * from current_state where false
    {%- endif %}
),

changed as (
    (select * from current_state except select * from built_state)
    union
    (select * from built_state except select * from current_state)
),

changed_agencies as (
    select distinct agency_key from changed
),

lineage as (
    select predecessor_agency_id as agency_id, successor_agency_id as neighbour_id
    from {{ ref('int_agency_lineage') }}
    union
    select successor_agency_id, predecessor_agency_id from {{ ref('int_agency_lineage') }}
)

select distinct 'document' as kind, document_id as key from changed
union all
select 'agency', agency_key from changed_agencies
union all
select distinct 'agency', lineage.neighbour_id
from lineage
inner join changed_agencies on lineage.agency_id = changed_agencies.agency_key
where lineage.neighbour_id not in (select agency_key from changed_agencies)
