/*
name: exposure
title: A country's exposure to suppliers of another country, by category (shares, values, years)
description: >
  For country A (default U.S.), by category, its dependence on country B (default China):
  B's supply flows of the category with their market (`to`), share, value and year (oldest
  first, so 41% in 2020 -> 11% in 2025 reads as a trend), in every supply shape
  (docs/supply.md): to A or a region A lies in, naming the category; or to the category
  itself, market not named; the companies of B that supply or
  make the category (or a narrower one), whether their supply fact ends at the category or at
  a market and names the category (docs/supply.md); the third countries through which B's goods of the
  category are reportedly rerouted to A; A's own stated reliance on the category; and the
  statistics about the category and A or B (plus money values of a category it is part of,
  such as the value of U.S. power-stack imports). Categories come from the
  flows, from A's reliances that B's companies can serve, and from rerouting; flows without a
  category form a row of their own. A category can have thousands of B's suppliers: a row
  names those of the first 4 supply facts of B's firms found (by name, each with its home fact
  and those facts as evidence, strongest then newest first); `more_suppliers` is true when the
  search stopped there, B may have more (`--summary` counts them all). Confidence is the
  strongest basis of the exposure (a flow, a rerouting, or A's reliance together with a
  supplier shown, whichever is weaker of the two). Rows: the categories of B's flows first
  (latest share first), then the others by name.
mode: read
params:
  - name: country
    type: entity
    labels: [Country, Region]
    default: US
    description: the exposed country (A)
  - name: supplier_country
    type: entity
    labels: [Country]
    default: CN
    description: the supplying country (B)
returns: [category, category_id, flows, latest_share, suppliers, more_suppliers, rerouted_via,
          reliance, statistics, confidence, evidence]
example:
  country: US
  supplier_country: China
paged: true
empty: >
  No supply from {supplier_country} to {country} is recorded by category. suppliers-of-category
  -p category=NAME lists suppliers of one category; restricted-vendors-reaching -p
  country={country} the restricted vendors reaching it.
*/
// the runs still staging: their nodes and facts are not shown (CONVENTIONS.md section 2)
CALL () {
  MATCH (run:LoadRun {status: 'staging'})
  RETURN collect(run.id) AS hidden
}
MATCH (a:Entity {id: $country}), (b:Country {id: $supplier_country})
WHERE NOT coalesce(a.created_run, '') IN hidden AND NOT coalesce(b.created_run, '') IN hidden
// B's flows, read in one pass, then split by category (docs/supply.md): to A or to a region A
// lies in (the category named by the fact, none for a flow without one), or to the category
// itself (no market named)
CALL (a, hidden) {
  MATCH (a)-[up:LOCATED_IN*0..3]->(market:Entity)
  WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
  RETURN collect(market) AS markets
}
CALL (b, hidden, markets) {
  MATCH (b)-[f:SUPPLIES]->(x)
  WHERE (x IN markets OR x:Category) AND NOT coalesce(f.created_run, '') IN hidden
  RETURN collect({f: f, kid: CASE WHEN x IN markets THEN coalesce(f.category, '') ELSE x.id END})
         AS all_flows
}
CALL (a, b, hidden) {
  OPTIONAL MATCH (b)-[rv:ROUTED_VIA]->(via:Country)
  WHERE rv.destination = a.id AND NOT coalesce(rv.created_run, '') IN hidden
  WITH rv, via ORDER BY via.name
  RETURN collect({rv: rv, via: via.name, kid: rv.category}) AS all_reroutes
}
// The rows come in two blocks, each sorted on its own, so that a page stops after the block it
// needs: first the categories of B's flows (latest share first, then the most flows), then the
// categories without a flow (A's reliances that B's companies can serve, B's reroutings to A),
// by name
UNWIND [1, 2] AS block
CALL (a, b, hidden, all_flows, all_reroutes, block) {
  WITH hidden, all_flows WHERE block = 1
  UNWIND all_flows AS flow
  WITH hidden, flow.kid AS kid, flow.f AS f
  ORDER BY f.year, f.share, endNode(f).name, elementId(f)
  WITH hidden, kid, collect(f) AS flows
  OPTIONAL MATCH (k:Category {id: kid})
  WITH hidden, k, kid, flows
  WHERE (k IS NULL AND kid = '') OR (k IS NOT NULL AND NOT coalesce(k.created_run, '') IN hidden)
  WITH k, kid, flows, [f IN flows WHERE f.share IS NOT NULL][-1].share AS latest_share,
       coalesce(k.name, '(no category given)') AS category
  RETURN k, kid, flows, latest_share, category
  ORDER BY latest_share IS NULL, latest_share DESC, size(flows) DESC, category, kid
  UNION
  WITH a, b, hidden, all_flows, all_reroutes WHERE block = 2
  CALL (a, b, hidden, all_reroutes) {
    MATCH (a)-[ar:RELIES_ON]->(k:Category)
    WHERE NOT coalesce(ar.created_run, '') IN hidden
    WITH DISTINCT b, hidden, k
    WHERE EXISTS { (k)<-[up:PART_OF*0..2]-(:Category)<-[s:SUPPLIES|MAKES]-(:Company)
                     -[hq:HEADQUARTERED_IN]->(b)
                   WHERE all(r IN up + [s, hq] WHERE NOT coalesce(r.created_run, '') IN hidden) }
       OR EXISTS { MATCH (k)<-[up:PART_OF*0..2]-(n:Category)
                   MATCH (b)<-[hq:HEADQUARTERED_IN]-(:Company)-[s:SUPPLIES]->(:Entity)
                   WHERE s.category = n.id
                     AND all(r IN up + [s, hq] WHERE NOT coalesce(r.created_run, '') IN hidden) }
    RETURN k
    UNION
    UNWIND all_reroutes AS reroute
    MATCH (k:Category {id: reroute.kid})
    RETURN k
  }
  WITH k, k.id AS kid
  WHERE NOT coalesce(k.created_run, '') IN hidden AND NOT kid IN [flow IN all_flows | flow.kid]
  RETURN k, kid, [] AS flows, null AS latest_share, k.name AS category
  ORDER BY category, kid
}
WITH hidden, a, b, all_reroutes, k, kid, flows, latest_share, category
SKIP $skip LIMIT $limit
// the costly columns, for the rows of the page only
WITH hidden, a, b, all_reroutes,
     collect({k: k, kid: kid, flows: flows, latest_share: latest_share, category: category})
       AS page
