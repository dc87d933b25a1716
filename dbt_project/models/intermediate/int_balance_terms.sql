-- Facts of published reports matched to the identities of balance_identity_terms: each stated
-- total and each part that adds up to it, in the same document, statement, scope, basis and
-- year. A part whose parent line is stated too (a 款 whose 类 is listed, vehicle purchase
-- beside the vehicle total) is marked not counted, so nothing is counted twice; it is kept
-- for the second reading some reports need (a 类 figure that excludes a 款 listed beside it).
with facts as (
    select * from {{ ref('int_facts_published') }}
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
),

stated_items as (
    select distinct document_id, statement, scope, basis, year, measure, item from facts
)

select
    matched.*,
    not exists (
        select 1
        from stated_items
        where matched.role = 'part'
            and stated_items.document_id = matched.document_id
            and stated_items.statement = matched.statement
            and stated_items.scope = matched.scope
            and stated_items.basis = matched.basis
            and stated_items.year = matched.year
            and stated_items.measure = matched.measure
            and stated_items.item = matched.parent_item
    ) as counted
from matched
