{{ incremental_by('document', 'document_id') }}
-- One row per current report, published unless quarantined.
with documents as (
    select * from {{ ref('int_documents_published') }}
    where true {{ changed_only('document', 'document_id') }}
),

issue_counts as (
    select
        document_id,
        count(*) filter (where severity = 'warning') as warning_count
    from {{ ref('stg_parse_issues') }}
    where true {{ changed_only('document', 'document_id') }}
    group by document_id
)

select
    documents.document_id,
    documents.source_id,
    documents.agency_id,
    documents.agency,
    documents.region,
    documents.region_code,
    documents.fiscal_year,
    documents.doc_kind,
    documents.format,
    documents.location,
    documents.sha256,
    documents.fetched_at,
    documents.parser_version,
    documents.fact_count,
    documents.error_count,
    coalesce(issue_counts.warning_count, 0) as warning_count
from documents
left join issue_counts using (document_id)
