/*
name: sites-relying-on-supplier
title: Sites, regions and builders of a country that rely on a supplier (e.g. U.S. on CATL)
description: >
  Which sites, regions and data-center builders/operators of a country (default U.S.) rely on
  a supplier (a company such as CATL, or a country such as China) or on a category (such as
  lithium-ion batteries), directly or indirectly; with supplier 'all', on any vendor under a
  restriction (ban, listing, export control; e.g. after loading the 1260H list). A chain runs
  from the place to what it relies on, then through the dependency graph (relies on, is
  supplied by, category member, part, made by) to the supplier, and ends at the supplier's
  home country. With `inherited=true`, also the rule `place -> inside` (docs/inference.md): a
  chain may start with what the place inherits (a region or site inherits the reliance of the
  region and country it lies in; a builder that of the country or region it builds in), e.g.
  Texas -> United States -> Lithium-ion batteries <- CATL -> China, at best `implied`; a row
  with no chain from facts alone is `inferred` and comes after the others, and `rules` names
  the rule when the best chain uses it. A chain's confidence is its weakest fact. One row per
  place and supplier with the best chain (strongest, then shortest), how many other chains
  exist, the supplier's
  restrictions, the country-level supply flows (share, value, year) from the supplier's home
  country in the chain's categories (or, for a chain without a category, every quantified
  flow), and the evidence. The article names no individual U.S. campus, so U.S. answers are
  regions and builders, which rely on CATL by inheritance: ask with `-p inherited=true`.
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
WITH {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (c:Country {id: $country})
WHERE NOT coalesce(c.created_run, '') IN hidden
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
// where a chain may end: the supplier, or a category its supply to a market names, reached
// through that supply fact (one supply model: docs/supply.md)
CALL (s, hidden) {
  RETURN s AS end, null AS supply
  UNION
  MATCH (s)-[supply:SUPPLIES]->(market:Entity)
  WHERE supply.category IS NOT NULL AND market.id <> supply.category
    AND NOT coalesce(supply.created_run, '') IN hidden
  MATCH (end:Category {id: supply.category})
  WHERE NOT coalesce(end.created_run, '') IN hidden
  RETURN end, supply
}
// place -(inherits)-> holder -(depends on, step by step)-> supplier [-(is home of)-> country]
// (the inheritance steps only when asked: inherited=true)
MATCH p = (t:Entity)
  ((a)-[inherit:LOCATED_IN|BUILDS_IN|OPERATES_IN]->(b)
     WHERE $inherited AND NOT coalesce(inherit.created_run, '') IN hidden){0,2}
  (holder:Entity)-[step1:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(:Entity)
  // countries and world regions pass nothing on in the middle of a chain: checked as the
  // search goes (it starts at the supplier's end), so it never walks through them
  ((x)-[d:RELIES_ON|SUPPLIES|MAKES|IN_CATEGORY|PART_OF]-(y)
     WHERE (type(d) = 'RELIES_ON') = (startNode(d) = x)
       AND NOT x:Country AND NOT x:Region
       AND NOT coalesce(d.created_run, '') IN hidden
       AND NOT coalesce(x.created_run, '') IN hidden){0,3}
  (:Entity)
  ((firm)-[hq:HEADQUARTERED_IN]->(firm_home) WHERE NOT coalesce(hq.created_run, '') IN hidden){0,1}
  (end)
WHERE length(p) + CASE WHEN supply IS NULL THEN 0 ELSE 1 END <= $max_hops
  AND NOT coalesce(t.created_run, '') IN hidden
  AND t <> c AND (t:Region OR t:Site OR t:Company)
  // each fact read dependent to provider, as in the steps after it
  AND (type(step1) = 'RELIES_ON') = (startNode(step1) = holder)
  AND NOT coalesce(step1.created_run, '') IN hidden AND NOT coalesce(holder.created_run, '') IN hidden
  // a product depends on its maker only when the maker itself is cut off: MAKES comes last
  AND none(r IN ([step1] + d)[..-1] WHERE type(r) = 'MAKES')
  // inheritance stays inside the country
  AND all(v IN b WHERE v = c OR EXISTS { (v)-[:LOCATED_IN*1..3]->(c) })
  AND (EXISTS { (t)-[:LOCATED_IN*1..3]->(c) }
       OR EXISTS { (t)-[:BUILDS_IN|OPERATES_IN]->(:Entity)-[:LOCATED_IN*0..3]->(c) })
WITH rank, level, c, s, home, t, p, supply, size(inherit) > 0 AS inherited,
     relationships(p) + CASE WHEN supply IS NULL THEN [] ELSE [supply] END +
     CASE WHEN home_fact IS NULL THEN [] ELSE [home_fact] END AS facts,
     [r IN relationships(p) | type(r) + CASE
         WHEN r.kind IS NOT NULL THEN '(' + r.kind + ')'
         WHEN r.category IS NOT NULL THEN '(' + r.category + coalesce(', ' + toString(r.share) + '%', '')
              + coalesce(', ' + toString(r.year), '') + ')'
         ELSE '' END] AS step
WITH rank, level, c, s, home, t, p, supply, facts, inherited,
     reduce(sc = CASE WHEN inherited THEN rank.implied ELSE rank.stated END, r IN facts |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score,
     reduce(txt = t.name, i IN range(0, length(p) - 1) |
       txt + CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i] THEN ' -' ELSE ' <-' END
           + step[i]
           + CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i] THEN '-> ' ELSE '- ' END
           + nodes(p)[i + 1].name)
       + CASE WHEN supply IS NULL THEN ''
              ELSE ' <-SUPPLIES(' + supply.category + ')- ' + s.name END
       + CASE WHEN home IS NULL OR home = s OR last(nodes(p)) = home THEN ''
              ELSE ' -HEADQUARTERED_IN-> ' + home.name END AS chain
// between equal chains, prefer a supply fact to a maker fact
ORDER BY score DESC, size(facts), size([r IN facts WHERE type(r) = 'SUPPLIES']) DESC, chain
WITH level, c, s, home, t,
     collect({score: score, chain: chain, facts: facts, inherited: inherited,
              categories: [v IN nodes(p) WHERE v:Category | v]}) AS chains
// a row rests on the rule when no chain of it is made of facts alone
WITH level, c, s, home, t, chains[0] AS best, size(chains) - 1 AS others,
     all(chain IN chains WHERE chain.inherited) AS inferred
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
       [v IN best.categories | v.name] AS categories,
       best.chain AS chain,
       level[best.score] AS confidence,
       inferred,
       CASE WHEN best.inherited THEN ['place -> inside'] ELSE [] END AS rules,
       others AS other_chains,
       [(home)-[f:SUPPLIES]->(c)
         WHERE CASE WHEN size(best.categories) = 0
                    THEN f.share IS NOT NULL OR f.value_usd IS NOT NULL
                    ELSE f.category IN [v IN best.categories | v.id] END | {
         flow: home.name + ' -> ' + c.name, category: f.category, share: f.share,
         value_usd: f.value_usd, year: f.year, quote: f.evidence, source: f.source,
         confidence: f.confidence
       }] AS flows,
       [r IN best.facts | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
ORDER BY inferred, best.score DESC, CASE WHEN t:Company THEN 1 ELSE 0 END, size(best.facts), place,
         supplier, place_id, s.id
SKIP $skip LIMIT $limit
