-- A name's period never ends before it starts or before the name's own last use, and only the
-- names the latest reports use are open.
select agency_id, agency_name, valid_from_year, last_seen_year, valid_to_year, is_current
from {{ ref('dim_agency_name') }}
where valid_to_year < valid_from_year
    or valid_to_year < last_seen_year
    or (valid_to_year is null) <> is_current
