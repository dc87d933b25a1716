{# Fails with one row per non-null value of `column_name` whose length is not one of `lengths`. #}
{% test length_in(model, column_name, lengths) %}
select {{ column_name }} as bad_value
from {{ model }}
where {{ column_name }} is not null
  and length({{ column_name }}) not in ({{ lengths | join(', ') }})
{% endtest %}
