/*
name: suppliers-of-category
title: Who supplies a category, counted per supplier country
description: >
  The summary of suppliers-of-category: per home country of the suppliers (none for a
  supplier whose home the graph does not give), how many suppliers (companies, countries),
  how many of them are restricted, how many quantified flows they are party to, and how many
  are linked to the category at each confidence.
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
returns: [home, home_id, suppliers, companies, restricted, flows, stated, implied,
          external]
example:
  category: lithium-ion batteries
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
OPTIONAL MATCH (s)-[hq:HEADQUARTERED_IN]->(own_home:Country)
WHERE NOT coalesce(hq.created_run, '') IN hidden
WITH hidden, narrow, up, s, facts, hq, CASE WHEN s:Country THEN s ELSE own_home END AS home
WHERE $country IS NULL OR home.id = $country
WITH {stated: 3, implied: 2, external: 1} AS rank, hidden,
     s, home, hq, narrow, facts + up AS facts
WITH hidden, s, home, hq, narrow, facts,
     reduce(sc = 3, r IN facts |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score
// one row per supplier (and home fact), as the paged query has them, then counted per home
WITH hidden, s, home, hq, max(score) AS best,
     reduce(acc = [], fs IN collect(facts) | acc + [r IN fs WHERE NOT r IN acc]) AS used
WITH hidden, s, home, best,
     size([r IN used WHERE type(r) = 'SUPPLIES'
                       AND (r.share IS NOT NULL OR r.value_usd IS NOT NULL)]) AS flows,
     EXISTS { MATCH (s)-[sub:SUBSIDIARY_OF*0..2]->(:Entity)<-[rt:RESTRICTS]-(:Restriction)
              WHERE NOT coalesce(rt.created_run, '') IN hidden
                AND all(r IN sub WHERE NOT coalesce(r.created_run, '') IN hidden) } AS restricted
RETURN home.name AS home,
       home.id AS home_id,
       count(*) AS suppliers,
       count(CASE WHEN s:Company THEN 1 END) AS companies,
       count(CASE WHEN restricted THEN 1 END) AS restricted,
       sum(flows) AS flows,
       count(CASE best WHEN 3 THEN 1 END) AS stated,
       count(CASE best WHEN 2 THEN 1 END) AS implied,
       count(CASE best WHEN 1 THEN 1 END) AS external
ORDER BY suppliers DESC, home, home_id
