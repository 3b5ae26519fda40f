/*
name: mutual-dependence
title: Pairs of countries (or firms) that depend on each other in both directions
description: >
  Pairs that depend on each other both ways. At country level, X depends on Y when X relies
  on Y, Y supplies X, X or a firm of X relies on a firm of Y or on something a firm of Y makes,
  a firm of X relies on Y, or a firm of Y supplies X, a place in X or a firm of X. At company
  level, A depends on B when A relies on B or on a product B makes, or B supplies A. One row per
  pair with the number of facts each way, the strongest of them as readable chains (up to
  `max_facts` each way), the pair's confidence (the weaker of the two directions' best) and
  the evidence of the chains shown.
mode: read
paged: true
params:
  - name: level
    type: string
    choices: [country, company]
    default: country
    description: compare countries or companies
  - name: entity
    type: entity
    labels: [Country, Company]
    default: null
    description: only pairs that include this country or company; omit for all
  - name: max_facts
    type: integer
    default: 5
    min: 1
    max: 100
    description: the most chains shown each way
returns: [a, a_id, b, b_id, a_on_b, b_on_a, a_depends_on_b, b_depends_on_a, confidence,
          evidence]
example:
  level: country
  entity: United States
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
CALL () {
  MATCH (x:Country)-[r:RELIES_ON]->(y:Country)
  WHERE $level = 'country'
  RETURN x, y, [r] AS facts
  UNION
  MATCH (y:Country)-[r:SUPPLIES]->(x:Country)
  WHERE $level = 'country'
  RETURN x, y, [r] AS facts
  UNION
  MATCH (x:Country)-[r:RELIES_ON]->(t:Entity)<-[m:MAKES*0..1]-(:Company)
        -[hq:HEADQUARTERED_IN]->(y:Country)
  WHERE $level = 'country'
  RETURN x, y, [r] + m + [hq] AS facts
  UNION
  MATCH (x:Country)<-[hx:HEADQUARTERED_IN]-(:Company)-[r:RELIES_ON]->(t:Entity)
        <-[m:MAKES*0..1]-(:Company)-[hq:HEADQUARTERED_IN]->(y:Country)
  WHERE $level = 'country'
  RETURN x, y, [hx, r] + m + [hq] AS facts
  UNION
  MATCH (x:Country)<-[hx:HEADQUARTERED_IN]-(:Company)-[r:RELIES_ON]->(y:Country)
  WHERE $level = 'country'
  RETURN x, y, [hx, r] AS facts
  UNION
  MATCH (y:Country)<-[hq:HEADQUARTERED_IN]-(:Company)-[s:SUPPLIES]->(:Entity)
        -[up:HEADQUARTERED_IN|LOCATED_IN*0..3]->(x:Country)
  WHERE $level = 'country'
  RETURN x, y, [hq, s] + up AS facts
  UNION
  // at company level, a named firm is found by its id and its pairs only are read
  MATCH (x:Company {id: $entity})-[r:RELIES_ON]->(y:Company)
  WHERE $level = 'company'
  RETURN x, y, [r] AS facts
  UNION
  MATCH (x:Company)-[r:RELIES_ON]->(y:Company {id: $entity})
  WHERE $level = 'company'
  RETURN x, y, [r] AS facts
  UNION
  UNWIND CASE WHEN $entity IS NULL THEN [true] ELSE [] END AS every
  MATCH (x:Company)-[r:RELIES_ON]->(y:Company)
  WHERE $level = 'company'
  RETURN x, y, [r] AS facts
  UNION
  MATCH (y:Company)-[s:SUPPLIES]->(x:Company {id: $entity})
  WHERE $level = 'company'
  RETURN x, y, [s] AS facts
  UNION
  MATCH (y:Company {id: $entity})-[s:SUPPLIES]->(x:Company)
  WHERE $level = 'company'
  RETURN x, y, [s] AS facts
  UNION
  UNWIND CASE WHEN $entity IS NULL THEN [true] ELSE [] END AS every
  MATCH (y:Company)-[s:SUPPLIES]->(x:Company)
  WHERE $level = 'company'
  RETURN x, y, [s] AS facts
  UNION
  MATCH (x:Company {id: $entity})-[r:RELIES_ON]->(:Product)<-[m:MAKES]-(y:Company)
  WHERE $level = 'company'
  RETURN x, y, [r, m] AS facts
  UNION
  MATCH (x:Company)-[r:RELIES_ON]->(:Product)<-[m:MAKES]-(y:Company {id: $entity})
  WHERE $level = 'company'
  RETURN x, y, [r, m] AS facts
  UNION
  UNWIND CASE WHEN $entity IS NULL THEN [true] ELSE [] END AS every
  MATCH (x:Company)-[r:RELIES_ON]->(:Product)<-[m:MAKES]-(y:Company)
  WHERE $level = 'company'
  RETURN x, y, [r, m] AS facts
}
// what a load still staging wrote is left out (docs/loading.md)
WITH hidden, {stated: 3, implied: 2, external: 1} AS rank, x, y, facts
WHERE x <> y AND ($entity IS NULL OR x.id = $entity OR y.id = $entity)
  AND all(s IN facts WHERE NOT coalesce(s.created_run, '') IN hidden)
WITH x, y, facts,
     reduce(sc = 3, r IN facts |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score,
     reduce(txt = '', r IN facts |
       txt + CASE WHEN txt = '' THEN '' ELSE '; ' END +
       startNode(r).name + ' -' + type(r) + CASE
         WHEN r.kind IS NOT NULL THEN '(' + r.kind + ')'
         WHEN r.category IS NOT NULL THEN '(' + r.category + ')'
         ELSE '' END + '-> ' + endNode(r).name) AS chain
ORDER BY score DESC, size(facts), chain
WITH x, y, collect({score: score, chain: chain, facts: facts}) AS deps
// the two directions of a pair meet by grouping on the pair (not by pairing every direction
// with every other)
WITH CASE WHEN x.id < y.id THEN x ELSE y END AS a, CASE WHEN x.id < y.id THEN y ELSE x END AS b,
     collect({x: x, deps: deps}) AS ways
WHERE size(ways) = 2 AND a.id < b.id
WITH a, b, [w IN ways WHERE w.x = a][0].deps AS a_deps, [w IN ways WHERE w.x = b][0].deps AS b_deps,
     ['none', 'external', 'implied', 'stated'] AS level
WITH a, b, a_deps, b_deps, level,
     a_deps[..$max_facts] + b_deps[..$max_facts] AS shown,
     CASE WHEN a_deps[0].score < b_deps[0].score THEN a_deps[0].score ELSE b_deps[0].score END
       AS score
RETURN a.name AS a,
       a.id AS a_id,
       b.name AS b,
       b.id AS b_id,
       size(a_deps) AS a_on_b,
       size(b_deps) AS b_on_a,
       [d IN a_deps[..$max_facts] | d.chain + ' (' + level[d.score] + ')'] AS a_depends_on_b,
       [d IN b_deps[..$max_facts] | d.chain + ' (' + level[d.score] + ')'] AS b_depends_on_a,
       level[score] AS confidence,
       reduce(acc = [], d IN shown | acc + [r IN d.facts WHERE NOT r IN acc |
         {fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
          quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
          confidence: r.confidence}])
         AS evidence
ORDER BY score DESC, a_on_b + b_on_a DESC, a, b, a_id, b_id
SKIP $skip LIMIT $limit
