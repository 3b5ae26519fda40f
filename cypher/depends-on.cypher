/*
name: depends-on
title: What an entity relies on, directly and transitively, by kind (e.g. what Huawei depends on)
description: >
  Forward from one entity: what it relies on (RELIES_ON, with its kind), what its own products
  rely on, and who supplies it (SUPPLIES into it, kind `supply`, with the category), then what
  those rely on or are supplied by, up to `hops` steps. One row per dependency at its shortest
  distance: the kind of the first step and of the last, the chain, the chain's weakest
  confidence, and the evidence (quote, list heading as context, source) of every fact of it.
  Direct dependencies (distance 1) come first. `kind` keeps the dependencies whose last step
  is of that kind.
mode: read
paged: true
params:
  - name: entity
    type: entity
    description: the company, country, product, category, region or site (name, alias or id)
  - name: kind
    type: string
    default: null
    choices: [software_ecosystem, os_platform, chip_architecture, hardware, component_supply,
              cloud, financing, ip, manufacturing, telecom, supply]
    description: only dependencies whose last step is of this kind; omit for all
  - name: hops
    type: integer
    default: 2
    min: 1
    max: 4
    description: how many steps to follow (1 = direct only)
returns: [dependency, dependency_id, dependency_type, kind, distance, first_kind, chain,
          confidence, evidence]
example:
  entity: Alibaba
empty: >
  {entity} has no RELIES_ON fact of its own or of a product it makes, and no supplier, within
  {hops} step(s) (kind {kind}). entity-profile -p entity={entity} lists every fact about it;
  dependency-paths finds chains in both directions.
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
WITH hidden, {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level
MATCH (e:Entity {id: $entity})
WHERE NOT coalesce(e.created_run, '') IN hidden
// Where the chains start: the entity itself, and the products it makes (each reached by a
// MAKES fact that joins the chain's evidence).
CALL (e, hidden) {
  RETURN e AS start, [] AS lead
  UNION
  MATCH (e)-[m:MAKES]->(product:Product)
  WHERE NOT coalesce(m.created_run, '') IN hidden
  RETURN product AS start, [m] AS lead
}
// A step is a dependency: a RELIES_ON leaving the node, or a SUPPLIES arriving at it (the
// node relies on its supplier). The search never goes further than it must: two steps at most
// unless more are asked for (a bound written into the pattern stops the search; a filter after
// it would not).
CALL (start, hidden) {
  WITH start, hidden WHERE $hops <= 2
  MATCH p = (start)((a)-[r:RELIES_ON|SUPPLIES]-(b)
                    WHERE ((type(r) = 'RELIES_ON' AND startNode(r) = a)
                           OR (type(r) = 'SUPPLIES' AND endNode(r) = a))
                      AND NOT coalesce(r.created_run, '') IN hidden){1,2}(x)
  RETURN p, r, x
  UNION ALL
  WITH start, hidden WHERE $hops = 3
  MATCH p = (start)((a)-[r:RELIES_ON|SUPPLIES]-(b)
                    WHERE ((type(r) = 'RELIES_ON' AND startNode(r) = a)
                           OR (type(r) = 'SUPPLIES' AND endNode(r) = a))
                      AND NOT coalesce(r.created_run, '') IN hidden){1,3}(x)
  RETURN p, r, x
  UNION ALL
  WITH start, hidden WHERE $hops > 3
  MATCH p = (start)((a)-[r:RELIES_ON|SUPPLIES]-(b)
                    WHERE ((type(r) = 'RELIES_ON' AND startNode(r) = a)
                           OR (type(r) = 'SUPPLIES' AND endNode(r) = a))
                      AND NOT coalesce(r.created_run, '') IN hidden){1,4}(x)
  RETURN p, r, x
}
WITH rank, level, e, lead, p, r, x
WHERE size(r) <= $hops AND x <> e AND NOT x IN nodes(p)[0..-1]
WITH rank, level, e, x, lead + r AS facts, r AS steps
WITH rank, level, e, x, facts, steps,
     [s IN steps | CASE type(s) WHEN 'SUPPLIES' THEN 'supply' ELSE s.kind END] AS kinds
WHERE $kind IS NULL OR kinds[-1] = $kind
WITH rank, level, x, facts, kinds,
     reduce(m = 3, f IN facts |
       CASE WHEN rank[f.confidence] < m THEN rank[f.confidence] ELSE m END) AS score,
     reduce(s = '', f IN facts |
       s + CASE WHEN s = '' THEN '' ELSE '; ' END +
       startNode(f).name + ' -' + type(f) +
       CASE WHEN type(f) = 'RELIES_ON' THEN '(' + f.kind + ')'
            WHEN f.category IS NOT NULL THEN '(' + f.category + ')' ELSE '' END +
       '-> ' + endNode(f).name) AS chain
// Each dependency once: its shortest chain, then the strongest, then the first by name.
ORDER BY size(kinds), score DESC, chain
WITH level, x, collect({facts: facts, kinds: kinds, score: score, chain: chain})[0] AS best
// the page first, then the evidence of its rows only
WITH level, x, best
ORDER BY size(best.kinds), best.kinds[-1], x.name, x.id, best.chain
SKIP $skip LIMIT $limit
RETURN x.name AS dependency,
       x.id AS dependency_id,
       [l IN labels(x) WHERE l <> 'Entity'][0] AS dependency_type,
       best.kinds[-1] AS kind,
       size(best.kinds) AS distance,
       best.kinds[0] AS first_kind,
       best.chain AS chain,
       level[best.score] AS confidence,
       [r IN best.facts | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
