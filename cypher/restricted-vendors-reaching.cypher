/*
name: restricted-vendors-reaching
title: Restricted vendors still reaching a country's infrastructure, and by which route
description: >
  Vendors (companies or products) targeted by a restriction (ban, listing, export control),
  directly, through a parent company or through a restricted category they make, that still reach a country's infrastructure (the
  country, its regions and sites, and the companies headquartered in it or building or
  operating there), and by which route: `direct` (a member relies on the vendor, or the vendor
  supplies it), `operates there`, `product` (a member relies on a product the vendor makes),
  `component` (the vendor supplies or makes a category, or a narrower one, that a member
  relies on or that flows into the country from the vendor's home), `OEM` (the vendor
  supplies a company whose supplies or products reach a member), `subcontractor` (the vendor
  supplies or partners with a company building or operating there), `transshipment` (the
  vendor's home reportedly reroutes the vendor's category to the country through a third
  country; a broader category of the vendor's counts, at best `implied`). Vendors at home in
  the country are left out. One row per vendor and route: the restrictions with their dates,
  what the route reaches (by name), its best chain, the weakest confidence of that chain and
  of the restriction, how many other chains, and the evidence: the restriction's facts, the
  best chain's, then the other chains', at most 20 facts, with
  `more_evidence` counting the facts not shown. Rows come by vendor (name, then id), then
  route, so a page needs only the vendors it shows.
mode: read
params:
  - name: country
    type: entity
    labels: [Country]
    default: US
    description: the country whose infrastructure is examined
  - name: issuer
    type: entity
    labels: [Country, Company]
    default: US
    description: only restrictions issued by this country (or its agencies) or body; 'all' for any
  - name: include_ended
    type: boolean
    default: false
    description: also count restrictions whose end date has passed
returns: [vendor, vendor_id, vendor_type, home, restrictions, route, reaches, chain, confidence,
          other_chains, evidence, more_evidence]
example:
  country: China
  issuer: US
paged: true
empty: >
  No vendor restricted by {issuer} reaches {country} by any route the graph holds
  (include_ended={include_ended}). restricted -p issuer={issuer} lists who is restricted.
*/
// the runs still staging: their nodes and facts are not shown (CONVENTIONS.md section 2)
CALL () {
  MATCH (run:LoadRun {status: 'staging'})
  RETURN collect(run.id) AS hidden
}
WITH hidden, {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level,
     toString(date()) AS today
MATCH (c:Country {id: $country})
WHERE NOT coalesce(c.created_run, '') IN hidden
MATCH (rs:Restriction)-[rt:RESTRICTS]->(target:Entity)
WHERE NOT coalesce(rt.created_run, '') IN hidden
WITH hidden, rank, level, today, c, rs, rt, target,
     coalesce(rt.start, rs.start) AS start, coalesce(rt.end, rs.end) AS end
WHERE ($include_ended OR end IS NULL OR end >= today)
  AND ($issuer IS NULL
       OR EXISTS { (rs)-[ib:ISSUED_BY]->(:Entity {id: $issuer})
                   WHERE NOT coalesce(ib.created_run, '') IN hidden }
       OR EXISTS { (rs)-[ib:ISSUED_BY]->(:Company)-[hq:HEADQUARTERED_IN]->(:Country {id: $issuer})
                   WHERE NOT coalesce(ib.created_run, '') IN hidden
                     AND NOT coalesce(hq.created_run, '') IN hidden })
// the vendor: the target, its subsidiaries, or (a restriction on a category, such as the FCC's
// foreign-produced inverters) the companies that make it
CALL (target, hidden) {
  MATCH (v:Entity)-[aff:SUBSIDIARY_OF*0..2]->(target)
  WHERE all(r IN aff WHERE NOT coalesce(r.created_run, '') IN hidden)
  RETURN v, aff
  UNION
  MATCH (v:Company)-[m:MAKES]->(target:Category)
  WHERE NOT coalesce(m.created_run, '') IN hidden
  RETURN v, [m] AS aff
}
OPTIONAL MATCH (v)-[hq1:HEADQUARTERED_IN]->(own_home:Country)
WHERE NOT coalesce(hq1.created_run, '') IN hidden
OPTIONAL MATCH (v)<-[mk:MAKES]-(:Company)-[hq2:HEADQUARTERED_IN]->(maker_home:Country)
WHERE NOT coalesce(mk.created_run, '') IN hidden AND NOT coalesce(hq2.created_run, '') IN hidden
WITH hidden, rank, level, c, v, coalesce(own_home, maker_home) AS home, rs, rt, target,
     aff, start, end
WHERE home IS NULL OR home <> c
WITH hidden, rank, level, c, v, collect(DISTINCT home.name) AS homes,
     collect({
       restriction: rs.name, kind: rs.kind, authority: rs.authority, program: rs.program,
       start: start, end: end, scope: coalesce(rt.scope, rs.scope),
       through: CASE WHEN target = v THEN null ELSE target.name END,
       quote: rt.evidence, source: rt.source, confidence: rt.confidence
     }) AS restrictions,
     max(reduce(sc = rank[rt.confidence], r IN aff |
       CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END)) AS restricted,
     collect(rt) + reduce(acc = [], fs IN collect(aff) | acc + fs) AS restriction_facts
WITH hidden, rank, level, c,
     collect({v: v, homes: homes, restrictions: restrictions, restricted: restricted,
              restriction_facts: restriction_facts}) AS vendors
// the country's infrastructure, found once: itself, its places, its companies and those
// building there
CALL (c, hidden) {
  CALL (c, hidden) {
  RETURN c AS x
  UNION
  MATCH (x)-[up:LOCATED_IN*1..3]->(c)
  WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
  RETURN x
  UNION
  MATCH (x:Company)-[b:BUILDS_IN|OPERATES_IN]->(:Entity)-[up:LOCATED_IN*0..3]->(c)
  WHERE all(r IN [b] + up WHERE NOT coalesce(r.created_run, '') IN hidden)
  RETURN x
  UNION
  MATCH (x:Company)-[hq:HEADQUARTERED_IN]->(c)
  WHERE NOT coalesce(hq.created_run, '') IN hidden
  RETURN x
  }
  RETURN collect(x) AS members
}
UNWIND vendors AS vendor
WITH hidden, rank, level, c, members, vendor.v AS v, vendor.homes AS homes,
     vendor.restrictions AS restrictions, vendor.restricted AS restricted,
     vendor.restriction_facts AS restriction_facts
WITH hidden, rank, level, c, members, v, homes, restrictions, restricted, restriction_facts,
     v.name AS vendor_name, v.id AS vendor_key
ORDER BY vendor_name, vendor_key
// vendor by vendor, in their order: each vendor's routes are found and ranked on their own, so
// a page reads only the vendors it shows
CALL (v, c, members, hidden, rank, restricted, restriction_facts) {
  CALL (v, c, members, hidden) {
    MATCH (x)-[r:RELIES_ON]->(v) WHERE x IN members
    RETURN 'direct' AS route, x, [r] AS facts, 'stated' AS cap
    UNION ALL
    MATCH (v)-[r:SUPPLIES]->(x) WHERE x IN members
    RETURN 'direct' AS route, x, [r] AS facts, 'stated' AS cap
    UNION ALL
    MATCH (v)-[r:BUILDS_IN|OPERATES_IN]->(x) WHERE x IN members
    RETURN 'operates there' AS route, x, [r] AS facts, 'stated' AS cap
    UNION ALL
    MATCH (v)-[m:MAKES]->(:Product)<-[r:RELIES_ON]-(x) WHERE x IN members
    RETURN 'product' AS route, x, [m, r] AS facts, 'stated' AS cap
    UNION ALL
    MATCH (v)-[m:SUPPLIES|MAKES|IN_CATEGORY]->(:Category)-[up:PART_OF*0..2]->(k:Category)
          <-[r:RELIES_ON]-(x)
    WHERE x IN members
    RETURN 'component' AS route, x, [m] + up + [r] AS facts, 'stated' AS cap
    UNION ALL
    // a supply to a market that names a category (or a narrower one) a member relies on: the
    // same supply as a fact ending at the category (one supply model: docs/supply.md)
    MATCH (v)-[m:SUPPLIES]->(market:Entity)
    WHERE m.category IS NOT NULL AND market.id <> m.category
    MATCH (:Category {id: m.category})-[up:PART_OF*0..2]->(k:Category)<-[r:RELIES_ON]-(x)
    WHERE x IN members
    RETURN 'component' AS route, x, [m] + up + [r] AS facts, 'stated' AS cap
    UNION ALL
    // the flows of the vendor's home into the country in a category of the vendor's (or a
    // broader one), then the vendor's links to that category, in every supply shape
    WITH v, members, hidden, COLLECT {
      CALL (v, hidden) {
        MATCH (v)-[m:SUPPLIES|MAKES|IN_CATEGORY]->(k:Category)
        WHERE NOT coalesce(m.created_run, '') IN hidden
        RETURN k
        UNION
        MATCH (v)-[m:SUPPLIES]->(market:Entity)
        WHERE m.category IS NOT NULL AND market.id <> m.category
          AND NOT coalesce(m.created_run, '') IN hidden
        MATCH (k:Category {id: m.category})
        RETURN k
      }
      MATCH (k)-[up:PART_OF*0..2]->(b:Category)
      WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
      RETURN b.id
    } AS categories
    MATCH (v)-[hq:HEADQUARTERED_IN]->(:Country)-[f:SUPPLIES]->(x)
    WHERE x IN members AND f.category IN categories
    WITH v, hidden, f.category AS category, collect({hq: hq, f: f, x: x}) AS flows
    CALL (v, category) {
      MATCH (k:Category {id: category})
      CALL (v) {
        MATCH (v)-[m:SUPPLIES|MAKES|IN_CATEGORY]->(n:Category)
        RETURN m, n
        UNION
        MATCH (v)-[m:SUPPLIES]->(market:Entity)
        WHERE m.category IS NOT NULL AND market.id <> m.category
        MATCH (n:Category {id: m.category})
        RETURN m, n
      }
      MATCH (n)-[up:PART_OF*0..2]->(k)
      RETURN m, up
    }
    UNWIND flows AS flow
    WITH flow.x AS x, m, up, flow.hq AS hq, flow.f AS f
    RETURN 'component' AS route, x, [m] + up + [hq, f] AS facts, 'stated' AS cap
    UNION ALL
    MATCH (v)-[s1:SUPPLIES]->(y:Company)-[s2:SUPPLIES]->(x) WHERE x IN members AND y <> x
    RETURN 'OEM' AS route, x, [s1, s2] AS facts, 'stated' AS cap
    UNION ALL
    MATCH (v)-[s1:SUPPLIES]->(y:Company)-[m:MAKES]->(:Product)<-[r:RELIES_ON]-(x)
    WHERE x IN members
    RETURN 'OEM' AS route, x, [s1, m, r] AS facts, 'stated' AS cap
    UNION ALL
    MATCH (v)-[s1:SUPPLIES|PARTNERS_WITH]-(x:Company)-[b:BUILDS_IN|OPERATES_IN]->(place)
    WHERE x IN members AND place IN members AND x <> v
    RETURN 'subcontractor' AS route, x, [s1, b] AS facts, 'stated' AS cap
    UNION ALL
    // the vendor's categories (in every supply shape), each with the broader ones it is in and
    // the narrower ones in it
    CALL (v) {
      MATCH (v)-[m:SUPPLIES|MAKES]->(k:Category)
      RETURN m, k
      UNION
      MATCH (v)-[m:SUPPLIES]->(market:Entity)
      WHERE m.category IS NOT NULL AND market.id <> m.category
      MATCH (k:Category {id: m.category})
      RETURN m, k
    }
    WITH c, v, m, hidden,
         COLLECT { MATCH (k)-[up:PART_OF*0..2]->(n:Category)
                   WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
                   RETURN n.id } AS narrower,
         COLLECT { MATCH (b:Category)-[up:PART_OF*1..2]->(k)
                   WHERE all(r IN up WHERE NOT coalesce(r.created_run, '') IN hidden)
                   RETURN b.id } AS broader
    MATCH (v)-[hq:HEADQUARTERED_IN]->(:Country)-[rv:ROUTED_VIA]->(third:Country)
    WHERE rv.destination = c.id AND (rv.category IN narrower OR rv.category IN broader)
    RETURN 'transshipment via ' + third.name AS route, c AS x, [hq, m, rv] AS facts,
           CASE WHEN rv.category IN narrower THEN 'stated' ELSE 'implied' END AS cap
  }
  // each chain once (UNION ALL above, then DISTINCT here: a UNION would make the imported
  // member list part of every row it keeps apart, 37,000 nodes a row at 10^6)
  WITH DISTINCT rank, restricted, hidden, route, x, facts, cap
  WITH rank, restricted, route, x, facts, cap
  WHERE all(r IN facts WHERE NOT coalesce(r.created_run, '') IN hidden)
  WITH route, x, facts,
       reduce(sc = CASE WHEN rank[cap] < restricted THEN rank[cap] ELSE restricted END,
              r IN facts |
         CASE WHEN rank[r.confidence] < sc THEN rank[r.confidence] ELSE sc END) AS score
  // per route: the members reached, the chains, and the best chain: the strongest, then the
  // fewest facts, then first by its text, written only for the chains tied with it (a route
  // can have 10^5 chains)
  WITH route, collect(DISTINCT x) AS reached, collect({facts: facts, score: score}) AS chains,
       max(score * 10 - size(facts)) AS best
  CALL (chains, best) {
    UNWIND [c IN chains WHERE c.score * 10 - size(c.facts) = best] AS c
    WITH c, reduce(txt = '', r IN c.facts |
         txt + CASE WHEN txt = '' THEN '' ELSE '; ' END +
         startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name) AS chain
    ORDER BY chain
    LIMIT 1
    RETURN c.facts AS best_facts, c.score AS best_score, chain AS best_chain
  }
  // the evidence: the restriction's facts, the best chain's, then those of the other chains,
  // at most 20 in all; the facts not shown are counted (one pass, not a list search per chain)
  CALL (chains, restriction_facts, best_facts) {
    UNWIND chains AS c
    UNWIND c.facts AS r
    WITH DISTINCT r
    WHERE NOT r IN restriction_facts AND NOT r IN best_facts
    RETURN collect(r) AS other_facts
  }
  WITH route, reached, size(chains) AS chains, best_score, best_chain,
       restriction_facts + [r IN best_facts WHERE NOT r IN restriction_facts] AS first_facts,
       other_facts
  RETURN route,
         COLLECT { UNWIND reached AS x WITH DISTINCT x.name AS name ORDER BY name RETURN name }
           AS reaches,
         chains, best_score, best_chain,
         first_facts + other_facts[..20 - size(first_facts)] AS used,
         size(other_facts) - (20 - size(first_facts)) AS more_evidence
  ORDER BY route
}
WITH level, v, vendor_name, vendor_key, homes, restrictions, route, reaches, chains,
     best_score, best_chain, used, more_evidence
ORDER BY vendor_name, vendor_key, route
SKIP $skip LIMIT $limit
RETURN v.name AS vendor,
       v.id AS vendor_id,
       [l IN labels(v) WHERE l <> 'Entity'][0] AS vendor_type,
       homes AS home,
       restrictions,
       route,
       reaches,
       best_chain AS chain,
       level[best_score] AS confidence,
       chains - 1 AS other_chains,
       [r IN used | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence,
       CASE WHEN more_evidence > 0 THEN more_evidence ELSE 0 END AS more_evidence
