{# Incremental marts (docs/warehouse.md, "Incremental builds"). Each incremental model is keyed
   by document or by agency: a run deletes the rows of the keys that changed since the marts
   were last built (state_changes), then inserts those keys' rows afresh; a removed report's
   rows are deleted and nothing inserted. state_marts_built records what the marts were built
   from; where it does not exist yet, every row is replaced. Agency keys are
   coalesce(agency_id, ''), so the rows of reports without an agency are a key of their own. #}

{% macro marts_built_relation() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {{ return(adapter.get_relation(database=target.database, schema='meta', identifier='state_marts_built')) }}
{%- endmacro %}

{# `and <key> in (the changed keys)` on an incremental run, nothing on a full build. #}
{% macro changed_only(kind, column) -%}
    {%- set changes = ref('state_changes') -%}
    {%- if is_incremental() and marts_built_relation() is not none %}
    and {{ column }} in (select key from {{ changes }} where kind = '{{ kind }}')
    {%- endif -%}
{%- endmacro %}

{# Pre-hook of an incremental model: drop the changed keys' rows (all rows without a record). #}
{% macro delete_changed(kind, column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if marts_built_relation() is not none %}
        where {{ column }} in (select key from {{ ref('state_changes') }} where kind = '{{ kind }}')
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# Config of a model rebuilt by key; `column` is the key expression over the model's own rows. #}
{% macro incremental_by(kind, column) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed('" ~ kind ~ "', \"" ~ column ~ "\") }}"
    ) }}
{%- endmacro %}
