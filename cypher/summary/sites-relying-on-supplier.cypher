/*
name: sites-relying-on-supplier
title: Places of a country relying on a supplier, counted per place type, supplier and confidence
description: >
  The shape of sites-relying-on-supplier's answer rather than every chain: how many sites,
  regions and builders rely on each supplier, by place type and by the confidence of their
  best chain, the rows from facts and those inferred by the rule place -> inside
  (inherited=true) apart, with how many chains they hold in all and a few places named. It
  counts the rows of sites-relying-on-supplier itself, whole.
mode: read
params:
  - name: country
    type: entity
    labels: [Country]
    default: US
    description: the country whose sites, regions and builders are examined
  - name: supplier
    type: entity
    labels: [Company, Country, Category, Product]
    default: CATL
    description: the supplier (company or country) or category relied on; 'all' for every restricted vendor
  - name: max_hops
    type: integer
    default: 6
    min: 1
    max: 6
    description: the longest chain (in facts) considered, the supplier's home link excluded
  - name: inherited
    type: boolean
    default: false
    description: also the chains through what a place inherits from the country or region it lies or builds in (rule place -> inside)
returns: [inferred, supplier, place_type, confidence, places, chains, examples]
example:
  country: United States
  supplier: CATL
  inherited: true
*/
// sites-relying-on-supplier's own body (the runner puts it in place of the next line), whole
CALL () {
$($query)
}
RETURN inferred, supplier, place_type, confidence, count(*) AS places,
       sum(other_chains + 1) AS chains, collect(place)[..3] AS examples
ORDER BY inferred, supplier, places DESC, place_type, confidence
