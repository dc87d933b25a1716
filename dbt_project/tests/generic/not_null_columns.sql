{# Fails with one row per column of `columns` that holds nulls, naming the column and how many
   rows are null in it. One node and one scan per model instead of one not_null test per column:
   dbt's fixed cost per test node outweighed the scans themselves. #}
{% test not_null_columns(model, columns) %}
with null_counts as (
    select
        {%- for column in columns %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as {{ adapter.quote(column) }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
)

select column_name, null_rows
from (
    unpivot null_counts
    on {% for column in columns %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor %}
    into name column_name value null_rows
)
where null_rows > 0
{% endtest %}
