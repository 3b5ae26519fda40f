/*
name: suppliers-of-category
title: Who supplies a category (e.g. lithium-ion batteries), from where, at what share
description: >
  The companies and countries that supply or make a category (or a narrower one, or a product
  in it), optionally only those from one country; with their home, the categories matched,
  the quantified supply flows they are party to (buyer, share, value, year), the restrictions
  on them, the best confidence of their link to the category and the evidence.
mode: read
params:
  - name: category
    type: entity
    labels: [Category, Product]
    description: the category (name, alias or id)
  - name: country
    type: entity
    labels: [Country]
    default: null
    description: only suppliers from this country (the country itself included); omit for all
returns: [supplier, supplier_id, supplier_type, home, categories, flows, restrictions, confidence,
          evidence]
example:
  category: lithium-ion batteries
empty: >
  Nobody is recorded supplying or making {category} (country {country}). blast-radius -p
  supplier=NAME shows what one supplier reaches.
*/
MATCH (k:Entity {id: $category})
// what a restriction reaches: its targets and their subsidiaries (a few hundred at most)
CALL () {
  MATCH (:Restriction)-[:RESTRICTS]->(:Entity)<-[:SUBSIDIARY_OF*0..2]-(x:Entity)
  RETURN collect(DISTINCT x) AS restricted
}
MATCH (narrow:Entity)-[up:PART_OF*0..2]->(k)
CALL (narrow) {
  MATCH (s:Entity)-[r:SUPPLIES|MAKES]->(narrow)
  RETURN s, [r] AS facts
  UNION
  MATCH (s:Company)-[m:MAKES]->(p:Product)-[ic:IN_CATEGORY]->(narrow)
  RETURN s, [m, ic] AS facts
  UNION
  MATCH (s:Entity)-[f:SUPPLIES {category: narrow.id}]->(:Entity)
  RETURN s, [f] AS facts
}
OPTIONAL MATCH (s)-[hq:HEADQUARTERED_IN]->(own_home:Country)
WITH restricted, k, narrow, up, s, facts, hq, CASE WHEN s:Country THEN s ELSE own_home END AS home
WHERE $country IS NULL OR home.id = $country
WITH {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level,
     restricted, s, home, hq, narrow, facts + up AS facts
WITH restricted, level, s, home, hq, narrow, facts,
     reduce(sc = 3, r IN facts |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score
WITH restricted, level, s, home, hq, collect(DISTINCT narrow.name) AS categories, max(score) AS best,
     reduce(acc = [], fs IN collect(facts) | acc + [r IN fs WHERE NOT r IN acc]) AS used
RETURN s.name AS supplier,
       s.id AS supplier_id,
       [l IN labels(s) WHERE l <> 'Entity'][0] AS supplier_type,
       home.name AS home,
       categories,
       [r IN used WHERE type(r) = 'SUPPLIES' AND (r.share IS NOT NULL OR r.value_usd IS NOT NULL) |
         {to: endNode(r).name, category: r.category, share: r.share, value_usd: r.value_usd,
          year: r.year}] AS flows,
       CASE WHEN s IN restricted THEN
         COLLECT { MATCH (s)-[:SUBSIDIARY_OF*0..2]->(:Entity)<-[rt:RESTRICTS]-(rs:Restriction)
                   RETURN DISTINCT rs.name + coalesce(' since ' + coalesce(rt.start, rs.start), '')
                     AS restriction ORDER BY restriction }
         ELSE [] END AS restrictions,
       level[best] AS confidence,
       [r IN used + CASE WHEN hq IS NULL THEN [] ELSE [hq] END | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
ORDER BY best DESC, supplier_type, supplier
