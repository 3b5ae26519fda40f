/*
name: blast-radius
title: What is affected, transitively, if a supplier is cut off
description: >
  If a supplier (a company, a country, a product or a category) is cut off, which entities
  depend on it, directly or transitively, ranked by distance and confidence. A dependency step
  is one fact read in its dependent-to-provider direction: X relies on Y; Y supplies X (and,
  when the supply names a category, that category, whatever market it goes to: docs/supply.md);
  Y makes X (a product depends on its maker); a category depends on its member products and a
  whole on its parts. A region, site or builder inherits what the country or region it lies or builds in
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
empty: >
  Nothing relies on {supplier} or is supplied by it within {max_hops} hops.
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
// Cypher has no loop that feeds one level's rows to the next, so each level is a CALL block of its
// own. Only level 1 is written by hand: levels 2-6 are level 1 with its number changed
// (`python -m kb.unroll` writes them; tests/test_cypher_home.py fails while they differ).
WITH {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level
MATCH (s:Entity {id: $supplier})
WITH rank, level, s,
     [{n: s, st: 'S', dc: 0, ic: 0, sc: 3, sup: 0, chain: s.name, rels: [], ns: [s]}] AS frontier,
     [] AS found, [s] AS vis_d, [s] AS vis_i1, [s] AS vis_any
// ---- level 1: facts one step further back from the frontier
CALL {
  WITH rank, s, frontier, vis_d, vis_i1, vis_any
  WITH * WHERE 1 <= $max_hops
  UNWIND frontier AS e
  WITH rank, s, vis_d, vis_i1, vis_any, e, e.n AS y
  CALL {
    // a dependency fact, read dependent (x) to provider (y); MAKES only as the fact nearest the
    // supplier, no more than 4 dependency facts, and a country or region passes nothing on
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)<-[r:RELIES_ON]-(x)
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES|MAKES|IN_CATEGORY|PART_OF]->(x)
    WHERE e.st <> 'D' OR type(r) <> 'MAKES'
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a supply to a market names its category: the category depends on the supplier too
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES]->(market:Entity)
    WHERE r.category IS NOT NULL AND market.id <> r.category
    MATCH (x:Category {id: r.category})
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a company's output depends on its home country (only next to the supplier)
    WITH e, y WITH * WHERE e.st = 'S'
    MATCH (x:Entity)-[r:HEADQUARTERED_IN]->(y)
    RETURN x, r, 'H' AS st, 0 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a region, site or builder inherits what its country or region depends on (at best implied)
    WITH e, y WITH * WHERE (e.st = 'D' AND y:Entity) OR (e.st = 'I' AND e.ic < 2)
    MATCH (x)-[r:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(y)
    RETURN x, r, 'I' AS st, 0 AS dc, e.ic + 1 AS ic, 2 AS cap
  }
  WITH rank, e, x, r, st, dc, ic, cap
  // never from an entity already reached, in a state at least as able to go on, at a shorter
  // distance; at the last level only entities not reached yet matter; chains do not cross themselves
  WHERE CASE WHEN 1 = $max_hops THEN NOT x IN vis_any
             WHEN st = 'D' THEN NOT x IN vis_d
             WHEN ic = 1 THEN NOT x IN vis_i1
             WHEN st = 'I' THEN NOT x IN vis_any
             ELSE x <> s END
    AND none(v IN e.ns WHERE v = x)
  WITH e, x, r, st, dc, ic,
       CASE WHEN coalesce(rank[r.confidence], 3) < cap THEN coalesce(rank[r.confidence], 3) ELSE cap END AS fact_score
  WITH e, x, r, st, dc, ic,
       CASE WHEN fact_score < e.sc THEN fact_score ELSE e.sc END AS sc,
       e.sup + CASE WHEN type(r) = 'SUPPLIES' THEN 1 ELSE 0 END AS sup
  // what a state can still do: dependency facts left (within the hops left), inheritance facts so far
  WITH e, x, r, st, dc, ic, sc, sup,
       CASE WHEN 1 = $max_hops THEN []
            WHEN st = 'D' THEN [st, CASE WHEN 4 - dc < $max_hops - 1 THEN 4 - dc ELSE $max_hops - 1 END]
            ELSE [st, ic] END AS state
  // per entity and state, the chain the original order would list first: strongest, most supply
  // facts, then the chain text (only spelt out for the chains tied so far)
  ORDER BY sc DESC, sup DESC
  WITH x, state,
       collect({e: e, r: r, st: st, dc: dc, ic: ic, sc: sc, sup: sup}) AS cs
  WITH x, state, [c IN cs WHERE c.sc = cs[0].sc AND c.sup = cs[0].sup | c {.*,
         chain: x.name + CASE WHEN startNode(c.r) = x THEN ' -' ELSE ' <-' END
           + type(c.r) + CASE
             WHEN c.r.kind IS NOT NULL THEN '(' + c.r.kind + ')'
             WHEN c.r.category IS NOT NULL THEN '(' + c.r.category + coalesce(', ' + toString(c.r.share) + '%', '')
                  + coalesce(', ' + toString(c.r.year), '') + ')'
             ELSE '' END
           + CASE WHEN startNode(c.r) = x THEN '-> ' ELSE '- ' END + c.e.chain}] AS cs
  WITH x, state, reduce(b = cs[0], c IN cs[1..] |
         CASE WHEN c.chain IS NOT NULL AND (b.chain IS NULL OR c.chain < b.chain) THEN c ELSE b END) AS c
  WITH x, state, {n: x, st: c.st, dc: c.dc, ic: c.ic, sc: c.sc, sup: c.sup, chain: c.chain,
                  rels: [c.r] + c.e.rels, ns: [x] + c.e.ns} AS best
  RETURN collect(best) AS next
}
WITH rank, level, s, [e IN next WHERE e.st <> 'I' OR e.ic < 2] AS frontier,
     found + [e IN next WHERE e.st <> 'H' AND NOT e.n IN vis_any] AS found,
     vis_d + [e IN next WHERE e.st = 'D' | e.n] AS vis_d,
     vis_i1 + [e IN next WHERE e.st = 'D' OR e.ic = 1 | e.n] AS vis_i1,
     vis_any + [e IN next WHERE e.st <> 'H' | e.n] AS vis_any
// ---- level 2: facts one step further back from the frontier
CALL {
  WITH rank, s, frontier, vis_d, vis_i1, vis_any
  WITH * WHERE 2 <= $max_hops
  UNWIND frontier AS e
  WITH rank, s, vis_d, vis_i1, vis_any, e, e.n AS y
  CALL {
    // a dependency fact, read dependent (x) to provider (y); MAKES only as the fact nearest the
    // supplier, no more than 4 dependency facts, and a country or region passes nothing on
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)<-[r:RELIES_ON]-(x)
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES|MAKES|IN_CATEGORY|PART_OF]->(x)
    WHERE e.st <> 'D' OR type(r) <> 'MAKES'
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a supply to a market names its category: the category depends on the supplier too
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES]->(market:Entity)
    WHERE r.category IS NOT NULL AND market.id <> r.category
    MATCH (x:Category {id: r.category})
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a company's output depends on its home country (only next to the supplier)
    WITH e, y WITH * WHERE e.st = 'S'
    MATCH (x:Entity)-[r:HEADQUARTERED_IN]->(y)
    RETURN x, r, 'H' AS st, 0 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a region, site or builder inherits what its country or region depends on (at best implied)
    WITH e, y WITH * WHERE (e.st = 'D' AND y:Entity) OR (e.st = 'I' AND e.ic < 2)
    MATCH (x)-[r:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(y)
    RETURN x, r, 'I' AS st, 0 AS dc, e.ic + 1 AS ic, 2 AS cap
  }
  WITH rank, e, x, r, st, dc, ic, cap
  // never from an entity already reached, in a state at least as able to go on, at a shorter
  // distance; at the last level only entities not reached yet matter; chains do not cross themselves
  WHERE CASE WHEN 2 = $max_hops THEN NOT x IN vis_any
             WHEN st = 'D' THEN NOT x IN vis_d
             WHEN ic = 1 THEN NOT x IN vis_i1
             WHEN st = 'I' THEN NOT x IN vis_any
             ELSE x <> s END
    AND none(v IN e.ns WHERE v = x)
  WITH e, x, r, st, dc, ic,
       CASE WHEN coalesce(rank[r.confidence], 3) < cap THEN coalesce(rank[r.confidence], 3) ELSE cap END AS fact_score
  WITH e, x, r, st, dc, ic,
       CASE WHEN fact_score < e.sc THEN fact_score ELSE e.sc END AS sc,
       e.sup + CASE WHEN type(r) = 'SUPPLIES' THEN 1 ELSE 0 END AS sup
  // what a state can still do: dependency facts left (within the hops left), inheritance facts so far
  WITH e, x, r, st, dc, ic, sc, sup,
       CASE WHEN 2 = $max_hops THEN []
            WHEN st = 'D' THEN [st, CASE WHEN 4 - dc < $max_hops - 2 THEN 4 - dc ELSE $max_hops - 2 END]
            ELSE [st, ic] END AS state
  // per entity and state, the chain the original order would list first: strongest, most supply
  // facts, then the chain text (only spelt out for the chains tied so far)
  ORDER BY sc DESC, sup DESC
  WITH x, state,
       collect({e: e, r: r, st: st, dc: dc, ic: ic, sc: sc, sup: sup}) AS cs
  WITH x, state, [c IN cs WHERE c.sc = cs[0].sc AND c.sup = cs[0].sup | c {.*,
         chain: x.name + CASE WHEN startNode(c.r) = x THEN ' -' ELSE ' <-' END
           + type(c.r) + CASE
             WHEN c.r.kind IS NOT NULL THEN '(' + c.r.kind + ')'
             WHEN c.r.category IS NOT NULL THEN '(' + c.r.category + coalesce(', ' + toString(c.r.share) + '%', '')
                  + coalesce(', ' + toString(c.r.year), '') + ')'
             ELSE '' END
           + CASE WHEN startNode(c.r) = x THEN '-> ' ELSE '- ' END + c.e.chain}] AS cs
  WITH x, state, reduce(b = cs[0], c IN cs[1..] |
         CASE WHEN c.chain IS NOT NULL AND (b.chain IS NULL OR c.chain < b.chain) THEN c ELSE b END) AS c
  WITH x, state, {n: x, st: c.st, dc: c.dc, ic: c.ic, sc: c.sc, sup: c.sup, chain: c.chain,
                  rels: [c.r] + c.e.rels, ns: [x] + c.e.ns} AS best
  RETURN collect(best) AS next
}
WITH rank, level, s, [e IN next WHERE e.st <> 'I' OR e.ic < 2] AS frontier,
     found + [e IN next WHERE e.st <> 'H' AND NOT e.n IN vis_any] AS found,
     vis_d + [e IN next WHERE e.st = 'D' | e.n] AS vis_d,
     vis_i1 + [e IN next WHERE e.st = 'D' OR e.ic = 1 | e.n] AS vis_i1,
     vis_any + [e IN next WHERE e.st <> 'H' | e.n] AS vis_any
// ---- level 3: facts one step further back from the frontier
CALL {
  WITH rank, s, frontier, vis_d, vis_i1, vis_any
  WITH * WHERE 3 <= $max_hops
  UNWIND frontier AS e
  WITH rank, s, vis_d, vis_i1, vis_any, e, e.n AS y
  CALL {
    // a dependency fact, read dependent (x) to provider (y); MAKES only as the fact nearest the
    // supplier, no more than 4 dependency facts, and a country or region passes nothing on
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)<-[r:RELIES_ON]-(x)
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES|MAKES|IN_CATEGORY|PART_OF]->(x)
    WHERE e.st <> 'D' OR type(r) <> 'MAKES'
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a supply to a market names its category: the category depends on the supplier too
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES]->(market:Entity)
    WHERE r.category IS NOT NULL AND market.id <> r.category
    MATCH (x:Category {id: r.category})
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a company's output depends on its home country (only next to the supplier)
    WITH e, y WITH * WHERE e.st = 'S'
    MATCH (x:Entity)-[r:HEADQUARTERED_IN]->(y)
    RETURN x, r, 'H' AS st, 0 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a region, site or builder inherits what its country or region depends on (at best implied)
    WITH e, y WITH * WHERE (e.st = 'D' AND y:Entity) OR (e.st = 'I' AND e.ic < 2)
    MATCH (x)-[r:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(y)
    RETURN x, r, 'I' AS st, 0 AS dc, e.ic + 1 AS ic, 2 AS cap
  }
  WITH rank, e, x, r, st, dc, ic, cap
  // never from an entity already reached, in a state at least as able to go on, at a shorter
  // distance; at the last level only entities not reached yet matter; chains do not cross themselves
  WHERE CASE WHEN 3 = $max_hops THEN NOT x IN vis_any
             WHEN st = 'D' THEN NOT x IN vis_d
             WHEN ic = 1 THEN NOT x IN vis_i1
             WHEN st = 'I' THEN NOT x IN vis_any
             ELSE x <> s END
    AND none(v IN e.ns WHERE v = x)
  WITH e, x, r, st, dc, ic,
       CASE WHEN coalesce(rank[r.confidence], 3) < cap THEN coalesce(rank[r.confidence], 3) ELSE cap END AS fact_score
  WITH e, x, r, st, dc, ic,
       CASE WHEN fact_score < e.sc THEN fact_score ELSE e.sc END AS sc,
       e.sup + CASE WHEN type(r) = 'SUPPLIES' THEN 1 ELSE 0 END AS sup
  // what a state can still do: dependency facts left (within the hops left), inheritance facts so far
  WITH e, x, r, st, dc, ic, sc, sup,
       CASE WHEN 3 = $max_hops THEN []
            WHEN st = 'D' THEN [st, CASE WHEN 4 - dc < $max_hops - 3 THEN 4 - dc ELSE $max_hops - 3 END]
            ELSE [st, ic] END AS state
  // per entity and state, the chain the original order would list first: strongest, most supply
  // facts, then the chain text (only spelt out for the chains tied so far)
  ORDER BY sc DESC, sup DESC
  WITH x, state,
       collect({e: e, r: r, st: st, dc: dc, ic: ic, sc: sc, sup: sup}) AS cs
  WITH x, state, [c IN cs WHERE c.sc = cs[0].sc AND c.sup = cs[0].sup | c {.*,
         chain: x.name + CASE WHEN startNode(c.r) = x THEN ' -' ELSE ' <-' END
           + type(c.r) + CASE
             WHEN c.r.kind IS NOT NULL THEN '(' + c.r.kind + ')'
             WHEN c.r.category IS NOT NULL THEN '(' + c.r.category + coalesce(', ' + toString(c.r.share) + '%', '')
                  + coalesce(', ' + toString(c.r.year), '') + ')'
             ELSE '' END
           + CASE WHEN startNode(c.r) = x THEN '-> ' ELSE '- ' END + c.e.chain}] AS cs
  WITH x, state, reduce(b = cs[0], c IN cs[1..] |
         CASE WHEN c.chain IS NOT NULL AND (b.chain IS NULL OR c.chain < b.chain) THEN c ELSE b END) AS c
  WITH x, state, {n: x, st: c.st, dc: c.dc, ic: c.ic, sc: c.sc, sup: c.sup, chain: c.chain,
                  rels: [c.r] + c.e.rels, ns: [x] + c.e.ns} AS best
  RETURN collect(best) AS next
}
WITH rank, level, s, [e IN next WHERE e.st <> 'I' OR e.ic < 2] AS frontier,
     found + [e IN next WHERE e.st <> 'H' AND NOT e.n IN vis_any] AS found,
     vis_d + [e IN next WHERE e.st = 'D' | e.n] AS vis_d,
     vis_i1 + [e IN next WHERE e.st = 'D' OR e.ic = 1 | e.n] AS vis_i1,
     vis_any + [e IN next WHERE e.st <> 'H' | e.n] AS vis_any
// ---- level 4: facts one step further back from the frontier
CALL {
  WITH rank, s, frontier, vis_d, vis_i1, vis_any
  WITH * WHERE 4 <= $max_hops
  UNWIND frontier AS e
  WITH rank, s, vis_d, vis_i1, vis_any, e, e.n AS y
  CALL {
    // a dependency fact, read dependent (x) to provider (y); MAKES only as the fact nearest the
    // supplier, no more than 4 dependency facts, and a country or region passes nothing on
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)<-[r:RELIES_ON]-(x)
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES|MAKES|IN_CATEGORY|PART_OF]->(x)
    WHERE e.st <> 'D' OR type(r) <> 'MAKES'
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a supply to a market names its category: the category depends on the supplier too
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES]->(market:Entity)
    WHERE r.category IS NOT NULL AND market.id <> r.category
    MATCH (x:Category {id: r.category})
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a company's output depends on its home country (only next to the supplier)
    WITH e, y WITH * WHERE e.st = 'S'
    MATCH (x:Entity)-[r:HEADQUARTERED_IN]->(y)
    RETURN x, r, 'H' AS st, 0 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a region, site or builder inherits what its country or region depends on (at best implied)
    WITH e, y WITH * WHERE (e.st = 'D' AND y:Entity) OR (e.st = 'I' AND e.ic < 2)
    MATCH (x)-[r:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(y)
    RETURN x, r, 'I' AS st, 0 AS dc, e.ic + 1 AS ic, 2 AS cap
  }
  WITH rank, e, x, r, st, dc, ic, cap
  // never from an entity already reached, in a state at least as able to go on, at a shorter
  // distance; at the last level only entities not reached yet matter; chains do not cross themselves
  WHERE CASE WHEN 4 = $max_hops THEN NOT x IN vis_any
             WHEN st = 'D' THEN NOT x IN vis_d
             WHEN ic = 1 THEN NOT x IN vis_i1
             WHEN st = 'I' THEN NOT x IN vis_any
             ELSE x <> s END
    AND none(v IN e.ns WHERE v = x)
  WITH e, x, r, st, dc, ic,
       CASE WHEN coalesce(rank[r.confidence], 3) < cap THEN coalesce(rank[r.confidence], 3) ELSE cap END AS fact_score
  WITH e, x, r, st, dc, ic,
       CASE WHEN fact_score < e.sc THEN fact_score ELSE e.sc END AS sc,
       e.sup + CASE WHEN type(r) = 'SUPPLIES' THEN 1 ELSE 0 END AS sup
  // what a state can still do: dependency facts left (within the hops left), inheritance facts so far
  WITH e, x, r, st, dc, ic, sc, sup,
       CASE WHEN 4 = $max_hops THEN []
            WHEN st = 'D' THEN [st, CASE WHEN 4 - dc < $max_hops - 4 THEN 4 - dc ELSE $max_hops - 4 END]
            ELSE [st, ic] END AS state
  // per entity and state, the chain the original order would list first: strongest, most supply
  // facts, then the chain text (only spelt out for the chains tied so far)
  ORDER BY sc DESC, sup DESC
  WITH x, state,
       collect({e: e, r: r, st: st, dc: dc, ic: ic, sc: sc, sup: sup}) AS cs
  WITH x, state, [c IN cs WHERE c.sc = cs[0].sc AND c.sup = cs[0].sup | c {.*,
         chain: x.name + CASE WHEN startNode(c.r) = x THEN ' -' ELSE ' <-' END
           + type(c.r) + CASE
             WHEN c.r.kind IS NOT NULL THEN '(' + c.r.kind + ')'
             WHEN c.r.category IS NOT NULL THEN '(' + c.r.category + coalesce(', ' + toString(c.r.share) + '%', '')
                  + coalesce(', ' + toString(c.r.year), '') + ')'
             ELSE '' END
           + CASE WHEN startNode(c.r) = x THEN '-> ' ELSE '- ' END + c.e.chain}] AS cs
  WITH x, state, reduce(b = cs[0], c IN cs[1..] |
         CASE WHEN c.chain IS NOT NULL AND (b.chain IS NULL OR c.chain < b.chain) THEN c ELSE b END) AS c
  WITH x, state, {n: x, st: c.st, dc: c.dc, ic: c.ic, sc: c.sc, sup: c.sup, chain: c.chain,
                  rels: [c.r] + c.e.rels, ns: [x] + c.e.ns} AS best
  RETURN collect(best) AS next
}
WITH rank, level, s, [e IN next WHERE e.st <> 'I' OR e.ic < 2] AS frontier,
     found + [e IN next WHERE e.st <> 'H' AND NOT e.n IN vis_any] AS found,
     vis_d + [e IN next WHERE e.st = 'D' | e.n] AS vis_d,
     vis_i1 + [e IN next WHERE e.st = 'D' OR e.ic = 1 | e.n] AS vis_i1,
     vis_any + [e IN next WHERE e.st <> 'H' | e.n] AS vis_any
// ---- level 5: facts one step further back from the frontier
CALL {
  WITH rank, s, frontier, vis_d, vis_i1, vis_any
  WITH * WHERE 5 <= $max_hops
  UNWIND frontier AS e
  WITH rank, s, vis_d, vis_i1, vis_any, e, e.n AS y
  CALL {
    // a dependency fact, read dependent (x) to provider (y); MAKES only as the fact nearest the
    // supplier, no more than 4 dependency facts, and a country or region passes nothing on
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)<-[r:RELIES_ON]-(x)
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES|MAKES|IN_CATEGORY|PART_OF]->(x)
    WHERE e.st <> 'D' OR type(r) <> 'MAKES'
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a supply to a market names its category: the category depends on the supplier too
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES]->(market:Entity)
    WHERE r.category IS NOT NULL AND market.id <> r.category
    MATCH (x:Category {id: r.category})
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a company's output depends on its home country (only next to the supplier)
    WITH e, y WITH * WHERE e.st = 'S'
    MATCH (x:Entity)-[r:HEADQUARTERED_IN]->(y)
    RETURN x, r, 'H' AS st, 0 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a region, site or builder inherits what its country or region depends on (at best implied)
    WITH e, y WITH * WHERE (e.st = 'D' AND y:Entity) OR (e.st = 'I' AND e.ic < 2)
    MATCH (x)-[r:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(y)
    RETURN x, r, 'I' AS st, 0 AS dc, e.ic + 1 AS ic, 2 AS cap
  }
  WITH rank, e, x, r, st, dc, ic, cap
  // never from an entity already reached, in a state at least as able to go on, at a shorter
  // distance; at the last level only entities not reached yet matter; chains do not cross themselves
  WHERE CASE WHEN 5 = $max_hops THEN NOT x IN vis_any
             WHEN st = 'D' THEN NOT x IN vis_d
             WHEN ic = 1 THEN NOT x IN vis_i1
             WHEN st = 'I' THEN NOT x IN vis_any
             ELSE x <> s END
    AND none(v IN e.ns WHERE v = x)
  WITH e, x, r, st, dc, ic,
       CASE WHEN coalesce(rank[r.confidence], 3) < cap THEN coalesce(rank[r.confidence], 3) ELSE cap END AS fact_score
  WITH e, x, r, st, dc, ic,
       CASE WHEN fact_score < e.sc THEN fact_score ELSE e.sc END AS sc,
       e.sup + CASE WHEN type(r) = 'SUPPLIES' THEN 1 ELSE 0 END AS sup
  // what a state can still do: dependency facts left (within the hops left), inheritance facts so far
  WITH e, x, r, st, dc, ic, sc, sup,
       CASE WHEN 5 = $max_hops THEN []
            WHEN st = 'D' THEN [st, CASE WHEN 4 - dc < $max_hops - 5 THEN 4 - dc ELSE $max_hops - 5 END]
            ELSE [st, ic] END AS state
  // per entity and state, the chain the original order would list first: strongest, most supply
  // facts, then the chain text (only spelt out for the chains tied so far)
  ORDER BY sc DESC, sup DESC
  WITH x, state,
       collect({e: e, r: r, st: st, dc: dc, ic: ic, sc: sc, sup: sup}) AS cs
  WITH x, state, [c IN cs WHERE c.sc = cs[0].sc AND c.sup = cs[0].sup | c {.*,
         chain: x.name + CASE WHEN startNode(c.r) = x THEN ' -' ELSE ' <-' END
           + type(c.r) + CASE
             WHEN c.r.kind IS NOT NULL THEN '(' + c.r.kind + ')'
             WHEN c.r.category IS NOT NULL THEN '(' + c.r.category + coalesce(', ' + toString(c.r.share) + '%', '')
                  + coalesce(', ' + toString(c.r.year), '') + ')'
             ELSE '' END
           + CASE WHEN startNode(c.r) = x THEN '-> ' ELSE '- ' END + c.e.chain}] AS cs
  WITH x, state, reduce(b = cs[0], c IN cs[1..] |
         CASE WHEN c.chain IS NOT NULL AND (b.chain IS NULL OR c.chain < b.chain) THEN c ELSE b END) AS c
  WITH x, state, {n: x, st: c.st, dc: c.dc, ic: c.ic, sc: c.sc, sup: c.sup, chain: c.chain,
                  rels: [c.r] + c.e.rels, ns: [x] + c.e.ns} AS best
  RETURN collect(best) AS next
}
WITH rank, level, s, [e IN next WHERE e.st <> 'I' OR e.ic < 2] AS frontier,
     found + [e IN next WHERE e.st <> 'H' AND NOT e.n IN vis_any] AS found,
     vis_d + [e IN next WHERE e.st = 'D' | e.n] AS vis_d,
     vis_i1 + [e IN next WHERE e.st = 'D' OR e.ic = 1 | e.n] AS vis_i1,
     vis_any + [e IN next WHERE e.st <> 'H' | e.n] AS vis_any
// ---- level 6: facts one step further back from the frontier
CALL {
  WITH rank, s, frontier, vis_d, vis_i1, vis_any
  WITH * WHERE 6 <= $max_hops
  UNWIND frontier AS e
  WITH rank, s, vis_d, vis_i1, vis_any, e, e.n AS y
  CALL {
    // a dependency fact, read dependent (x) to provider (y); MAKES only as the fact nearest the
    // supplier, no more than 4 dependency facts, and a country or region passes nothing on
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)<-[r:RELIES_ON]-(x)
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES|MAKES|IN_CATEGORY|PART_OF]->(x)
    WHERE e.st <> 'D' OR type(r) <> 'MAKES'
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a supply to a market names its category: the category depends on the supplier too
    WITH e, y WITH * WHERE e.st IN ['S', 'H'] OR (e.st = 'D' AND e.dc < 4 AND NOT y:Country AND NOT y:Region)
    MATCH (y)-[r:SUPPLIES]->(market:Entity)
    WHERE r.category IS NOT NULL AND market.id <> r.category
    MATCH (x:Category {id: r.category})
    RETURN x, r, 'D' AS st, e.dc + 1 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a company's output depends on its home country (only next to the supplier)
    WITH e, y WITH * WHERE e.st = 'S'
    MATCH (x:Entity)-[r:HEADQUARTERED_IN]->(y)
    RETURN x, r, 'H' AS st, 0 AS dc, 0 AS ic, 3 AS cap
    UNION ALL
    // a region, site or builder inherits what its country or region depends on (at best implied)
    WITH e, y WITH * WHERE (e.st = 'D' AND y:Entity) OR (e.st = 'I' AND e.ic < 2)
    MATCH (x)-[r:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(y)
    RETURN x, r, 'I' AS st, 0 AS dc, e.ic + 1 AS ic, 2 AS cap
  }
  WITH rank, e, x, r, st, dc, ic, cap
  // never from an entity already reached, in a state at least as able to go on, at a shorter
  // distance; at the last level only entities not reached yet matter; chains do not cross themselves
  WHERE CASE WHEN 6 = $max_hops THEN NOT x IN vis_any
             WHEN st = 'D' THEN NOT x IN vis_d
             WHEN ic = 1 THEN NOT x IN vis_i1
             WHEN st = 'I' THEN NOT x IN vis_any
             ELSE x <> s END
    AND none(v IN e.ns WHERE v = x)
  WITH e, x, r, st, dc, ic,
       CASE WHEN coalesce(rank[r.confidence], 3) < cap THEN coalesce(rank[r.confidence], 3) ELSE cap END AS fact_score
  WITH e, x, r, st, dc, ic,
       CASE WHEN fact_score < e.sc THEN fact_score ELSE e.sc END AS sc,
       e.sup + CASE WHEN type(r) = 'SUPPLIES' THEN 1 ELSE 0 END AS sup
  // what a state can still do: dependency facts left (within the hops left), inheritance facts so far
  WITH e, x, r, st, dc, ic, sc, sup,
       CASE WHEN 6 = $max_hops THEN []
            WHEN st = 'D' THEN [st, CASE WHEN 4 - dc < $max_hops - 6 THEN 4 - dc ELSE $max_hops - 6 END]
            ELSE [st, ic] END AS state
  // per entity and state, the chain the original order would list first: strongest, most supply
  // facts, then the chain text (only spelt out for the chains tied so far)
  ORDER BY sc DESC, sup DESC
  WITH x, state,
       collect({e: e, r: r, st: st, dc: dc, ic: ic, sc: sc, sup: sup}) AS cs
  WITH x, state, [c IN cs WHERE c.sc = cs[0].sc AND c.sup = cs[0].sup | c {.*,
         chain: x.name + CASE WHEN startNode(c.r) = x THEN ' -' ELSE ' <-' END
           + type(c.r) + CASE
             WHEN c.r.kind IS NOT NULL THEN '(' + c.r.kind + ')'
             WHEN c.r.category IS NOT NULL THEN '(' + c.r.category + coalesce(', ' + toString(c.r.share) + '%', '')
                  + coalesce(', ' + toString(c.r.year), '') + ')'
             ELSE '' END
           + CASE WHEN startNode(c.r) = x THEN '-> ' ELSE '- ' END + c.e.chain}] AS cs
  WITH x, state, reduce(b = cs[0], c IN cs[1..] |
         CASE WHEN c.chain IS NOT NULL AND (b.chain IS NULL OR c.chain < b.chain) THEN c ELSE b END) AS c
  WITH x, state, {n: x, st: c.st, dc: c.dc, ic: c.ic, sc: c.sc, sup: c.sup, chain: c.chain,
                  rels: [c.r] + c.e.rels, ns: [x] + c.e.ns} AS best
  RETURN collect(best) AS next
}
WITH rank, level, s, [e IN next WHERE e.st <> 'I' OR e.ic < 2] AS frontier,
     found + [e IN next WHERE e.st <> 'H' AND NOT e.n IN vis_any] AS found,
     vis_d + [e IN next WHERE e.st = 'D' | e.n] AS vis_d,
     vis_i1 + [e IN next WHERE e.st = 'D' OR e.ic = 1 | e.n] AS vis_i1,
     vis_any + [e IN next WHERE e.st <> 'H' | e.n] AS vis_any
// ---- after the levels
// found holds the chains of each entity at the distance it was first reached (one per state)
UNWIND found AS e
WITH level, e, e.n AS t
WHERE t:Entity AND NOT t:Source
  AND (size($types) = 0 OR any(l IN labels(t) WHERE l IN $types))
WITH level, t, collect(e) AS es
// the strongest; between equal chains, prefer a supply fact to a maker fact, then the chain text
WITH level, t, reduce(b = es[0], e IN es[1..] |
       CASE WHEN e.sc > b.sc OR (e.sc = b.sc AND (e.sup > b.sup OR (e.sup = b.sup
                 AND e.chain IS NOT NULL AND (b.chain IS NULL OR e.chain < b.chain))))
            THEN e ELSE b END) AS best
RETURN t.name AS affected,
       t.id AS affected_id,
       [l IN labels(t) WHERE l <> 'Entity'][0] AS type,
       size(best.rels) AS distance,
       level[best.sc] AS confidence,
       best.chain AS chain,
       [r IN best.rels | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
ORDER BY distance, best.sc DESC, affected
