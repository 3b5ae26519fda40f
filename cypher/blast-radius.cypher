/*
name: blast-radius
title: What is affected, transitively, if a supplier is cut off
description: >
  If a supplier (a company, a country, a product or a category) is cut off, which entities
  depend on it, directly or transitively, ranked by distance and confidence. A dependency step
  is one fact read in its dependent-to-provider direction: X relies on Y; Y supplies X; Y makes
  X (a product depends on its maker); a category depends on its member products and a whole on
  its parts. A region, site or builder inherits what the country or region it lies or builds in
  depends on (then at best `implied`), and a company's output depends on its home country.
  Countries and world regions end a chain but pass nothing on in its middle, so a country's
  unrelated dependencies do not leak into each other. One row per affected entity with its
  shortest, then strongest, chain and the evidence of that chain.
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
returns: [affected, affected_id, type, distance, confidence, chain, evidence]
example:
  supplier: CATL
  max_hops: 4
*/
WITH {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level
MATCH (s:Entity {id: $supplier})
MATCH p = (t:Entity)
  ((a)-[inherit:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(b)){0,2}
  (:Entity)
  ((x)-[d:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(y)
     WHERE (type(d) = 'RELIES_ON') = (startNode(d) = x)){1,4}
  (:Entity)
  ((firm)-[:HEADQUARTERED_IN]->(firm_home)){0,1}
  (s)
WHERE length(p) <= $max_hops
  AND t <> s AND NOT t:Source
  AND none(v IN x[1..] WHERE v:Country OR v:Region)
  // a product depends on its maker only when the maker itself is cut off: MAKES comes last
  AND none(r IN d[..-1] WHERE type(r) = 'MAKES')
  AND (size($types) = 0 OR any(l IN labels(t) WHERE l IN $types))
  AND all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
WITH rank, level, t, p, inherit,
     [r IN relationships(p) | type(r) + CASE
         WHEN r.kind IS NOT NULL THEN '(' + r.kind + ')'
         WHEN r.category IS NOT NULL THEN '(' + r.category + coalesce(', ' + toString(r.share) + '%', '')
              + coalesce(', ' + toString(r.year), '') + ')'
         ELSE '' END] AS step
WITH rank, level, t, p, step, inherit,
     reduce(sc = CASE WHEN size(inherit) > 0 THEN rank.implied ELSE rank.stated END,
            r IN relationships(p) |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score,
     reduce(txt = t.name, i IN range(0, length(p) - 1) |
       txt + CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i] THEN ' -' ELSE ' <-' END
           + step[i]
           + CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i] THEN '-> ' ELSE '- ' END
           + nodes(p)[i + 1].name) AS chain
// between equal chains, prefer a supply fact to a maker fact
ORDER BY length(p), score DESC, size([r IN relationships(p) WHERE type(r) = 'SUPPLIES']) DESC, chain
WITH level, t, collect({score: score, chain: chain, p: p})[0] AS best
RETURN t.name AS affected,
       t.id AS affected_id,
       [l IN labels(t) WHERE l <> 'Entity'][0] AS type,
       length(best.p) AS distance,
       level[best.score] AS confidence,
       best.chain AS chain,
       [r IN relationships(best.p) | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, source: r.source, as_of: r.as_of, confidence: r.confidence
       }] AS evidence
ORDER BY distance, best.score DESC, affected
