/*
name: dependency-paths
title: Dependency paths between two entities, in both directions
description: >
  How does A depend on B, and B on A? Chains of facts of at most `max_hops` steps, each step
  read in its dependent-to-provider direction (as in blast-radius): X relies on Y; Y supplies
  X; a product depends on its maker (as the last step); a category on its member products, a
  whole on its parts; a company's output depends on its home country (last). Countries and
  world regions pass nothing on in the middle of a chain. With `inherited=true`, also the
  chains inferred by the rule `place -> inside` (docs/inference.md): a region, site or builder
  inherits the dependencies of where it lies or builds (then at best `implied`); those rows
  name the rule and come after the direct ones. Rows per direction, direct first, then
  shortest and strongest, each with its chain, weakest confidence and evidence.
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
  - name: per_direction
    type: integer
    default: 10
    min: 1
    max: 500
    description: the most chains shown per direction (and as many inferred ones)
  - name: inherited
    type: boolean
    default: false
    description: also the chains inferred by the rule place -> inside
returns: [direction, hops, inferred, rules, confidence, chain, evidence]
example:
  a: Texas
  b: CATL
  inherited: true
paged: true
empty: >
  No chain of at most {max_hops} facts links {a} and {b} (inherited routes:
  inherited={inherited}). Try -p inherited=true for the chains a place inherits, or a larger
  max_hops; depends-on -p entity=NAME lists what one entity relies on.
*/
// the runs still staging: their nodes and facts are not shown (CONVENTIONS.md section 2)
CALL () {
  MATCH (run:LoadRun {status: 'staging'})
  RETURN collect(run.id) AS hidden
}
MATCH (a:Entity {id: $a}), (b:Entity {id: $b})
WHERE NOT coalesce(a.created_run, '') IN hidden AND NOT coalesce(b.created_run, '') IN hidden
UNWIND [[a, b, 0], [b, a, 1]] AS ends
WITH hidden, ends[0] AS src, ends[1] AS dst, ends[2] AS side
// Meet in the middle, so that neither end is expanded far: a chain is its head, its first two
// facts (or its only fact), grown from `src`, and its tail, the rest, grown backward from `dst`
// and kept only where it meets a head. Every chain is found once, then checked as a whole.
CALL (src) {
  // two inherited links (the rule place -> inside, only when asked)
  MATCH p = (src)-[:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(:Entity)-[:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(m)
  WHERE $inherited
  RETURN p, 2 AS took
  UNION
  // one inherited link, one dependency
  MATCH p = (src)-[:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(h:Entity)-[d:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(m)
  WHERE $inherited AND (type(d) = 'RELIES_ON') = (startNode(d) = h)
  RETURN p, 2 AS took
  UNION
  // two dependencies
  MATCH p = (src)-[d1:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(h:Entity)-[d2:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(m)
  WHERE (type(d1) = 'RELIES_ON') = (startNode(d1) = src)
    // a country or region passes nothing on in the middle of a chain (checked below as well)
    AND NOT (h:Country OR h:Region)
    AND (type(d2) = 'RELIES_ON') = (startNode(d2) = h)
  RETURN p, 2 AS took
  UNION
  // one dependency
  MATCH p = (src)-[d:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(m)
  WHERE (type(d) = 'RELIES_ON') = (startNode(d) = src)
  RETURN p, 1 AS took
}
WITH hidden, src, dst, side, p, took, last(nodes(p)) AS m
WHERE all(r IN relationships(p) WHERE NOT coalesce(r.created_run, '') IN hidden)
WITH hidden, src, dst, side, collect({m: m, p: p, took: took}) AS heads, collect(DISTINCT m) AS hm
CALL (dst, hm, hidden) {
  MATCH q = (m)
    ((x)-[d:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(y)
       WHERE (type(d) = 'RELIES_ON') = (startNode(d) = x)){0,2}
    (:Entity)
    ((firm)-[:HEADQUARTERED_IN]->(firm_home)){0,1}
    (dst)
  WHERE $max_hops <= 4 AND m IN hm AND length(q) <= $max_hops - 1
    AND all(r IN relationships(q) WHERE NOT coalesce(r.created_run, '') IN hidden)
  RETURN m, q
  UNION
  MATCH q = (m)
    ((x)-[d:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(y)
       WHERE (type(d) = 'RELIES_ON') = (startNode(d) = x)){0,4}
    (:Entity)
    ((firm)-[:HEADQUARTERED_IN]->(firm_home)){0,1}
    (dst)
  WHERE $max_hops > 4 AND m IN hm AND length(q) <= $max_hops - 1
    AND all(r IN relationships(q) WHERE NOT coalesce(r.created_run, '') IN hidden)
  RETURN m, q
}
UNWIND heads AS h
WITH src, dst, side, h, m, q
WHERE h.m = m
WITH src, dst, side, h.p AS p, h.took AS took, q
// a one-fact head is a whole chain, or all of it but the home-country link
WHERE (took = 2 OR all(r IN relationships(q) WHERE type(r) = 'HEADQUARTERED_IN'))
  AND length(p) + length(q) <= $max_hops
WITH src, dst, side, nodes(p) + tail(nodes(q)) AS ns, relationships(p) + relationships(q) AS rs
WITH src, dst, side, ns, rs,
     [i IN range(0, size(rs) - 1)
      WHERE NOT type(rs[i]) IN ['LOCATED_IN', 'BUILDS_IN', 'OPERATES_IN', 'HEADQUARTERED_IN']] AS dep
WHERE size(dep) >= 1 AND size(dep) <= 4
  // inherited links come first, dependencies next, the home-country link last
  AND all(i IN range(0, size(rs) - 1) WHERE
        CASE WHEN type(rs[i]) IN ['LOCATED_IN', 'BUILDS_IN', 'OPERATES_IN'] THEN i < dep[0]
             WHEN type(rs[i]) = 'HEADQUARTERED_IN' THEN i = size(rs) - 1
             ELSE true END)
  AND none(i IN dep[1..] WHERE ns[i]:Country OR ns[i]:Region)
  AND none(i IN dep[..-1] WHERE type(rs[i]) = 'MAKES')
  AND all(i IN range(0, size(rs) - 1) WHERE NOT ns[i] IN ns[i + 1..])
WITH {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level,
     src.name + ' depends on ' + dst.name AS direction, side, ns, rs,
     any(r IN rs WHERE type(r) IN ['LOCATED_IN', 'BUILDS_IN', 'OPERATES_IN']) AS inherited
WITH rank, level, direction, side, ns, rs, inherited,
     [r IN rs | type(r) + CASE
         WHEN r.kind IS NOT NULL THEN '(' + r.kind + ')'
         WHEN r.category IS NOT NULL THEN '(' + r.category + coalesce(', ' + toString(r.share) + '%', '')
              + coalesce(', ' + toString(r.year), '') + ')'
         ELSE '' END] AS step
WITH rank, level, direction, side, ns, rs, step, inherited,
     reduce(sc = CASE WHEN inherited THEN rank.implied ELSE rank.stated END, r IN rs |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score,
     reduce(txt = ns[0].name, i IN range(0, size(rs) - 1) |
       txt + CASE WHEN startNode(rs[i]) = ns[i] THEN ' -' ELSE ' <-' END
           + step[i]
           + CASE WHEN startNode(rs[i]) = ns[i] THEN '-> ' ELSE '- ' END
           + ns[i + 1].name) AS chain
ORDER BY side, inherited, size(rs), score DESC,
         size([r IN rs WHERE type(r) = 'SUPPLIES']) DESC, chain
WITH level, side, direction, inherited,
     collect({rs: rs, score: score, chain: chain})[..$per_direction] AS chains
UNWIND range(0, size(chains) - 1) AS rank_in_direction
WITH level, side, direction, inherited, rank_in_direction, chains[rank_in_direction] AS c
ORDER BY side, inherited, rank_in_direction
SKIP $skip LIMIT $limit
RETURN direction,
       size(c.rs) AS hops,
       inherited AS inferred,
       CASE WHEN inherited THEN ['place -> inside'] ELSE [] END AS rules,
       level[c.score] AS confidence,
       c.chain AS chain,
       [r IN c.rs | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
