-- Facts of current report versions, amounts kept as DECIMAL in the unit they were stated in.
-- raw_rowid: the row's place in raw.facts, valid within one query (changed_only_by_rowid).
with facts as (
    select *, rowid as raw_rowid from {{ source('raw', 'facts') }}
),

current_documents as (
    select document_id from {{ ref('stg_documents') }}
)

select
    facts.document_id,
    facts.fact_seq,
    facts.statement,
    facts.item,
    facts.scope,
    facts.basis,
    facts.year,
    facts.measure,
    facts.value,
    facts.unit,
    facts.label,
    facts.compare_year,
    facts.compare_basis,
    facts.qualifier,
    facts.category,
    facts.code,
    facts.parent_code,
    facts.source as provenance,
    facts.char_start,
    facts.char_end,
    facts.evidence,
    facts.page,
    facts.table_index,
    facts.row_index,
    facts.col_index,
    facts.ocr_confidence,
    facts.raw_rowid
from facts
inner join current_documents using (document_id)
