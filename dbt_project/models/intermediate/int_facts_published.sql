{{ incremental_by('document', 'document_id') }}
-- Facts of published reports, one per document × statement × item × scope × basis × year ×
-- measure (× compare year, × unit for indicators), with agency, classification code and the
-- number of decimals the value is written with.
with facts as (
    select * exclude (raw_rowid) from {{ ref('stg_facts') }}
    where true {{ changed_only_by_rowid('raw_rowid', source('raw', 'facts'), 'document_id') }}
),

documents as (
    select document_id, agency_id, fiscal_year as report_year, doc_kind
    from {{ ref('int_documents_published') }}
    where true {{ changed_only('document', 'document_id') }}
),

-- A report that states one figure twice gives one fact; keep the first statement of it.
deduplicated as (
    select *
    from facts
    qualify row_number() over (
        partition by document_id, statement, item, scope, basis, year, measure,
            compare_year, case when statement = 'performance' then unit end
        order by fact_seq
    ) = 1
),

classified as (
    select
        *,
        case
            when item like 'func:%' then 'functional'
            when item like 'econ:%' then 'economic'
        end as class_scheme,
        case
            when regexp_full_match(item, '(func|econ):[0-9]+') then split_part(item, ':', 2)
        end as class_code,
        -- Decimals as written, up to trailing zeros (DECIMAL keeps no written precision).
        length(split_part(rtrim(rtrim(cast(value as varchar), '0'), '.'), '.', 2))
            as value_decimals
    from deduplicated
)

select
    classified.document_id,
    classified.fact_seq,
    documents.agency_id,
    documents.report_year,
    documents.doc_kind,
    classified.statement,
    classified.item,
    classified.scope,
    classified.basis,
    classified.year,
    classified.measure,
    classified.value,
    classified.unit,
    -- money in both units here, once, so that fct_fiscal_facts is a plain projection of these
    -- rows (computed in a view, DECIMAL(28, 2) arithmetic made every full read of it 0.6 s
    -- slower at 100,000 reports)
    case when classified.unit = '万元' then classified.value end as amount_wan_yuan,
    case when classified.unit = '万元' then cast(classified.value * 10000 as decimal(28, 2)) end
        as amount_yuan,
    classified.value_decimals,
    classified.class_scheme,
    classified.class_code,
    classified.label,
    classified.compare_year,
    classified.compare_basis,
    classified.qualifier,
    classified.category,
    classified.code,
    classified.parent_code,
    classified.provenance,
    classified.char_start,
    classified.char_end,
    classified.evidence,
    classified.page,
    classified.table_index,
    classified.row_index,
    classified.col_index
from classified
inner join documents using (document_id)
