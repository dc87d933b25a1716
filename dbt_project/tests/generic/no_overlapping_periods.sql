{# Fails with one row per pair of rows of one `key` whose inclusive [from, to] year ranges
   overlap (an empty bound is open). #}
{% test no_overlapping_periods(model, key, from_column, to_column) %}
with periods as (
    select
        {{ key }} as period_key,
        coalesce({{ from_column }}, 0) as period_from,
        coalesce({{ to_column }}, 9999) as period_to,
        row_number() over () as period_id
    from {{ model }}
)

select earlier.period_key, earlier.period_from, earlier.period_to, later.period_from as other_from
from periods as earlier
inner join periods as later
    on earlier.period_key = later.period_key
    and earlier.period_id < later.period_id
    and earlier.period_from <= later.period_to
    and later.period_from <= earlier.period_to
{% endtest %}