// A's reliances on the page's categories, in one pass
CALL (a, hidden, page) {
  OPTIONAL MATCH (a)-[r:RELIES_ON]->(x)
  WHERE x IN [row IN page | row.k] AND NOT coalesce(r.created_run, '') IN hidden
  RETURN collect({k: x, r: r}) AS page_reliance
}
UNWIND page AS row
WITH hidden, a, b, all_reroutes, page_reliance, {stated: 3, implied: 2, external: 1} AS rank, row.k AS k, row.kid AS kid, row.flows AS flows,
     row.latest_share AS latest_share, row.category AS category
// B's suppliers of the category: from the category down to its suppliers (never through every
// firm of B), who supplies or makes it (or a narrower one), or supplies a market with it
// (docs/supply.md). A category can have thousands: the search stops after 4 supply facts
// of B's firms; the row shows the firms they name (by name), each with its home fact and those
// facts (strongest, then newest, first), and more_suppliers says whether the search stopped
// there (the summary counts every supplier)
CALL (b, k, hidden, rank) {
  OPTIONAL MATCH (k)<-[up:PART_OF*0..2]-(narrow:Category)
  WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
  WITH b, hidden, rank, collect(narrow) AS narrows
  CALL (b, hidden, narrows) {
    UNWIND narrows AS narrow
    CALL (narrow) {
      MATCH (narrow)<-[r:SUPPLIES|MAKES]-(firm)
      RETURN firm, r
      UNION ALL
      MATCH (firm)-[r:SUPPLIES {category: narrow.id}]->(market)
      WHERE market <> narrow
      RETURN firm, r
    }
    WITH b, hidden, firm, r
    WHERE NOT coalesce(r.created_run, '') IN hidden
    // (only a company has a home)
    MATCH (firm)-[hq:HEADQUARTERED_IN]->(b)
    WHERE NOT coalesce(hq.created_run, '') IN hidden
    RETURN firm, hq, r
    LIMIT 4
  }
  WITH firm, hq, r
  ORDER BY rank[r.confidence] DESC, r.year DESC, r.as_of DESC, elementId(r)
  WITH firm, hq, collect(r) AS rels
  ORDER BY firm.name, elementId(firm)
  RETURN collect(firm.name) AS suppliers, collect({hq: hq, rels: rels}) AS supplier_facts,
         reduce(n = 0, s IN collect(rels) | n + size(s)) = 4 AS more_suppliers
}
WITH hidden, a, b, rank, k, kid, flows, latest_share, category, suppliers, supplier_facts,
     more_suppliers, [x IN all_reroutes WHERE x.kid = kid] AS reroutes_here,
     [x IN page_reliance WHERE x.k = k | x.r] AS reliance
