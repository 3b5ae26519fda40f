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
paged: true
empty: >
  Nobody is recorded supplying or making {category} (country {country}). blast-radius -p
  supplier=NAME shows what one supplier reaches.
*/
// the runs still staging: their nodes and facts are not shown (CONVENTIONS.md section 2)
CALL () {
  MATCH (run:LoadRun {status: 'staging'})
  RETURN collect(run.id) AS hidden
}
MATCH (k:Entity {id: $category})
WHERE NOT coalesce(k.created_run, '') IN hidden
MATCH (narrow:Entity)-[up:PART_OF*0..2]->(k)
WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
// the supply in every shape (docs/supply.md): to the category, to a market naming it, as its
// maker, or a product of the supplier in it
CALL (narrow, hidden) {
  MATCH (s:Entity)-[r:SUPPLIES|MAKES]->(narrow)
  WHERE NOT coalesce(r.created_run, '') IN hidden
  RETURN s, [r] AS facts
  UNION
  MATCH (s:Company)-[m:MAKES]->(p:Product)-[ic:IN_CATEGORY]->(narrow)
  WHERE NOT coalesce(m.created_run, '') IN hidden AND NOT coalesce(ic.created_run, '') IN hidden
  RETURN s, [m, ic] AS facts
  UNION
  MATCH (s:Entity)-[f:SUPPLIES {category: narrow.id}]->(:Entity)
  WHERE NOT coalesce(f.created_run, '') IN hidden
  RETURN s, [f] AS facts
}
// only suppliers from the country asked for (a country itself, or a firm at home there)
WITH hidden, narrow, up, s, facts
WHERE $country IS NULL OR (s:Country AND s.id = $country)
   OR EXISTS { (s)-[hq:HEADQUARTERED_IN]->(:Country {id: $country})
               WHERE NOT coalesce(hq.created_run, '') IN hidden }
WITH {stated: 3, implied: 2, external: 1} AS rank, hidden, s, narrow, facts + up AS facts
WITH hidden, s, narrow, facts,
     reduce(sc = 3, r IN facts |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score
// one row per supplier and home fact, ordered totally; the suppliers are ordered and cut first
// (each has a row at least, so the first skip + limit of them hold the page), then their home
// facts are read, and the page is cut before the costly columns (restrictions, evidence) are
// computed
WITH hidden, s, collect(DISTINCT narrow) AS narrows, max(score) AS best,
     collect(facts) AS fact_lists, [l IN labels(s) WHERE l <> 'Entity'][0] AS supplier_type
ORDER BY best DESC, supplier_type, s.name, s.id
LIMIT $skip + $limit
OPTIONAL MATCH (s)-[hq:HEADQUARTERED_IN]->(own_home:Country)
WHERE NOT coalesce(hq.created_run, '') IN hidden
WITH hidden, s, narrows, best, fact_lists, supplier_type, hq,
     CASE WHEN s:Country THEN s ELSE own_home END AS home
WHERE $country IS NULL OR home.id = $country
WITH hidden, s, narrows, best, fact_lists, supplier_type, hq, home
ORDER BY best DESC, supplier_type, s.name, s.id, elementId(hq)
SKIP $skip LIMIT $limit
WITH hidden, s, home, hq, best, supplier_type,
     COLLECT { UNWIND narrows AS n WITH DISTINCT n.name AS name RETURN name } AS categories,
     reduce(acc = [], fs IN fact_lists | acc + [r IN fs WHERE NOT r IN acc]) AS used
RETURN s.name AS supplier,
       s.id AS supplier_id,
       supplier_type,
       home.name AS home,
       categories,
       [r IN used WHERE type(r) = 'SUPPLIES' AND (r.share IS NOT NULL OR r.value_usd IS NOT NULL) |
         {to: endNode(r).name, category: r.category, share: r.share, value_usd: r.value_usd,
          year: r.year}] AS flows,
       COLLECT { MATCH (s)-[sub:SUBSIDIARY_OF*0..2]->(:Entity)<-[rt:RESTRICTS]-(rs:Restriction)
                 WHERE NOT coalesce(rt.created_run, '') IN hidden
                   AND all(r IN sub WHERE NOT coalesce(r.created_run, '') IN hidden)
                 RETURN DISTINCT rs.name + coalesce(' since ' + coalesce(rt.start, rs.start), '')
                   AS restriction ORDER BY restriction } AS restrictions,
       ['none', 'external', 'implied', 'stated'][best] AS confidence,
       [r IN used + CASE WHEN hq IS NULL THEN [] ELSE [hq] END | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
