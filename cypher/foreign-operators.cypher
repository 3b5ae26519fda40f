/*
name: foreign-operators
title: Who builds or operates data-center projects outside its home country
description: >
  Companies that build or operate AI/data-center infrastructure outside their home country
  (their own headquarters, or their parent's): one row per company and host country or region,
  with the places, the relation and role, and the evidence (headquarters fact included).
  Filter by home country (e.g. U.S. firms abroad, which the article puts at about 48% of
  non-U.S. projects by investment value) or by host.
mode: read
paged: true
params:
  - name: home
    type: entity
    labels: [Country]
    default: null
    description: only operators from this country; omit for all
  - name: host
    type: entity
    labels: [Country, Region]
    default: null
    description: only this host country or region (and places in it); omit for all
returns: [operator, operator_id, home, host, places, relations, roles, confidence, evidence]
example:
  home: US
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
WITH hidden, ['none', 'external', 'implied', 'stated'] AS level,
     {stated: 3, implied: 2, external: 1} AS rank
// the candidate operators: with a home, the companies headquartered there and their
// subsidiaries (an index seek on the home country); without one, every builder or operator
CALL (hidden) {
  MATCH (:Country {id: $home})<-[ohq:HEADQUARTERED_IN]-(:Company)<-[sub:SUBSIDIARY_OF*0..2]-(op:Company)
  WHERE NOT coalesce(ohq.created_run, '') IN hidden AND all(s IN sub WHERE NOT coalesce(s.created_run, '') IN hidden)
  RETURN op
  UNION
  UNWIND CASE WHEN $home IS NULL THEN [true] ELSE [] END AS every
  MATCH (op:Company)-[b:BUILDS_IN|OPERATES_IN]->(:Entity)
  WHERE NOT coalesce(b.created_run, '') IN hidden
  RETURN op
}
MATCH (op)-[r:BUILDS_IN|OPERATES_IN]->(place:Entity)
WHERE NOT coalesce(r.created_run, '') IN hidden
// the operator's own headquarters, else its parent's
CALL (op, hidden) {
  MATCH (op)-[up:SUBSIDIARY_OF*0..2]->(:Company)-[hq:HEADQUARTERED_IN]->(home:Country)
  WHERE all(s IN up WHERE NOT coalesce(s.created_run, '') IN hidden) AND NOT coalesce(hq.created_run, '') IN hidden
  WITH hq, home ORDER BY size(up)
  RETURN collect(hq)[0] AS hq, collect(home)[0] AS home
}
WITH hidden, level, rank, op, r, place, hq, home
WHERE home IS NOT NULL AND ($home IS NULL OR home.id = $home)
OPTIONAL MATCH (place)-[loc:LOCATED_IN*0..3]->(country:Country)
WHERE all(s IN loc WHERE NOT coalesce(s.created_run, '') IN hidden)
WITH hidden, level, rank, op, hq, home, r, place, coalesce(country, place) AS host
WHERE host <> home
  AND ($host IS NULL OR host.id = $host
       OR EXISTS { MATCH (place)-[inside:LOCATED_IN|PART_OF*0..3]->(:Entity {id: $host})
                   WHERE all(s IN inside WHERE NOT coalesce(s.created_run, '') IN hidden) })
WITH level, rank, op, hq, home, host, collect(r) AS rels, collect(DISTINCT place.name) AS places
WITH level, rank, op, home, host, places, rels, hq,
     reduce(sc = 0, r IN rels | CASE WHEN rank[r.confidence] > sc THEN rank[r.confidence] ELSE sc END)
       AS best
RETURN op.name AS operator,
       op.id AS operator_id,
       home.name AS home,
       host.name AS host,
       places,
       reduce(acc = [], r IN rels | acc + CASE WHEN type(r) IN acc THEN [] ELSE [type(r)] END)
         AS relations,
       reduce(acc = [], r IN rels |
         acc + CASE WHEN coalesce(r.role, '') = '' OR r.role IN acc THEN [] ELSE [r.role] END)
         AS roles,
       level[CASE WHEN rank[hq.confidence] < best THEN rank[hq.confidence] ELSE best END]
         AS confidence,
       [r IN rels + [hq] | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
ORDER BY home, operator, host, operator_id, host
SKIP $skip LIMIT $limit
