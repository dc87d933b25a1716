-- 支出功能分类科目 (类, 款), one row per code and name period.
with classes as (
    select * from {{ ref('functional_classes') }}
)

select
    code || '@' || coalesce(cast(valid_from as varchar), '') as class_key,
    code,
    level,
    parent_code,
    name as class_name,
    valid_from,
    valid_to,
    valid_to is null as is_current_name,
    source
from classes
