-- Every fiscal year the published reports cover (as report year or as the year of a figure),
-- with the classification editions in force and the reports held.
with documents as (
    select * from {{ ref('int_documents_published') }}
),

years as (
    select fiscal_year from documents where fiscal_year is not null
    union
    select year from {{ ref('int_facts_published') }}
),

functional_editions as (
    select distinct valid_from as edition_year from {{ ref('functional_classes') }}
    where valid_from is not null
),

economic_editions as (
    select distinct valid_from as edition_year from {{ ref('economic_classes') }}
    where valid_from is not null
),

report_counts as (
    select
        fiscal_year,
        count(*) filter (where doc_kind = 'budget') as budget_reports,
        count(*) filter (where doc_kind = 'final_account') as final_account_reports,
        count(*) filter (where doc_kind = 'performance') as performance_reports
    from documents
    group by fiscal_year
)

select
    years.fiscal_year,
    (
        select max(edition_year) from functional_editions
        where edition_year <= years.fiscal_year
    ) as functional_edition_year,
    (
        select max(edition_year) from economic_editions
        where edition_year <= years.fiscal_year
    ) as economic_edition_year,
    coalesce(report_counts.budget_reports, 0) as budget_reports,
    coalesce(report_counts.final_account_reports, 0) as final_account_reports,
    coalesce(report_counts.performance_reports, 0) as performance_reports
from years
left join report_counts using (fiscal_year)
