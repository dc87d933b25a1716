{# Spending of each agency × year × basis by class of one classification scheme, read from
   one report and one fund scope per agency-year-basis (the preferred report, the widest
   scope), with the code's name valid in that year from `class_dim`. #}
{% macro spending_by_class(scheme, class_dim) %}
with facts as (
    select * from {{ ref('int_facts_published') }}
    where statement = 'expenditure' and class_scheme = '{{ scheme }}' and agency_id is not null {{ changed_only('agency', 'agency_id') }}
),

-- The report and scope each agency × year × basis is read from.
chosen_sources as (
    select agency_id, year, basis, document_id, scope
    from facts
    where measure = 'amount'
    group by agency_id, year, basis, document_id, scope, doc_kind, report_year
    qualify row_number() over (
        partition by agency_id, year, basis
        order by
            {{ report_preference('year', 'basis', 'doc_kind', 'report_year', 'document_id') }},
            {{ scope_rank('scope') }}
    ) = 1
),

amounts as (
    select facts.*
    from facts
    inner join chosen_sources using (agency_id, year, basis, document_id, scope)
    where facts.measure = 'amount'
),

stated_shares as (
    select document_id, scope, basis, year, item, value as share_pct_stated
    from facts
    where measure = 'share'
),

class_names as (
    select * from {{ ref(class_dim) }}
),

named as (
    -- a code the vocabulary does not list (项 level, an unlisted 款) keeps the name the report
    -- wrote and the level its length gives
    select
        amounts.*,
        coalesce(class_names.class_name, nullif(trim(amounts.label), ''), amounts.class_code)
            as class_name,
        coalesce(
            class_names.level,
            case length(amounts.class_code) when 3 then '类' when 5 then '款' when 7 then '项' end
        ) as class_level,
        coalesce(
            class_names.parent_code,
            case when length(amounts.class_code) > 3
                then left(amounts.class_code, length(amounts.class_code) - 2) end
        ) as class_parent_code
    from amounts
    left join class_names
        on amounts.class_code = class_names.code
        and amounts.year between coalesce(class_names.valid_from, 0)
            and coalesce(class_names.valid_to, 9999)
    qualify row_number() over (
        partition by amounts.document_id, amounts.fact_seq
        order by class_names.valid_from is null, class_names.valid_from desc
    ) = 1
)

select
    named.agency_id,
    named.year as fiscal_year,
    named.basis,
    named.class_code,
    named.class_level,
    named.class_parent_code,
    named.class_name,
    named.label as name_as_written,
    named.scope,
    named.value as amount_wan_yuan,
    cast(named.value * 10000 as decimal(28, 2)) as amount_yuan,
    cast(
        round(100 * named.value / nullif(
            sum(named.value) over (
                partition by named.agency_id, named.year, named.basis, named.class_level
            ), 0), 2)
        as decimal(9, 2)
    ) as share_pct_of_listed,
    stated_shares.share_pct_stated,
    named.document_id,
    named.doc_kind,
    named.report_year,
    named.evidence
from named
left join stated_shares using (document_id, scope, basis, year, item)
{% endmacro %}
