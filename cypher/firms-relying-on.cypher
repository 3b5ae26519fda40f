/*
name: firms-relying-on
title: Firms of a country that rely on a technology (e.g. Chinese firms on CUDA)
description: >
  Which firms headquartered in a country (default China) rely on a technology: a product,
  category or company such as CUDA, Android, x86 or NVIDIA (a company stands for itself and
  everything it makes; a category for its members). Routes from facts: `direct` (the firm
  relies on it) and `own product` (a product the firm makes relies on it). With
  `inherited=true`, routes inferred by the rules of docs/inference.md too, each at best
  `implied`: `maker ecosystem` (the firm relies on another product of the technology's maker,
  and the firm's country relies on the technology) and `country -> firm` (the firm builds or
  operates data centers in its country, which relies on the technology). Without a
  technology, every technology made by companies of the origin country (default U.S.) counts.
  One row per firm and technology: the routes with their facts, the rules they use, whether
  the row is inferred (no route from facts alone), the best route's weakest confidence (the
  firm's headquarters fact included) and the evidence of every fact used. Rows from facts
  come first, inferred rows after them.
mode: read
paged: true
params:
  - name: country
    type: entity
    labels: [Country]
    default: CN
    description: home country of the firms (name, alias or ISO code)
  - name: tech
    type: entity
    labels: [Product, Category, Company]
    default: null
    description: the technology; omit it (or give 'all') for every technology of the origin country
  - name: origin
    type: entity
    labels: [Country]
    default: US
    description: without a technology, the home country of the makers whose technology counts
  - name: inherited
    type: boolean
    default: false
    description: also the routes inferred by a rule (maker ecosystem, country -> firm)
returns: [firm, firm_id, technology, technology_id, makers, routes, inferred, rules, confidence,
          evidence]
example:
  country: China
  tech: CUDA
  inherited: true
empty: >
  No firm of {country} relies on {tech} directly or through a product it makes (inherited
  routes: inherited={inherited}). Try -p inherited=true for the inferred routes, or depends-on
  -p entity=FIRM for what one firm relies on.
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
WITH hidden, {stated: 3, implied: 2, external: 1} AS rank,
     ['none', 'external', 'implied', 'stated'] AS level
MATCH (c:Country {id: $country})
WHERE NOT coalesce(c.created_run, '') IN hidden
// The technologies asked about: the one named, what it makes, what belongs to it; or, without
// one, everything made by companies of the origin country.
CALL (hidden) {
  MATCH (t:Entity {id: $tech})
  WHERE NOT coalesce(t.created_run, '') IN hidden
  RETURN t
  UNION
  MATCH (:Company {id: $tech})-[mk:MAKES]->(t)
  WHERE NOT coalesce(mk.created_run, '') IN hidden
  RETURN t
  UNION
  MATCH (t)-[within:IN_CATEGORY|PART_OF*1..2]->(:Entity {id: $tech})
  WHERE all(s IN within WHERE NOT coalesce(s.created_run, '') IN hidden)
  RETURN t
  UNION
  MATCH (:Country {id: $origin})<-[ohq:HEADQUARTERED_IN]-(:Company)-[mk:MAKES]->(t)
  WHERE $tech IS NULL AND NOT coalesce(ohq.created_run, '') IN hidden AND NOT coalesce(mk.created_run, '') IN hidden
  RETURN t
}
WITH hidden, rank, level, c, collect(DISTINCT t) AS targets
// Backwards from the technologies to the firms (never forwards from every firm of the country).
CALL (c, targets) {
  UNWIND targets AS t
  CALL (t, c) {
    MATCH (f:Company)-[r:RELIES_ON]->(t)
    RETURN f, 'direct' AS route, [r] AS facts, 'stated' AS cap
    UNION
    MATCH (f:Company)-[m:MAKES]->(:Product)-[r:RELIES_ON]->(t)
    RETURN f, 'own product' AS route, [m, r] AS facts, 'stated' AS cap
    UNION
    MATCH (f:Company)-[r:RELIES_ON]->(q)<-[m1:MAKES]-(:Company)-[m2:MAKES]->(t)<-[cr:RELIES_ON]-(c)
    WHERE $inherited AND q <> t
    RETURN f, 'maker ecosystem' AS route, [r, m1, m2, cr] AS facts, 'implied' AS cap
    UNION
    MATCH (f:Company)-[r:RELIES_ON]->(:Company)-[m:MAKES]->(t)<-[cr:RELIES_ON]-(c)
    WHERE $inherited
    RETURN f, 'maker ecosystem' AS route, [r, m, cr] AS facts, 'implied' AS cap
  }
  RETURN f, t, route, facts, cap
  UNION
  // the country's reliances on the technologies, passed to every firm building there
  UNWIND targets AS t
  MATCH (c)-[cr:RELIES_ON]->(t)
  WHERE $inherited
  WITH c, collect(cr) AS reliances
  CALL (c) {
    MATCH (f:Company)-[b:BUILDS_IN|OPERATES_IN]->(place)-[up:LOCATED_IN*0..3]->(c)
    RETURN f, [b] + up AS via
  }
  UNWIND reliances AS cr
  RETURN f, endNode(cr) AS t, 'country -> firm' AS route, via + [cr] AS facts, 'implied' AS cap
}
// what a load still staging wrote is left out (docs/loading.md)
WITH hidden, rank, level, c, f, t, route, facts, cap
WHERE all(s IN facts WHERE NOT coalesce(s.created_run, '') IN hidden)
// the firm's home fact: one, the strongest, when several sources state it
CALL (f, c, rank, hidden) {
  MATCH (f)-[hq:HEADQUARTERED_IN]->(c)
  WHERE NOT coalesce(hq.created_run, '') IN hidden
  RETURN hq ORDER BY rank[hq.confidence] DESC, hq.source LIMIT 1
}
WITH hidden, rank, level, f, hq, t, route, facts,
     reduce(s = rank[cap], r IN [hq] + facts |
       CASE WHEN rank[r.confidence] < s THEN rank[r.confidence] ELSE s END) AS score,
     reduce(s = '', r IN facts |
       s + CASE WHEN s = '' THEN '' ELSE '; ' END +
       startNode(r).name + ' -' + type(r) + coalesce('(' + r.kind + ')', '') + '-> ' +
       endNode(r).name) AS chain
// Each route once: its best alternative (strongest, then shortest), and how many others exist.
ORDER BY score DESC, size(facts), chain
WITH hidden, rank, level, f, hq, t, route,
     collect({score: score, facts: facts, chain: chain}) AS alternatives
WITH hidden, rank, level, f, hq, t, route, alternatives[0] AS best, size(alternatives) - 1 AS others
ORDER BY route IN ['direct', 'own product'] DESC, best.score DESC, route
WITH hidden, level, f, hq, t,
     collect(route + ' (' + level[best.score] + '): ' + best.chain +
             CASE others WHEN 0 THEN '' ELSE ' [+' + others + ' alike]' END) AS routes,
     [r IN collect(route) WHERE NOT r IN ['direct', 'own product']] AS rules,
     NOT any(r IN collect(route) WHERE r IN ['direct', 'own product']) AS inferred,
     collect(best.facts) AS fact_lists,
     max(best.score) AS best
WITH hidden, level, f, t, routes, rules, inferred, best,
     reduce(acc = [hq], fs IN fact_lists | acc + [r IN fs WHERE NOT r IN acc]) AS used
RETURN f.name AS firm,
       f.id AS firm_id,
       t.name AS technology,
       t.id AS technology_id,
       [(m:Company)-[mk:MAKES]->(t) WHERE NOT coalesce(mk.created_run, '') IN hidden | m.name] AS makers,
       routes,
       inferred,
       rules,
       level[best] AS confidence,
       [r IN used | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
ORDER BY inferred, best DESC, firm, technology, firm_id, technology_id
SKIP $skip LIMIT $limit
