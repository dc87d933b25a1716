-- Facts of published reports matched to the identities of balance_identity_terms: each stated
-- total and each part that adds up to it, in the same document, statement, scope, basis and
-- year. A part whose parent line is stated too (a 款 whose 类 is listed, vehicle purchase
-- beside the vehicle total) is marked not counted, so nothing is counted twice; it is kept
-- for the second reading some reports need (a 类 figure that excludes a 款 listed beside it).
{{ balance_terms(ref('int_facts_published')) }}
