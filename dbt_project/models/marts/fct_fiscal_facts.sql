-- Every published fact, one row per document × statement × item × scope × basis × year ×
-- measure (× compare year, × indicator unit), with money in both 万元 and 元.
with facts as (
    select * from {{ ref('stg_facts') }}
),

documents as (
    select document_id, agency_id, fiscal_year as report_year, doc_kind
    from {{ ref('dim_document') }}
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
)

select
    deduplicated.document_id,
    deduplicated.fact_seq,
    documents.agency_id,
    documents.report_year,
    documents.doc_kind,
    deduplicated.statement,
    deduplicated.item,
    deduplicated.scope,
    deduplicated.basis,
    deduplicated.year,
    deduplicated.measure,
    deduplicated.value,
    deduplicated.unit,
    case when deduplicated.unit = '万元' then deduplicated.value end as amount_wan_yuan,
    case
        when deduplicated.unit = '万元' then cast(deduplicated.value * 10000 as decimal(28, 2))
    end as amount_yuan,
    deduplicated.label,
    deduplicated.compare_year,
    deduplicated.compare_basis,
    deduplicated.qualifier,
    deduplicated.category,
    deduplicated.code,
    deduplicated.parent_code,
    deduplicated.provenance,
    deduplicated.char_start,
    deduplicated.char_end,
    deduplicated.evidence,
    deduplicated.page,
    deduplicated.table_index,
    deduplicated.row_index,
    deduplicated.col_index
from deduplicated
inner join documents using (document_id)