WITH hidden, a, b, rank, k, kid, flows, latest_share, category, suppliers, supplier_facts,
     more_suppliers, reliance, [x IN reroutes_here | x.via] AS rerouted_via,
     [x IN reroutes_here | x.rv] AS reroutes
CALL (a, b, k, hidden) {
  // statistics about the category, and money values of a category it is directly part of
  OPTIONAL MATCH (k)-[up:PART_OF*0..1]->(:Category)<-[ab1:ABOUT]-(st:Statistic)-[ab2:ABOUT]->(place)
  WHERE (place = a OR place = b) AND (size(up) = 0 OR st.unit STARTS WITH 'usd')
    AND all(r IN up + [ab1, ab2] WHERE NOT coalesce(r.created_run, '') IN hidden)
  WITH DISTINCT st ORDER BY st.year, st.name
  RETURN collect(st) AS stats
}
WITH rank,
     ['none', 'external', 'implied', 'stated'] AS level,
     k, category, flows, latest_share, suppliers, more_suppliers, supplier_facts, rerouted_via,
     reroutes, reliance, stats
// a basis of the exposure: a flow, a rerouting, or A's reliance together with a supplier shown
// (its home fact and strongest supply fact), the weaker of the two; the confidence is that of
// the strongest basis
WITH level, k, category, flows, latest_share, suppliers, more_suppliers, supplier_facts,
     rerouted_via, reroutes, reliance, stats,
     [f IN flows | rank[f.confidence]] + [r IN reroutes | rank[r.confidence]] +
     CASE WHEN size(reliance) > 0 AND size(supplier_facts) > 0
          THEN [[pair IN [[
                  reduce(m = 0, r IN reliance |
                    CASE WHEN rank[r.confidence] > m THEN rank[r.confidence] ELSE m END),
                  reduce(m = 0, s IN supplier_facts |
                    CASE WHEN rank[s.hq.confidence] < rank[s.rels[0].confidence]
                              AND rank[s.hq.confidence] > m THEN rank[s.hq.confidence]
                         WHEN rank[s.rels[0].confidence] <= rank[s.hq.confidence]
                              AND rank[s.rels[0].confidence] > m THEN rank[s.rels[0].confidence]
                         ELSE m END)]] |
                  CASE WHEN pair[0] < pair[1] THEN pair[0] ELSE pair[1] END][0]]
          ELSE [] END AS bases
RETURN category,
       k.id AS category_id,
       [f IN flows | {to: CASE WHEN endNode(f):Category THEN null ELSE endNode(f).name END,
                      share: f.share, value_usd: f.value_usd, year: f.year, as_of: f.as_of,
                      note: f.note, confidence: f.confidence}] AS flows,
       latest_share,
       suppliers,
       more_suppliers,
       rerouted_via,
       [r IN reliance | r.kind + ' (' + r.confidence + ')'] AS reliance,
       [st IN stats | {statistic: st.name, value: st.value, low: st.low, high: st.high,
                       bound: st.bound, unit: st.unit, value_normalised: st.value_normalised,
                       low_normalised: st.low_normalised, high_normalised: st.high_normalised,
                       unit_normalised: st.unit_normalised, year: st.year,
                       period: st.period, quote: st.evidence, context: st.context,
                       confidence: st.confidence}]
         AS statistics,
       level[reduce(m = 0, x IN bases | CASE WHEN x > m THEN x ELSE m END)] AS confidence,
       [r IN flows + reroutes + reliance + [s IN supplier_facts | s.hq]
             + reduce(acc = [], s IN supplier_facts | acc + s.rels) | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
