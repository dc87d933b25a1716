-- Current version of every report, with its metadata as the extractor read it.
with documents as (
    select * from {{ source('raw', 'documents') }}
)

select
    document_id,
    source_id,
    location,
    sha256,
    format,
    fetched_at,
    parsed_at,
    parser_version,
    nullif(trim(agency), '') as agency,
    nullif(trim(region), '') as region,
    fiscal_year,
    doc_kind,
    fact_count,
    error_count,
    status,
    status_reason,
    valid_from,
    valid_to,
    is_current
from documents
where is_current
