/*
name: exposure
title: A country's exposure to another country, counted per category
description: >
  The summary of exposure: per category (in the paged query's order), how many of B's supply
  flows, B's supplying companies (all of them: a row of the paged query shows the first few),
  third countries of rerouting, A's reliances and statistics the category's row holds, with
  its latest share and confidence (the strongest basis, over every supplier).
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
returns: [category, category_id, flows, latest_share, suppliers, rerouted_via, reliance,
          statistics, confidence]
example:
  country: US
  supplier_country: China
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
// B's flows, read once, then split by category (docs/supply.md): to A or to a region A lies
// in (the category named by the fact, none for a flow without one), or to the category
// itself (no market named)
CALL (a, b, hidden) {
  CALL (a, b, hidden) {
    MATCH (a)-[up:LOCATED_IN*0..3]->(market:Entity)
    WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
    MATCH (b)-[f:SUPPLIES]->(market)
    WHERE NOT coalesce(f.created_run, '') IN hidden
    RETURN f, f.category AS kid
    UNION
    MATCH (b)-[f:SUPPLIES]->(k:Category)
    WHERE NOT coalesce(f.created_run, '') IN hidden
    RETURN f, k.id AS kid
  }
  RETURN collect({f: f, kid: coalesce(kid, '')}) AS all_flows
}
CALL (a, b, hidden) {
  OPTIONAL MATCH (b)-[rv:ROUTED_VIA]->(via:Country)
  WHERE rv.destination = a.id AND NOT coalesce(rv.created_run, '') IN hidden
  RETURN collect({rv: rv, via: via}) AS all_reroutes
}
// B's firms, found once (a set to test the suppliers of each category against)
CALL (b, hidden) {
  MATCH (firm:Company)-[hq:HEADQUARTERED_IN]->(b)
  WHERE NOT coalesce(hq.created_run, '') IN hidden
  RETURN collect(firm) AS b_firms
}
// the categories: of the flows, of A's reliances that B's companies can serve, of reroutings
CALL (a, b, hidden, all_flows) {
  UNWIND all_flows AS flow
  OPTIONAL MATCH (k:Category {id: flow.kid})
  RETURN DISTINCT k
  UNION
  MATCH (a)-[ar:RELIES_ON]->(k:Category)
  WHERE NOT coalesce(ar.created_run, '') IN hidden
    AND (EXISTS { (k)<-[up:PART_OF*0..2]-(:Category)<-[s:SUPPLIES|MAKES]-(:Company)
                    -[hq:HEADQUARTERED_IN]->(b)
                  WHERE all(r IN up + [s, hq] WHERE NOT coalesce(r.created_run, '') IN hidden) }
     OR EXISTS { MATCH (k)<-[up:PART_OF*0..2]-(n:Category)
                 MATCH (b)<-[hq:HEADQUARTERED_IN]-(:Company)-[s:SUPPLIES]->(:Entity)
                 WHERE s.category = n.id
                   AND all(r IN up + [s, hq] WHERE NOT coalesce(r.created_run, '') IN hidden) })
  RETURN k
  UNION
  MATCH (b)-[rv:ROUTED_VIA {destination: a.id}]->(:Country)
  WHERE NOT coalesce(rv.created_run, '') IN hidden
  MATCH (k:Category {id: rv.category})
  RETURN k
}
WITH hidden, a, b, b_firms, all_flows, all_reroutes, k, coalesce(k.id, '') AS kid
WHERE k IS NULL OR NOT coalesce(k.created_run, '') IN hidden
CALL (all_flows, kid) {
  UNWIND all_flows AS flow
  WITH flow.f AS f WHERE flow.kid = kid
  WITH f ORDER BY f.year, f.share, endNode(f).name, elementId(f)
  RETURN collect(f) AS flows
}
// the order, total, and the page, before the costly columns are computed for its rows
WITH hidden, a, b, b_firms, all_reroutes, k, kid, flows, {stated: 3, implied: 2, external: 1} AS rank,
     [f IN flows WHERE f.share IS NOT NULL][-1].share AS latest_share,
     coalesce(k.name, '(no category given)') AS category
ORDER BY latest_share IS NULL, latest_share DESC, size(flows) DESC, category, kid
CALL (b, k, hidden, b_firms, rank) {
  // from the category down to its suppliers (never through every firm of B): who supplies or
  // makes it (or a narrower one), and who supplies a market with it (docs/supply.md)
  OPTIONAL MATCH (k)<-[up:PART_OF*0..2]-(narrow:Category)
  WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
  CALL (narrow) {
    MATCH (narrow)<-[r:SUPPLIES|MAKES]-(firm:Company)
    RETURN firm, r
    UNION
    MATCH (firm)-[r:SUPPLIES {category: narrow.id}]->(market)
    WHERE market <> narrow
    RETURN firm, r
  }
  // each firm of B's facts first, then its home fact (one look at a firm, not one a fact)
  WITH rank, firm, r
  WHERE r IS NOT NULL AND firm IN b_firms AND NOT coalesce(r.created_run, '') IN hidden
  WITH rank, firm, collect(r) AS rels
  MATCH (firm)-[hq:HEADQUARTERED_IN]->(b)
  WHERE NOT coalesce(hq.created_run, '') IN hidden
  // a supplier's chain: its home fact and its strongest supply fact, the weaker of the two
  WITH firm, rank[hq.confidence] AS home,
       reduce(m = 0, r IN rels | CASE WHEN rank[r.confidence] > m THEN rank[r.confidence] ELSE m END)
         AS best
  RETURN collect(firm.name) AS suppliers,
         max(CASE WHEN home < best THEN home ELSE best END) AS best_supplier
}
CALL (all_reroutes, kid) {
  UNWIND all_reroutes AS reroute
  WITH reroute.via AS via, reroute.rv AS rv
  WHERE rv.category = kid
  WITH via, rv ORDER BY via.name
  RETURN collect(via.name) AS rerouted_via, collect(rv) AS reroutes
}
CALL (a, k, hidden) {
  OPTIONAL MATCH (a)-[r:RELIES_ON]->(k)
  WHERE NOT coalesce(r.created_run, '') IN hidden
  RETURN collect(r) AS reliance
}
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
     k, category, flows, latest_share, suppliers, best_supplier, rerouted_via, reroutes, reliance,
     stats
// as the paged query: the strongest basis (a flow, a rerouting, or A's reliance together with a
// supplier, the weaker of the two), here over every supplier
WITH level, k, category, flows, latest_share, suppliers, rerouted_via, reroutes,
     reliance, stats,
     [f IN flows | rank[f.confidence]] + [r IN reroutes | rank[r.confidence]] +
     CASE WHEN size(reliance) > 0 AND size(suppliers) > 0
          THEN [[best_reliance IN [reduce(m = 0, r IN reliance |
                   CASE WHEN rank[r.confidence] > m THEN rank[r.confidence] ELSE m END)] |
                 CASE WHEN best_reliance < best_supplier THEN best_reliance ELSE best_supplier END][0]]
          ELSE [] END AS bases
RETURN category,
       k.id AS category_id,
       size(flows) AS flows,
       latest_share,
       size(suppliers) AS suppliers,
       size(rerouted_via) AS rerouted_via,
       size(reliance) AS reliance,
       size(stats) AS statistics,
       level[reduce(m = 0, x IN bases | CASE WHEN x > m THEN x ELSE m END)] AS confidence
