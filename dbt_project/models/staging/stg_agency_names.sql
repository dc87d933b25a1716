-- Agency names as written, with the id and region cnfiscal.vocab.agencies resolved them to.
with agency_names as (
    select * from {{ source('raw', 'agency_names') }}
)

select
    document_id,
    origin,
    name_as_written,
    region_as_written,
    canonical_name,
    agency_id,
    region_code,
    region_name,
    region_level
from agency_names
