/*
name: sites-relying-on-supplier
title: Sites, regions and builders of a country that rely on a supplier (e.g. U.S. on CATL)
description: >
  Which sites, regions and data-center builders/operators of a country (default U.S.) rely on
  a supplier (a company such as CATL, or a country such as China) or on a category (such as
  lithium-ion batteries), directly or indirectly; with supplier 'all', on any vendor under a
  restriction (ban, listing, export control; e.g. after loading the 1260H list). A chain runs
  from the place to what it relies on, then through the dependency graph (relies on, is
  supplied by, category member, part, made by; a supply to a market that names its category
  counts as a supply of that category) to the supplier, and ends at the supplier's home
  country. The search is blast-radius's, kept to the country's places: each place is reported
  at the distance it is first reached, with its best chain there (the strongest: a chain's
  confidence is its weakest fact; then most supply facts, then the chain text);
  `other_chains` counts the other chains as short, each through another fact next to the
  place. Rows come shortest first, then strongest, sites and regions before companies. With
  `inherited=true`, also the rule `place -> inside` (docs/inference.md): a place with no chain
  from facts alone may inherit one (a region or site inherits the reliance of the region and
  country it lies in; a builder that of the country or region it builds in), e.g. Texas ->
  United States -> Lithium-ion batteries <- CATL -> China, at best `implied`; such rows are
  `inferred`, come after the others and name the rule in `rules`. Each row carries the
  supplier's restrictions, the country-level supply flows (share, value, year) from the
  supplier's home country in the chain's categories (or, for a chain without a category,
  every quantified flow), and the evidence. The article names no individual U.S. campus, so
  U.S. answers are regions and builders, which rely on CATL by inheritance: ask with `-p
  inherited=true`.
mode: read
paged: true
params:
  - name: country
    type: entity
    labels: [Country]
    default: US
    description: the country whose sites, regions and builders are examined
  - name: supplier
    type: entity
    labels: [Company, Country, Category, Product]
    default: CATL
    description: the supplier (company or country) or category relied on; 'all' for every restricted vendor
  - name: max_hops
    type: integer
    default: 6
    min: 1
    max: 6
    description: the longest chain (in facts) considered, the supplier's home link excluded
  - name: inherited
    type: boolean
    default: false
    description: also the chains through what a place inherits from the country or region it lies or builds in (rule place -> inside)
returns: [place, place_id, place_type, role, supplier, supplier_restrictions, categories, chain,
          confidence, inferred, rules, other_chains, flows, evidence]
example:
  country: United States
  supplier: CATL
  inherited: true
empty: >
  No site, region or builder of {country} relies on {supplier} through a chain the graph holds
  (inherited chains: inherited={inherited}; try -p inherited=true): the supplier may reach
  only categories, or other countries. blast-radius -p
  supplier={supplier} shows everything it reaches; suppliers-of-category and exposure show
  supply by category.
*/
// The same search as blast-radius: breadth-first, level by level backwards from the supplier, never
// past $max_hops; per entity and state one chain (the strongest, then most supply facts, then the
// chain text); each entity reported at the distance it was first reached, with its best chain
// there. Kept: the regions, sites and companies of the country. Inheritance (state I, only with
// inherited=true) stays inside the country: what is inherited from is the country or lies in it.
// The answer comes level by level (rows from facts first, then, when asked, inferred rows), each
// block sorted on its own, so a page stops after the blocks it needs.
WITH {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (c:Country {id: $country})
WHERE NOT coalesce(c.created_run, '') IN hidden
// the suppliers: the one named, or (supplier 'all') every vendor under a restriction
CALL (hidden) {
  MATCH (s:Entity {id: $supplier})
  WHERE NOT coalesce(s.created_run, '') IN hidden
  RETURN s
  UNION
  MATCH (x:Restriction)-[y:RESTRICTS]->(:Entity)<-[z:SUBSIDIARY_OF*0..2]-(s:Entity)
  WHERE $supplier IS NULL
    AND none(v IN [x, y, s] + z WHERE coalesce(v.created_run, '') IN hidden)
  RETURN s
}
OPTIONAL MATCH (s)-[home_fact:HEADQUARTERED_IN]->(home:Country)
WHERE NOT coalesce(home_fact.created_run, '') IN hidden
WITH rank, level, hidden, c, s, home_fact, CASE WHEN s:Country THEN s ELSE home END AS home
// the supply flows from the supplier's home country into the country, read once
WITH rank, level, hidden, c,
     collect({s: s, home: home, home_fact: home_fact,
              flows: COLLECT { MATCH (home)-[f:SUPPLIES]->(c)
                               WHERE NOT coalesce(f.created_run, '') IN hidden RETURN f }}) AS suppliers
UNWIND [false, true] AS inferred
// blocks of levels: from facts alone, 1, 2 and 3 on their own (a first page rarely needs more),
// then the rest in one search (a block searches the earlier levels again); the inferred rows
// (inherited=true) in one search of every level, with inheritance
UNWIND CASE WHEN inferred THEN [0]
            ELSE range(1, CASE WHEN $max_hops < 4 THEN $max_hops ELSE 4 END) END AS block
CALL (rank, level, hidden, c, suppliers, inferred, block) {
  WITH rank, level, hidden, c, suppliers, inferred, block,
       CASE WHEN block > 0 AND block < 4 THEN block ELSE $max_hops END AS depth
  WHERE $inherited OR NOT inferred
  UNWIND suppliers AS sup
  WITH rank, level, hidden, c, inferred, block, depth, sup.s AS s, sup.home AS home, sup.home_fact AS home_fact,
       sup.flows AS home_flows
  WITH rank, level, c, s, home, home_fact, home_flows, hidden, inferred, block, reduce(
    acc = {frontier: [{n: s, st: 'S', dc: 0, ic: 0, sc: 3, sup: 0, chain: s.name, rels: [], ns: [s]}],
           found: [], vis_d: [s], vis_i1: [s], vis_any: [s]},
    lvl IN range(1, depth) |
    // one level: the facts one step further back from the frontier, as candidate chains sorted by
    // entity and state, best first (nothing aggregates inside reduce: a sort and a scan instead);
    // `[x IN [value] | ...][0]` names a value once for the expression that follows
    [cs IN [COLLECT {
      UNWIND acc.frontier AS e
      WITH e, e.n AS y
      CALL (e, y, hidden, c, inferred) {
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
        WITH e, y WHERE inferred AND ((e.st = 'D' AND y:Entity) OR (e.st = 'I' AND e.ic < 2))
          AND (y = c OR EXISTS { (y)-[:LOCATED_IN*1..3]->(c) })
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
        // the block's last level reports places of the country only: nothing else needs a chain
        AND (lvl < depth OR (x <> c AND (x:Region OR x:Site OR x:Company)
             AND (EXISTS { (x)-[:LOCATED_IN*1..3]->(c) }
                  OR EXISTS { (x)-[:BUILDS_IN|OPERATES_IN]->(:Entity)-[:LOCATED_IN*0..3]->(c) })))
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
              rels: [r] + e.rels, ns: [x] + e.ns} AS cand
    }] |
    // the first chain of each entity and state, with how many others of its group there are
    // (alt: as short, each through another fact next to the entity)
    [starts IN [[i IN range(0, size(cs) - 1) WHERE i = 0 OR cs[i].key <> cs[i - 1].key]] |
     [next IN [[j IN range(0, size(starts) - 1) |
                [x IN [cs[starts[j]]] | x {.*, alt: coalesce(starts[j + 1], size(cs)) - starts[j] - 1}][0]]] |
      {frontier: [e IN next WHERE e.st <> 'I' OR e.ic < 2],
       // (kept only where the block reports: places, from its first level on)
       found: acc.found + [e IN next WHERE e.st <> 'H' AND lvl >= block
                                        AND (e.n:Region OR e.n:Site OR e.n:Company)
                                        AND NOT e.n IN acc.vis_any],
       vis_d: acc.vis_d + [e IN next WHERE e.st = 'D' | e.n],
       vis_i1: acc.vis_i1 + [e IN next WHERE e.st = 'D' OR e.ic = 1 | e.n],
       vis_any: acc.vis_any + [e IN next WHERE e.st <> 'H' | e.n]}][0]][0]][0]) AS acc
  // found holds the chains of each entity at the distance it was first reached (one per state)
  UNWIND acc.found AS e
  WITH rank, c, s, home, home_fact, home_flows, CASE WHEN inferred THEN acc.vis_d ELSE [] END AS direct,
       e, e.n AS t
  WHERE size(e.rels) >= block AND t <> c AND (t:Region OR t:Site OR t:Company)
  WITH rank, c, s, home, home_fact, home_flows, direct, t, size(e.rels) AS hops, collect(e) AS es
  // the places of the country: lying in it, or building or operating in it
  WHERE EXISTS { (t)-[:LOCATED_IN*1..3]->(c) }
        OR EXISTS { (t)-[:BUILDS_IN|OPERATES_IN]->(:Entity)-[:LOCATED_IN*0..3]->(c) }
  // the strongest; between equal chains, prefer a supply fact to a maker fact, then the chain text
  WITH rank, s, home, home_fact, home_flows, direct, t, hops, reduce(b = es[0], e IN es[1..] |
         CASE WHEN e.sc > b.sc OR (e.sc = b.sc AND (e.sup > b.sup OR (e.sup = b.sup
                   AND e.chain IS NOT NULL AND (b.chain IS NULL OR e.chain < b.chain))))
              THEN e ELSE b END) AS best
  // a row rests on the rule when its chain ends in inheritance facts
  // (a place with a chain from facts alone, however long, has its row from facts)
  WITH rank, s, home, home_fact, home_flows, t, hops, best.alt AS others, best
  WHERE (best.st = 'I') = inferred AND CASE WHEN inferred THEN NOT t IN direct ELSE true END
  // the supplier's home link closes the chain (a chain through a firm of a country ends there)
  WITH s, home, home_flows, t, hops, others, best,
       best.rels + CASE WHEN home_fact IS NULL OR last(best.ns) = home OR home = s THEN [] ELSE [home_fact] END AS facts,
       CASE WHEN home_fact IS NULL OR home = s OR rank[home_fact.confidence] >= best.sc THEN best.sc
            ELSE rank[home_fact.confidence] END AS score
  RETURN s, home, home_flows, t, others, best, facts, score
  ORDER BY hops, score DESC, CASE WHEN t:Company THEN 1 ELSE 0 END, t.name, s.name, t.id, s.id
}
WITH level, inferred, c, s, home, home_flows, t, others, best, facts, score
SKIP $skip LIMIT $limit
RETURN t.name AS place,
       t.id AS place_id,
       [l IN labels(t) WHERE l <> 'Entity'][0] AS place_type,
       CASE WHEN t:Company
            THEN reduce(txt = '', role IN
                   COLLECT { MATCH (t)-[r:BUILDS_IN|OPERATES_IN]->(:Entity)-[:LOCATED_IN*0..3]->(c)
                             RETURN DISTINCT coalesce(r.role, toLower(type(r))) AS role
                             ORDER BY role } |
                   txt + CASE WHEN txt = '' THEN '' ELSE ', ' END + role)
            ELSE t.kind END AS role,
       s.name AS supplier,
       COLLECT { MATCH (s)-[:SUBSIDIARY_OF*0..2]->(:Entity)<-[rt:RESTRICTS]-(rs:Restriction)
                 RETURN rs.name + coalesce(' since ' + coalesce(rt.start, rs.start), '')
                        + coalesce(' until ' + coalesce(rt.end, rs.end), '') AS restriction
                 UNION
                 // a restricted category the supplier makes (the FCC's foreign-produced inverters)
                 MATCH (s)-[:MAKES]->(k:Category)<-[rt:RESTRICTS]-(rs:Restriction)
                 RETURN rs.name + ' (' + k.name + ')'
                        + coalesce(' since ' + coalesce(rt.start, rs.start), '')
                        + coalesce(' until ' + coalesce(rt.end, rs.end), '') AS restriction
               } AS supplier_restrictions,
       [v IN best.ns WHERE v:Category | v.name] AS categories,
       best.chain + CASE WHEN size(facts) = size(best.rels) THEN ''
                         ELSE ' -HEADQUARTERED_IN-> ' + home.name END AS chain,
       level[score] AS confidence,
       inferred,
       CASE WHEN inferred THEN ['place -> inside'] ELSE [] END AS rules,
       others AS other_chains,
       [f IN home_flows
         WHERE CASE WHEN size([v IN best.ns WHERE v:Category]) = 0
                    THEN f.share IS NOT NULL OR f.value_usd IS NOT NULL
                    ELSE f.category IN [v IN best.ns WHERE v:Category | v.id] END | {
         flow: home.name + ' -> ' + c.name, category: f.category, share: f.share,
         value_usd: f.value_usd, year: f.year, quote: f.evidence, source: f.source,
         confidence: f.confidence
       }] AS flows,
       [r IN facts | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
