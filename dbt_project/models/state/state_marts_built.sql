{{ incremental_by('document', 'document_id') }}
-- What the incremental marts were last built from (state_documents_current as of that build).
-- It is brought up to date after every incremental mart and their tests: a run that fails or
-- stops before leaves the previous record, so the next run replaces a superset of what changed.
-- Incremental itself: the rows of the reports state_changes names are replaced, which leaves it
-- equal to state_documents_current (a report it does not name has the same row in both), where
-- a table would write every report's row again each night, and checkpoint it.
-- Every incremental model (tests/warehouse/test_incremental.py checks none is missing):
-- depends_on: {{ ref('int_facts_published') }}
-- depends_on: {{ ref('dim_document') }}
-- depends_on: {{ ref('dim_agency') }}
-- depends_on: {{ ref('dim_agency_name') }}
-- depends_on: {{ ref('fct_fiscal_facts') }}
-- depends_on: {{ ref('fct_balance_checks') }}
-- depends_on: {{ ref('fct_performance') }}
-- depends_on: {{ ref('fct_agency_year') }}
-- depends_on: {{ ref('fct_spending_by_function') }}
-- depends_on: {{ ref('fct_spending_by_economic_class') }}
-- depends_on: {{ ref('fct_budget_vs_actual') }}
-- depends_on: {{ ref('fct_yoy') }}
-- depends_on: {{ ref('fct_performance_per_spending') }}
select * from {{ ref('state_documents_current') }}
where true {{ changed_only('document', 'document_id') }}
