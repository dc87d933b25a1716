-- Parse issues of current report versions.
with issues as (
    select * from {{ source('raw', 'parse_issues') }}
),

current_documents as (
    select document_id from {{ ref('stg_documents') }}
)

select
    issues.document_id,
    issues.issue_seq,
    issues.severity,
    issues.code,
    issues.message,
    issues.quote,
    issues.char_start,
    issues.page
from issues
inner join current_documents using (document_id)
