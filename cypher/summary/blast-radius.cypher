/*
name: blast-radius
title: How much a cut-off supplier affects, counted per distance, type and confidence
description: >
  The shape of blast-radius's answer rather than every chain: how many entities are affected
  at each distance (in facts) from the supplier, by type and by the confidence of their best
  chain, the rows from facts and those inferred by the rule place -> inside (inherited=true)
  apart, with a few of them named. It counts the rows of blast-radius itself, whole.
mode: read
params:
  - name: supplier
    type: entity
    description: the entity cut off (company, country, product or category)
  - name: max_hops
    type: integer
    default: 4
    min: 1
    max: 6
    description: the longest chain (in facts) followed
  - name: types
    type: list
    default: []
    description: only show affected entities with these labels (e.g. Company,Region); empty for all
  - name: inherited
    type: boolean
    default: false
    description: also what places inherit from the country or region they lie or build in (rule place -> inside)
returns: [inferred, distance, type, confidence, affected, examples]
example:
  supplier: CATL
*/
// blast-radius's own body (the runner puts it in place of the next line), its whole answer
CALL () {
$($query)
}
RETURN inferred, distance, type, confidence, count(*) AS affected,
       collect(affected)[..3] AS examples
ORDER BY inferred, distance, affected DESC, type, confidence
