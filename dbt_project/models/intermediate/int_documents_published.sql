-- Current report versions that are published (not quarantined), with their agency resolved.
-- Every mart reaches documents through this model, so quarantine applies everywhere. Pages the
-- extractor judged not to be reports never publish, even before the gate has held them back.
with documents as (
    select * from {{ ref('stg_documents') }}
    where status = 'loaded' and doc_kind is distinct from 'not_a_report'
),

document_agencies as (
    select document_id, agency_id, canonical_name, region_code
    from {{ ref('stg_agency_names') }}
    where origin = 'document'
)

select
    documents.*,
    document_agencies.agency_id,
    document_agencies.canonical_name as agency_canonical_name,
    document_agencies.region_code
from documents
left join document_agencies using (document_id)
