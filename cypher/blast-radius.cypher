/*
name: blast-radius
title: What is affected, transitively, if a supplier is cut off
description: >
  If a supplier (a company, a country, a product or a category) is cut off, which entities
  depend on it, directly or transitively, ranked by distance and confidence. A dependency step
  is one fact read in its dependent-to-provider direction: X relies on Y; Y supplies X (and,
  when the supply names a category, that category, whatever market it goes to: docs/supply.md);
  Y makes X (a product depends on its maker); a category depends on its member products and a
  whole on its parts; a company's output depends on its home country. With `inherited=true`,
  also the rule `place -> inside` (docs/inference.md): a region, site or builder inherits what
  the country or region it lies or builds in depends on (then at best `implied`); the rows that
  rest on it (`inferred`, naming it in `rules`) come after the rows from facts.
  Countries and world regions end a chain but pass nothing on in its middle, so a country's
  unrelated dependencies do not leak into each other. One row per affected entity with its
  shortest, then strongest, chain and the evidence of that chain, nearest first; the answer
  is made level by level, so a first page stops after the levels it needs.
mode: read
paged: true
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
  - name: inherited
    type: boolean
    default: false
    description: also what places inherit from the country or region they lie or build in (rule place -> inside)
returns: [affected, affected_id, type, distance, confidence, inferred, rules, chain, evidence]
example:
  supplier: CATL
  max_hops: 4
empty: >
  Nothing relies on {supplier} or is supplied by it within {max_hops} hops (inherited
  routes: inherited={inherited}).
  suppliers-of-category shows who supplies a category; depends-on what an entity itself relies
  on.
*/
// Breadth-first, level by level backwards from the supplier, never past $max_hops: each level keeps,
// per entity and state (what it may still pass on), one chain: the strongest (confidence is that of
// the weakest fact, so the strongest chain to an entity extends the strongest to its provider), then
// most supply facts, then the chain text. An entity is not expanded again in a state it (or a state
// able to do more) was already reached in at a shorter distance. Each entity is reported at the
// distance it was first reached, with its best chain there.
// States: S the supplier, H a firm headquartered in it, D reached by dependency facts, I by inheritance.
// The search is one reduce over the levels: acc carries the frontier, the chains found and the
// entities reached so far in each state (vis_*) from one level to the next.
// The answer comes level by level (rows from facts first, then, when asked, inferred rows): the
// rows of distance d are those first reached at level d, which a search of levels 1..d finds as
// the whole search does; each block is sorted on its own, so a page stops after the blocks it
// needs (a later block searches the earlier levels again).
WITH {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (s:Entity {id: $supplier})
WHERE NOT coalesce(s.created_run, '') IN hidden
UNWIND [false, true] AS inferred
UNWIND range(1, $max_hops) AS depth
CALL (rank, level, s, hidden, inferred, depth) {
  WITH rank, level, s, hidden, depth WHERE $inherited OR NOT inferred
  WITH rank, level, s, hidden, reduce(
    acc = {frontier: [{n: s, st: 'S', dc: 0, ic: 0, sc: 3, sup: 0, chain: s.name, rels: [], ns: [s]}],
           found: [], vis_d: [s], vis_i1: [s], vis_any: [s]},
    lvl IN range(1, depth) |
    // one level: the facts one step further back from the frontier, as candidate chains sorted by
    // entity and state, best first (nothing aggregates inside reduce: a sort and a scan instead);
    // `[x IN [value] | ...][0]` names a value once for the expression that follows
    [cs IN [COLLECT {
      UNWIND acc.frontier AS e
      WITH e, e.n AS y
      CALL (e, y, hidden) {
        // a dependency fact, read dependent (x) to provider (y); MAKES only as the fact nearest the
        // supplier, no more than 4 dependency facts, and a country or region passes nothing on
        WITH e, y WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
        MATCH (y)<-[r:RELIES_ON]-(x)
        WHERE NOT coalesce(r.created_run, '') IN hidden AND NOT coalesce(x.created_run, '') IN hidden
        RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
        UNION ALL
        WITH e, y WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
        MATCH (y)-[r:SUPPLIES|MAKES|IN_CATEGORY|PART_OF]->(x)
        WHERE (e.st <> 'D' OR type(r) <> 'MAKES')
          AND NOT coalesce(r.created_run, '') IN hidden AND NOT coalesce(x.created_run, '') IN hidden
        RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
        UNION ALL
        // a supply to a market names its category: the category depends on the supplier too
        WITH e, y WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
        MATCH (y)-[r:SUPPLIES]->(market:Entity)
        WHERE r.category IS NOT NULL AND market.id <> r.category
          AND NOT coalesce(r.created_run, '') IN hidden
        MATCH (x:Category {id: r.category})
        WHERE NOT coalesce(x.created_run, '') IN hidden
        RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
        UNION ALL
        // a company's output depends on its home country (only next to the supplier)
        WITH e, y WHERE e.st = 'S'
        MATCH (x:Entity)-[r:HEADQUARTERED_IN]->(y)
        WHERE NOT coalesce(r.created_run, '') IN hidden AND NOT coalesce(x.created_run, '') IN hidden
        RETURN x, r, 'H' AS st, 0 AS dc, 0 AS ic, 3 AS cap
        UNION ALL
        // a region, site or builder inherits what its country or region depends on (at best implied)
        WITH e, y WHERE $inherited AND ((e.st = 'D' AND y:Entity) OR (e.st = 'I' AND e.ic < 2))
        MATCH (x)-[r:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(y)
        WHERE NOT coalesce(r.created_run, '') IN hidden AND NOT coalesce(x.created_run, '') IN hidden
        RETURN x, r, 'I' AS st, 0 AS dc, e.ic + 1 AS ic, 2 AS cap
      }
      WITH e, x, r, st, dc, ic, cap
      // never from an entity already reached, in a state at least as able to go on, at a shorter
      // distance; at the last level only entities not reached yet matter; chains do not cross themselves
      WHERE CASE WHEN lvl = $max_hops THEN NOT x IN acc.vis_any
                 WHEN st = 'D' THEN NOT x IN acc.vis_d
                 WHEN ic = 1 THEN NOT x IN acc.vis_i1
                 WHEN st = 'I' THEN NOT x IN acc.vis_any
                 ELSE x <> s END
        AND none(v IN e.ns WHERE v = x)
      WITH e, x, r, st, dc, ic,
           CASE WHEN coalesce(rank[r.confidence], 3) < cap THEN coalesce(rank[r.confidence], 3) ELSE cap END AS fact_score
      WITH e, x, r, st, dc, ic,
           CASE WHEN fact_score < e.sc THEN fact_score ELSE e.sc END AS sc,
           e.sup + CASE WHEN type(r) = 'SUPPLIES' THEN 1 ELSE 0 END AS sup
      // what a state can still do: dependency facts left (within the hops left), inheritance facts so far
      WITH e, x, r, st, dc, ic, sc, sup,
           CASE WHEN lvl = $max_hops THEN []
                WHEN st = 'D' THEN [st, CASE WHEN 4 - dc < $max_hops - lvl THEN 4 - dc ELSE $max_hops - lvl END]
                ELSE [st, ic] END AS state
      // per entity and state: the strongest, most supply facts, then the chain text
      WITH e, x, r, st, dc, ic, sc, sup, [elementId(x)] + state AS key,
           x.name + CASE WHEN startNode(r) = x THEN ' -' ELSE ' <-' END
             + type(r) + CASE
               WHEN r.kind IS NOT NULL THEN '(' + r.kind + ')'
               WHEN r.category IS NOT NULL THEN '(' + r.category + coalesce(', ' + toString(r.share) + '%', '')
                    + coalesce(', ' + toString(r.year), '') + ')'
               ELSE '' END
             + CASE WHEN startNode(r) = x THEN '-> ' ELSE '- ' END + e.chain AS chain
      ORDER BY key, sc DESC, sup DESC, chain
      RETURN {key: key, n: x, st: st, dc: dc, ic: ic, sc: sc, sup: sup, chain: chain,
              rels: [r] + e.rels, ns: [x] + e.ns} AS c
    }] |
    // the first chain of each entity and state
    [next IN [[i IN range(0, size(cs) - 1) WHERE i = 0 OR cs[i].key <> cs[i - 1].key | cs[i]]] |
     {frontier: [e IN next WHERE e.st <> 'I' OR e.ic < 2],
      found: acc.found + [e IN next WHERE e.st <> 'H' AND NOT e.n IN acc.vis_any],
      vis_d: acc.vis_d + [e IN next WHERE e.st = 'D' | e.n],
      vis_i1: acc.vis_i1 + [e IN next WHERE e.st = 'D' OR e.ic = 1 | e.n],
      vis_any: acc.vis_any + [e IN next WHERE e.st <> 'H' | e.n]}][0]][0]) AS acc
  // found holds the chains of each entity at the distance it was first reached (one per state)
  UNWIND acc.found AS e
  WITH e, e.n AS t
  WHERE size(e.rels) = depth AND t:Entity AND NOT t:Source
    AND (size($types) = 0 OR any(l IN labels(t) WHERE l IN $types))
  WITH t, collect(e) AS es
  // the strongest; between equal chains, prefer a supply fact to a maker fact, then the chain text
  WITH t, reduce(b = es[0], e IN es[1..] |
         CASE WHEN e.sc > b.sc OR (e.sc = b.sc AND (e.sup > b.sup OR (e.sup = b.sup
                   AND e.chain IS NOT NULL AND (b.chain IS NULL OR e.chain < b.chain))))
              THEN e ELSE b END) AS best
  // a row rests on the rule when its chain ends in inheritance facts
  WITH t, best WHERE (best.st = 'I') = inferred
  RETURN t, best ORDER BY best.sc DESC, t.name, t.id
}
WITH level, inferred, t, best
SKIP $skip LIMIT $limit
RETURN t.name AS affected,
       t.id AS affected_id,
       [l IN labels(t) WHERE l <> 'Entity'][0] AS type,
       size(best.rels) AS distance,
       level[best.sc] AS confidence,
       inferred,
       CASE WHEN inferred THEN ['place -> inside'] ELSE [] END AS rules,
       best.chain AS chain,
       [r IN best.rels | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
