{{ incremental_by('document', 'document_id') }}
-- Performance results and targets: one row per report × indicator as written × basis × year ×
-- unit, with the vocabulary indicator it matches (dim_indicator) where it matches one.
with facts as (
    select * from {{ changed_rows(ref('int_facts_published'), 'document_id') }}
    where statement = 'performance'
),

indicators as (
    select * from {{ ref('dim_indicator') }}
)

select
    facts.document_id,
    facts.fact_seq,
    facts.agency_id,
    facts.report_year,
    facts.doc_kind,
    facts.year as fiscal_year,
    facts.basis,
    indicators.indicator_key,
    indicators.indicator_name,
    substr(facts.item, 5) as indicator_as_written,
    facts.item,
    facts.measure,
    facts.value,
    facts.unit,
    facts.qualifier,
    coalesce(facts.category, indicators.category) as category,
    indicators.direction,
    facts.compare_year,
    facts.provenance,
    facts.evidence
from facts
left join indicators on facts.code = indicators.indicator_key
