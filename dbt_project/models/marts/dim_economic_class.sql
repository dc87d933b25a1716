-- 支出经济分类科目: departmental (301–399) and governmental (501–599) schemes, 类 and 款, one
-- row per code and name period, with the departmental → governmental mapping.
with classes as (
    select * from {{ ref('economic_classes') }}
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
    scheme,
    gov_code,
    gov_code_inst,
    source
from classes
