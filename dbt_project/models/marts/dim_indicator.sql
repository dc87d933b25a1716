-- Performance indicators: key, Chinese name, synonyms, category, unit, direction.
with indicators as (
    select * from {{ ref('indicators') }}
)

select
    key as indicator_key,
    name_zh as indicator_name,
    string_split(synonyms, '|') as synonyms,
    category,
    unit,
    direction,
    direction = 'higher_is_better' as higher_is_better
from indicators
