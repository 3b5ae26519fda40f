/*
name: dependency-paths
title: Dependency paths between two entities, in both directions
description: >
  How does A depend on B, and B on A? Chains of facts of at most `max_hops` steps, each step
  read in its dependent-to-provider direction (as in blast-radius): X relies on Y; Y supplies
  X; a product depends on its maker (as the last step); a category on its member products, a
  whole on its parts; a region, site or builder inherits the dependencies of where it lies or
  builds (then at best `implied`); a company's output depends on its home country (last).
  Countries and world regions pass nothing on in the middle of a chain. Rows per direction,
  shortest and strongest first, each with its chain, weakest confidence and evidence.
mode: read
params:
  - name: a
    type: entity
    description: one entity (name, alias or id)
  - name: b
    type: entity
    description: the other entity
  - name: max_hops
    type: integer
    default: 4
    min: 1
    max: 6
    description: the longest chain (in facts)
  - name: limit
    type: integer
    default: 10
    min: 1
    max: 500
    description: the most chains shown per direction
returns: [direction, hops, confidence, chain, evidence]
example:
  a: Texas
  b: CATL
*/
MATCH (a:Entity {id: $a}), (b:Entity {id: $b})
CALL (a, b) {
  MATCH p = (a)
    ((u)-[inherit:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(v)){0,2}
    (:Entity)
    ((x)-[d:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(y)
       WHERE (type(d) = 'RELIES_ON') = (startNode(d) = x)){1,4}
    (:Entity)
    ((firm)-[:HEADQUARTERED_IN]->(firm_home)){0,1}
    (b)
  WHERE length(p) <= $max_hops
    AND none(w IN x[1..] WHERE w:Country OR w:Region)
    AND none(r IN d[..-1] WHERE type(r) = 'MAKES')
    AND all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
  RETURN p, a.name + ' depends on ' + b.name AS direction, 0 AS side, size(inherit) > 0 AS inherited
  UNION
  MATCH p = (b)
    ((u)-[inherit:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(v)){0,2}
    (:Entity)
    ((x)-[d:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(y)
       WHERE (type(d) = 'RELIES_ON') = (startNode(d) = x)){1,4}
    (:Entity)
    ((firm)-[:HEADQUARTERED_IN]->(firm_home)){0,1}
    (a)
  WHERE length(p) <= $max_hops
    AND none(w IN x[1..] WHERE w:Country OR w:Region)
    AND none(r IN d[..-1] WHERE type(r) = 'MAKES')
    AND all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
  RETURN p, b.name + ' depends on ' + a.name AS direction, 1 AS side, size(inherit) > 0 AS inherited
}
WITH {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level, p, direction, side, inherited
WITH rank, level, p, direction, side, inherited,
     [r IN relationships(p) | type(r) + CASE
         WHEN r.kind IS NOT NULL THEN '(' + r.kind + ')'
         WHEN r.category IS NOT NULL THEN '(' + r.category + coalesce(', ' + toString(r.share) + '%', '')
              + coalesce(', ' + toString(r.year), '') + ')'
         ELSE '' END] AS step
WITH rank, level, p, direction, side, step, inherited,
     reduce(sc = CASE WHEN inherited THEN rank.implied ELSE rank.stated END,
            r IN relationships(p) |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score,
     reduce(txt = nodes(p)[0].name, i IN range(0, length(p) - 1) |
       txt + CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i] THEN ' -' ELSE ' <-' END
           + step[i]
           + CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i] THEN '-> ' ELSE '- ' END
           + nodes(p)[i + 1].name) AS chain
ORDER BY side, length(p), score DESC,
         size([r IN relationships(p) WHERE type(r) = 'SUPPLIES']) DESC, chain
WITH level, side, direction, collect({p: p, score: score, chain: chain})[..$limit] AS chains
UNWIND range(0, size(chains) - 1) AS rank_in_direction
WITH level, side, direction, rank_in_direction, chains[rank_in_direction] AS c
RETURN direction,
       length(c.p) AS hops,
       level[c.score] AS confidence,
       c.chain AS chain,
       [r IN relationships(c.p) | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, source: r.source, as_of: r.as_of, confidence: r.confidence
       }] AS evidence
ORDER BY side, rank_in_direction
