{{ incremental_by('agency', 'agency_id') }}
-- Spending by economic class (支出经济分类): agency × fiscal year × class × basis, with the
-- class name valid in that year.
{{ spending_by_class('economic', 'dim_economic_class') }}
