{# Sort key choosing among reports that state the same figure: the report about that very year
   first, then the report kind that owns the basis (budget report for budget figures; final
   accounts, then performance reports, for actual ones), then the newest report. #}
{% macro report_preference(year, basis, doc_kind, report_year, document_id) -%}
    ({{ report_year }} = {{ year }}) desc,
    case
        when {{ basis }} = 'budget' and {{ doc_kind }} = 'budget' then 0
        when {{ basis }} = 'actual' and {{ doc_kind }} = 'final_account' then 0
        when {{ basis }} = 'actual' and {{ doc_kind }} = 'performance' then 1
        else 2
    end,
    {{ report_year }} desc,
    {{ document_id }}
{%- endmacro %}

{# Widest fund scope first: all, fiscal, general_public. #}
{% macro scope_rank(scope) -%}
    case {{ scope }} when 'all' then 0 when 'fiscal' then 1 else 2 end
{%- endmacro %}
