/*
name: builders-by-country
title: Who builds or operates data centers in a country or region
description: >
  The companies that build (or operate) AI/data-center infrastructure in a place: a country
  (default U.S.), a region or a site, including the regions and sites that lie in it. One row
  per company with its home country, whether it builds or operates there and in which role
  (builder, operator, investor), the places named, and the evidence; and on every row the
  regions, cities and sites that lie in the place (India: Mumbai, Hyderabad, Chennai,
  Bengaluru; Asia-Pacific: its countries too), each with its kind, quote and list heading.
mode: read
paged: true
params:
  - name: place
    type: entity
    labels: [Country, Region, Site]
    default: US
    description: the country, region or site
  - name: operators
    type: boolean
    default: true
    description: also list companies that operate (not only build) there
returns: [builder, builder_id, home, relations, roles, places, confidence, evidence, regions]
example:
  place: United States
empty: >
  Nobody is recorded building or operating in {place} or in a place inside it. foreign-operators
  lists who builds outside its home; where-company-builds -p company=NAME where one company
  builds.
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
WITH hidden, ['none', 'external', 'implied', 'stated'] AS level,
     {stated: 3, implied: 2, external: 1} AS rank
MATCH (place:Entity {id: $place})
WHERE NOT coalesce(place.created_run, '') IN hidden
// the regions, cities and sites inside the place, nearest first, each with its fact
CALL (place, hidden) {
  MATCH (inner:Entity)-[up:LOCATED_IN|PART_OF*1..3]->(place)
  WHERE all(s IN up WHERE NOT coalesce(s.created_run, '') IN hidden)
  WITH inner, up ORDER BY size(up), inner.name
  WITH inner, collect(up)[0] AS up
  ORDER BY size(up), inner.name
  RETURN collect({region: inner.name,
                  kind: coalesce(inner.kind, [l IN labels(inner) WHERE l <> 'Entity'][0]),
                  quote: up[0].evidence, context: up[0].context,
                  confidence: up[0].confidence}) AS regions
}
MATCH (spot:Entity)-[within:LOCATED_IN|PART_OF*0..3]->(place)
WHERE all(s IN within WHERE NOT coalesce(s.created_run, '') IN hidden)
MATCH (builder:Company)-[r:BUILDS_IN|OPERATES_IN]->(spot)
WHERE (type(r) = 'BUILDS_IN' OR $operators) AND NOT coalesce(r.created_run, '') IN hidden
WITH hidden, level, rank, regions, builder, r, spot
ORDER BY spot.name
WITH hidden, level, rank, regions, builder, collect(r) AS rels,
     collect(DISTINCT spot.name) AS places
OPTIONAL MATCH (builder)-[hq:HEADQUARTERED_IN]->(home) WHERE NOT coalesce(hq.created_run, '') IN hidden
WITH level, rank, regions, builder, rels, places, collect(home.name) AS homes,
     collect(hq) AS hqs
WITH level, regions, builder, rels, places, homes, hqs,
     reduce(sc = 0, r IN rels | CASE WHEN rank[r.confidence] > sc THEN rank[r.confidence] ELSE sc END)
       AS score
RETURN builder.name AS builder,
       builder.id AS builder_id,
       homes AS home,
       reduce(acc = [], r IN rels | acc + CASE WHEN type(r) IN acc THEN [] ELSE [type(r)] END)
         AS relations,
       reduce(acc = [], r IN rels |
         acc + CASE WHEN coalesce(r.role, '') = '' OR r.role IN acc THEN [] ELSE [r.role] END)
         AS roles,
       places,
       level[score] AS confidence,
       [r IN rels + hqs | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence,
       regions
ORDER BY 'BUILDS_IN' IN relations DESC, score DESC, builder, builder_id
SKIP $skip LIMIT $limit
