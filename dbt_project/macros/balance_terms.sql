{# The rows of int_balance_terms (its header says what they are) from `facts`: int_facts_published,
   or a part of it made of whole reports (changed_rows), since a part's parent line is looked up
   among the facts of its own report. #}
{% macro balance_terms(facts) -%}
with facts as (
    select * from {{ facts }}
    where measure in ('amount', 'share')
),

terms as (
    select * from {{ ref('balance_identity_terms') }}
),

matched as (
    select
        terms.identity,
        terms.role,
        terms.shares_identity,
        terms.required_part,
        case
            when terms.parent_item like '%:%' then left(facts.item, length(terms.parent_item))
            else terms.parent_item
        end as parent_item,
        facts.*
    from facts
    inner join terms
        on facts.statement = terms.statement
        and (
            (terms.role = 'total' and facts.item = terms.item_pattern)
            or (terms.role = 'part' and facts.item like terms.item_pattern)
        )
)

-- The parent line is looked up in `facts` itself, not in a CTE of it: a CTE read twice is
-- materialised whole first.
select
    matched.*,
    not exists (
        select 1
        from {{ facts }} as stated
        where matched.role = 'part'
            and stated.document_id = matched.document_id
            and stated.statement = matched.statement
            and stated.scope = matched.scope
            and stated.basis = matched.basis
            and stated.year = matched.year
            and stated.measure = matched.measure
            and stated.item = matched.parent_item
    ) as counted
from matched
{%- endmacro %}
