/*
name: common
title: Who builds or operates in all (or any) of several places (e.g. Saudi Arabia and the UAE)
description: >
  The companies that build or operate data centers in every place named (`match: all`, the
  default: "who builds in both Saudi Arabia and the UAE") or in at least one of them
  (`match: any`). A company counts for a place when it builds or operates there or in a region,
  city or site inside it. `relation` narrows to building (`builds`) or operating
  (`operates`). One row per company: the places matched out of those asked, its home, the
  weakest confidence of the facts used, and their evidence (quote, list heading, source).
mode: read
paged: true
params:
  - name: places
    type: entities
    labels: [Country, Region, Site]
    description: the places, comma-separated (names, aliases or ids)
  - name: match
    type: string
    default: all
    choices: [all, any]
    description: all = in every place named; any = in at least one
  - name: relation
    type: string
    default: either
    choices: [either, builds, operates]
    description: BUILDS_IN, OPERATES_IN or either
returns: [company, company_id, home, matched, of, places, confidence, evidence]
example:
  places: [United States, China]
empty: >
  No company builds or operates ({relation}) in {match} of {places}. Try -p match=any, or
  builders-by-country -p place=NAME for each place.
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
WITH hidden, {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level
UNWIND $places AS place_id
WITH DISTINCT hidden, rank, level, place_id
WITH hidden, rank, level, collect(place_id) AS asked
UNWIND asked AS place_id
MATCH (place:Entity {id: place_id})
WHERE NOT coalesce(place.created_run, '') IN hidden
MATCH (f:Company)-[b:BUILDS_IN|OPERATES_IN]->(spot:Entity)-[up:LOCATED_IN*0..3]->(place)
WHERE ($relation = 'either'
       OR ($relation = 'builds' AND type(b) = 'BUILDS_IN')
       OR ($relation = 'operates' AND type(b) = 'OPERATES_IN'))
  AND NOT coalesce(b.created_run, '') IN hidden AND all(s IN up WHERE NOT coalesce(s.created_run, '') IN hidden)
WITH hidden, rank, level, asked, f, place, [b] + up AS facts,
     reduce(m = 3, r IN [b] + up |
       CASE WHEN rank[r.confidence] < m THEN rank[r.confidence] ELSE m END) AS score
// per company and place: the strongest, then shortest, way in
ORDER BY score DESC, size(facts)
WITH hidden, level, asked, f, place, collect({facts: facts, score: score})[0] AS best
WITH hidden, level, asked, f, collect(place.name) AS places, collect(best) AS ways
WHERE $match = 'any' OR size(places) = size(asked)
WITH hidden, level, asked, f, places, ways,
     reduce(m = 3, w IN ways | CASE WHEN w.score < m THEN w.score ELSE m END) AS score,
     reduce(acc = [], w IN ways | acc + w.facts) AS used
RETURN f.name AS company,
       f.id AS company_id,
       COLLECT { MATCH (f)-[fh:HEADQUARTERED_IN]->(h:Entity) WHERE NOT coalesce(fh.created_run, '') IN hidden
                 RETURN h.name ORDER BY h.name } AS home,
       size(places) AS matched,
       size(asked) AS of,
       places,
       level[score] AS confidence,
       [r IN used | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
ORDER BY matched DESC, company, company_id
SKIP $skip LIMIT $limit
