{{ config(materialized="view") }}
-- What the marts would be built from, one row per published report: its agency key and a
-- signature of everything about it a mart reads (the document row, including when it was
-- parsed, so a reload of its facts and issues shows, and its agency names as resolved).
with documents as (
    select * from {{ ref('int_documents_published') }}
),

names as (
    select
        document_id,
        string_agg(
            concat_ws('|', origin, name_as_written, region_as_written, canonical_name, agency_id,
                region_code, region_name, region_level),
            '\n' order by origin, name_as_written, agency_id
        ) as names_signature
    from {{ ref('stg_agency_names') }}
    where document_id is not null
    group by document_id
)

select
    documents.document_id,
    coalesce(documents.agency_id, '') as agency_key,
    md5(cast(documents as varchar) || coalesce(names.names_signature, '')) as signature
from documents
left join names using (document_id)
