{{ incremental_by('document', 'document_id') }}
-- Every published fact, one row per document × statement × item × scope × basis × year ×
-- measure (× compare year, × indicator unit), with money in both 万元 and 元.
with facts as (
    select * from {{ ref('int_facts_published') }}
    where true {{ changed_only('document', 'document_id') }}
)

select
    document_id,
    fact_seq,
    agency_id,
    report_year,
    doc_kind,
    statement,
    item,
    scope,
    basis,
    year,
    measure,
    value,
    unit,
    case when unit = '万元' then value end as amount_wan_yuan,
    case when unit = '万元' then cast(value * 10000 as decimal(28, 2)) end as amount_yuan,
    class_scheme,
    class_code,
    label,
    compare_year,
    compare_basis,
    qualifier,
    category,
    code,
    parent_code,
    provenance,
    char_start,
    char_end,
    evidence,
    page,
    table_index,
    row_index,
    col_index
from facts
