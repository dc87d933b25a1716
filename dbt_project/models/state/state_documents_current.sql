-- What the marts would be built from, one row per published report: its agency key and a
-- signature of everything about it a mart reads (the document row, including when it was
-- parsed, so a reload of its facts and issues shows, and its agency names as resolved).
-- A table, built once a run: state_changes, its tests and state_marts_built all read it.
-- The signature is DuckDB's 64-bit hash() of the row (a cast of every row to text for md5 cost
-- ten times as much); a DuckDB whose hash() differs makes every report look changed once, which
-- only replaces every row.
with documents as (
    select * from {{ ref('int_documents_published') }}
),

names as (
    -- the sum of the name rows' hashes: the same whatever order the rows come in
    select
        document_id,
        sum(hash(origin, name_as_written, region_as_written, canonical_name, agency_id,
            region_code, region_name, region_level)::hugeint) as names_hash
    from {{ ref('stg_agency_names') }}
    where document_id is not null
    group by document_id
)

select
    documents.document_id,
    coalesce(documents.agency_id, '') as agency_key,
    format('{:016x}', hash(documents, names.names_hash)) as signature
from documents
left join names using (document_id)
