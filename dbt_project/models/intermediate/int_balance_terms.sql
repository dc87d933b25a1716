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
)

-- The parent line is looked up in int_facts_published itself, not in a CTE of it: a filter on
-- document_id (an incremental mart's changed reports) then reaches both scans, where a CTE read
-- twice is materialised whole first.
select
    matched.*,
    not exists (
        select 1
        from {{ ref('int_facts_published') }} as stated
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
