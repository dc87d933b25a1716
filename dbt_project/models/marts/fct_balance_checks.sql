{{ incremental_by('document', 'document_id') }}
-- One row per accounting identity per document (and statement, scope, basis, year) where the
-- report states the total and at least two of its parts: the stated total, the sum of the
-- stated parts, their difference and whether it is within rounding.
--
-- Tolerance: half a unit of the finest decimal written among the total and its parts (0.005
-- for figures given to 0.01万元) for money, since a report's total is the sum of the very
-- figures it prints; for shares, which are each rounded against an unwritten 100, half a unit
-- per part. A list of parts that ends with 等 is not exhaustive: its rows are warnings.
-- Second reading: some reports give a 类 figure that excludes a 款 listed beside it
-- (人员工资福利 190 beside 其他工资福利 27, together the 基本支出 275). When the sum only
-- balances with such 款 lines added, the row is a mismatch of severity warn, not error.
-- The terms of int_balance_terms, computed here from the changed reports' facts alone (the view
-- over the whole table would read every fact first).
with terms as (
    {{ balance_terms(changed_rows(ref('int_facts_published'), 'document_id')) }}
),

totals as (
    select * from terms where role = 'total' and measure = 'amount'
),

money_parts as (
    select
        identity,
        document_id,
        statement,
        scope,
        basis,
        year,
        sum(value) filter (where counted) as parts_sum,
        sum(value) as inclusive_sum,
        count(*) filter (where counted) as parts_count,
        max(value_decimals) filter (where counted) as parts_decimals,
        list(item order by item) filter (where counted) as part_items,
        bool_or(regexp_matches(evidence, '[0-9](万元|亿元|元|%)?等'))
            filter (where counted) as parts_listed_with_etc
    from terms
    where role = 'part' and measure = 'amount'
    group by identity, document_id, statement, scope, basis, year
),

money_checks as (
    select
        totals.document_id,
        totals.identity,
        totals.statement,
        totals.scope,
        totals.basis,
        totals.year,
        totals.value as expected,
        money_parts.parts_sum as actual,
        money_parts.inclusive_sum,
        cast(0.5 * power(10, -greatest(totals.value_decimals, money_parts.parts_decimals))
            as decimal(18, 6)) as tolerance,
        money_parts.parts_count,
        money_parts.parts_listed_with_etc,
        'total' as check_kind
    from totals
    inner join money_parts using (identity, document_id, statement, scope, basis, year)
    where money_parts.parts_count >= 2
        and (
            totals.required_part is null
            or list_contains(money_parts.part_items, totals.required_part)
        )
),

share_parts as (
    select
        totals.shares_identity as identity,
        terms.document_id,
        terms.statement,
        terms.scope,
        terms.basis,
        terms.year,
        sum(terms.value) as shares_sum,
        count(*) as parts_count,
        max(terms.value_decimals) as parts_decimals,
        bool_or(regexp_matches(terms.evidence, '[0-9](万元|亿元|元|%)?等')) as parts_listed_with_etc
    from terms
    inner join (
        select distinct identity, shares_identity from terms
        where role = 'total' and shares_identity is not null
    ) as totals using (identity)
    where terms.role = 'part' and terms.measure = 'share' and terms.counted
    group by all
),

share_checks as (
    select
        document_id,
        identity,
        statement,
        scope,
        basis,
        year,
        cast(100 as decimal(24, 6)) as expected,
        shares_sum as actual,
        shares_sum as inclusive_sum,
        cast(0.5 * power(10, -parts_decimals) * parts_count as decimal(18, 6)) as tolerance,
        parts_count,
        parts_listed_with_etc,
        'shares' as check_kind
    from share_parts
    where parts_count >= 2
),

checks as (
    select * from money_checks
    union all
    select * from share_checks
),

documents as (
    select document_id, agency_id, fiscal_year from {{ ref('int_documents_published') }}
    where true {{ changed_only('document', 'document_id') }}
)

select
    checks.document_id,
    documents.agency_id,
    documents.fiscal_year,
    checks.identity,
    checks.statement,
    checks.scope,
    checks.basis,
    checks.year,
    cast(checks.expected as decimal(24, 6)) as expected,
    cast(checks.actual as decimal(24, 6)) as actual,
    cast(checks.actual - checks.expected as decimal(24, 6)) as difference,
    checks.tolerance,
    cast(checks.parts_count as integer) as parts_count,
    coalesce(checks.parts_listed_with_etc, false) as parts_listed_with_etc,
    case when abs(checks.actual - checks.expected) > checks.tolerance then 'mismatch' else 'ok' end
        as status,
    case
        when checks.check_kind = 'shares' or checks.parts_listed_with_etc then 'warn'
        when abs(checks.actual - checks.expected) > checks.tolerance
            and abs(checks.inclusive_sum - checks.expected) <= checks.tolerance then 'warn'
        else 'error'
    end as severity
from checks
inner join documents using (document_id)
