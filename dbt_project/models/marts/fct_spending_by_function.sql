{{ incremental_by('agency', 'agency_id') }}
-- Spending by functional class (支出功能分类): agency × fiscal year × class × basis, with the
-- class name valid in that year (210 is 卫生健康支出 from 2019 whatever the report calls it).
{{ spending_by_class('functional', 'dim_functional_class') }}
