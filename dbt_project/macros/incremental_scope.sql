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

{# Whether this run replaces only the changed keys' rows: an incremental run with a record of
   the last build (without one, every row is replaced). #}
{% macro replaces_changed_keys() -%}
    {{ return(is_incremental() and marts_built_relation() is not none) }}
{%- endmacro %}

{# The predicate "`column` holds a key of `kind` that this run replaces", the keys read from the
   change record `changes`; `column` is the plain key column (the agency key '' is a null
   agency_id). Up to a few thousand keys are written out as constants: DuckDB pushes an IN list
   of constants through views, joins and windows partitioned by the key down to the table scan,
   and a semi-join with the change record it does not (at 100,000 reports, int_facts_preferred
   for 1,000 agencies: 0.05 s against 0.57 s). An IN list beside `or agency_id is null` loses
   that pushdown (as does coalesce() around the column), so a record naming the key '' is read
   as a subquery, as is a very long one, whose constants would only swell the compiled SQL.
   `many`, if given, is the predicate to use instead for a very long one (a test: 'true', the
   whole table, which costs less to read than to filter through a semi-join). The var
   changed_keys_inline_max (5,000) is "very long"; tests set it to 0 to build through the
   subquery. #}
{% macro changed_keys_filter(kind, column, changes, many=none) -%}
    {%- set key = "coalesce(" ~ column ~ ", '')" if kind == 'agency' else column -%}
    {%- set subquery = key ~ " in (select key from " ~ changes ~ " where kind = '" ~ kind ~ "')" -%}
    {%- if not execute -%}{{ return(subquery) }}{%- endif -%}
    {#- one row, the constants quoted by DuckDB: agate would build a Python row per key -#}
    {%- set most = var('changed_keys_inline_max', 5000) | int -%}
    {%- set found = run_query(
        "select count(*), coalesce(bool_or(key = ''), false), case when count(*) <= " ~ most
        ~ " then string_agg('''' || replace(key, '''', '''''') || '''', ', ' order by key) end"
        ~ " from " ~ changes ~ " where kind = '" ~ kind ~ "'").rows[0] -%}
    {%- set count, has_empty, constants = found[0] | int, found[1], found[2] -%}
    {%- if count > most and many is not none -%}{{ return(many) }}{%- endif -%}
    {%- if count == 0 or count > most or has_empty -%}{{ return(subquery) }}{%- endif -%}
    {{ return(column ~ " in (" ~ constants ~ ")") }}
{%- endmacro %}

{# `and <key> in (the changed keys)` on an incremental run, nothing on a full build. #}
{% macro changed_only(kind, column) -%}
    {%- set changes = ref('state_changes') -%}
    {%- if replaces_changed_keys() %}
    and {{ changed_keys_filter(kind, column, changes) }}
    {%- endif -%}
{%- endmacro %}

{# The rowids of `table` whose `column` holds a report this run replaces, as a subquery: the
   keys are found by a scan of the key column alone, then only their rows are fetched by rowid.
   A filter on the key (constants or a semi-join) leaves DuckDB reading every column of every
   row before the join drops them (at 100,000 reports, fct_balance_checks over
   int_facts_published: 0.21 s against 0.075 s; int_facts_published over raw.facts for 96
   reports: 0.10 s against 0.04 s). For reports only: a changed report's rows were inserted
   together, a changed agency's are spread over the table, and fetching those one by one costs
   what the scan does. #}
{% macro changed_rowids(table, column, changes) -%}
    (select rowid from {{ table }} where {{ changed_keys_filter('document', column, changes) }})
{%- endmacro %}

{# The rows of stored model `relation` (a table) whose `column` holds a changed report, as a
   relation to select from (changed_rowids); the whole table on a full build. Alias it where
   columns are qualified. #}
{% macro changed_rows(relation, column) -%}
    {%- set changes = ref('state_changes') -%}
    {%- if replaces_changed_keys() -%}
    (select * from {{ relation }} where rowid in {{ changed_rowids(relation, column, changes) }})
    {%- else -%}
    {{ relation }}
    {%- endif -%}
{%- endmacro %}

{# `and <rowid_column> in (changed_rowids)` on an incremental run, nothing on a full build: for
   a view that carries its table's rowid (stg_facts.raw_rowid of raw.facts). #}
{% macro changed_only_by_rowid(rowid_column, table, column) -%}
    {%- set changes = ref('state_changes') -%}
    {%- if replaces_changed_keys() %}
    and {{ rowid_column }} in {{ changed_rowids(table, column, changes) }}
    {%- endif -%}
{%- endmacro %}

{# Pre-hook of an incremental model: drop the changed keys' rows (all rows without a record). #}
{% macro delete_changed(kind, column) -%}
    {%- set changes = ref('state_changes') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if marts_built_relation() is not none %}
        where {{ changed_keys_filter(kind, column, changes) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# Config of a model rebuilt by key; `column` is its plain key column (document_id, agency_id). #}
{% macro incremental_by(kind, column) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed('" ~ kind ~ "', '" ~ column ~ "') }}"
    ) }}
{%- endmacro %}

{# Tests scoped to what a run rebuilt: a data test whose `where` config says
   "<column> in __changed_documents__" or "<column> in __changed_agencies__" checks only the rows
   of the keys this run replaced on an incremental run, and every row on a full build
   (--full-refresh, no record of a last build yet), when more than 5,000 keys changed, or with
   `--vars 'test_all_rows: true'`.
   Which tests may be scoped: docs/warehouse.md. This overrides dbt's own get_where_subquery,
   through which every generic test reads its model. A test cannot ref() the change record (dbt
   renders a test's config only when it runs), so its model must lie downstream of
   state_changes: then the record is this run's when the test runs. #}
{% macro get_where_subquery(relation) -%}
    {%- set ns = namespace(where=config.get('where') or '') -%}
    {%- if '__changed_' in ns.where and execute -%}
        {%- set changes = adapter.get_relation(database=target.database, schema='meta', identifier='state_changes') -%}
        {%- set scoped = not flags.FULL_REFRESH and not var('test_all_rows', false)
            and marts_built_relation() is not none and changes is not none -%}
        {%- if scoped and not downstream_of(model.unique_id, 'model.cnfiscal.state_changes') -%}
            {{ exceptions.raise_compiler_error(model.unique_id ~ " is scoped to the changed keys but its model is not downstream of state_changes") }}
        {%- endif -%}
        {%- for kind, placeholder in [('document', '__changed_documents__'), ('agency', '__changed_agencies__')] -%}
            {%- for column in modules.re.findall('([\\w.]+) in ' ~ placeholder, ns.where) -%}
                {%- set scope = changed_keys_filter(kind, column, changes, 'true') if scoped else 'true' -%}
                {%- set ns.where = ns.where | replace(column ~ ' in ' ~ placeholder, scope) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if '__changed_' in ns.where -%}
            {{ exceptions.raise_compiler_error("unknown change placeholder in where: " ~ config.get('where')) }}
        {%- endif -%}
    {%- endif -%}
    {%- if ns.where -%}
        {{ return("(select * from " ~ relation ~ " where " ~ ns.where ~ ") dbt_subquery") }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{# Whether the graph node `node_id` depends on `ancestor_id`, directly or through others. #}
{% macro downstream_of(node_id, ancestor_id, seen=none) -%}
    {%- set seen = [] if seen is none else seen -%}
    {%- for parent in graph.nodes[node_id].depends_on.nodes if parent not in seen -%}
        {%- do seen.append(parent) -%}
        {%- if parent == ancestor_id
            or (parent in graph.nodes and downstream_of(parent, ancestor_id, seen)) -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
