{# Stable id of an agency from its name: the first 12 hex digits of md5 of the name. #}
{% macro agency_key(name_expr) -%}
    case when {{ name_expr }} is null then null else substr(md5({{ name_expr }}), 1, 12) end
{%- endmacro %}
