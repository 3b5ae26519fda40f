/*
name: evidence-between
title: The sources and quotes behind every relationship between two entities
description: >
  Every fact that directly links two entities, in either direction, and every statistic about
  both: the relationship with its own fields, the verbatim quote, the source (id, title,
  publisher, date, address), as_of and confidence. For chains through other entities, see
  dependency-paths.
mode: read
paged: true
params:
  - name: a
    type: entity
    description: one entity (name, alias or id)
  - name: b
    type: entity
    description: the other entity
returns: [subject, relation, object, details, quote, context, source, source_title,
          source_url, source_date, as_of, confidence]
example:
  a: China
  b: United States
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (a:Entity {id: $a}), (b:Entity {id: $b})
WHERE NOT coalesce(a.created_run, '') IN hidden AND NOT coalesce(b.created_run, '') IN hidden
CALL (a, b, hidden) {
  MATCH (a)-[r]-(b)
  WHERE NOT coalesce(r.created_run, '') IN hidden
  RETURN startNode(r) AS subject, type(r) AS relation, endNode(r) AS object, r AS fact,
         properties(r) AS own
  UNION ALL
  MATCH (a)<-[x:ABOUT]-(s:Statistic)-[y:ABOUT]->(b)
  WHERE NOT coalesce(s.created_run, '') IN hidden AND NOT coalesce(x.created_run, '') IN hidden AND NOT coalesce(y.created_run, '') IN hidden
  RETURN s AS subject, 'ABOUT (statistic)' AS relation, s AS object, s AS fact,
         {value: s.value, low: s.low, high: s.high, bound: s.bound, unit: s.unit,
          value_normalised: s.value_normalised, low_normalised: s.low_normalised,
          high_normalised: s.high_normalised, unit_normalised: s.unit_normalised,
          year: s.year, period: s.period} AS own
}
OPTIONAL MATCH (src:Source {id: fact.source})
WITH a, b, subject, relation, object, fact, src,
     [k IN keys(own) WHERE NOT k IN ['source', 'evidence', 'context', 'confidence', 'as_of', 'key']
                       AND own[k] IS NOT NULL | [k, own[k]]] AS pairs
RETURN subject.name AS subject,
       relation,
       CASE WHEN object = subject THEN a.name + ' & ' + b.name ELSE object.name END AS object,
       COLLECT { UNWIND pairs AS pair WITH pair ORDER BY pair[0]
                 RETURN pair[0] + '=' + toString(pair[1]) } AS details,
       fact.evidence AS quote,
       fact.context AS context,
       fact.source AS source,
       src.title AS source_title,
       src.url AS source_url,
       src.date AS source_date,
       fact.as_of AS as_of,
       fact.confidence AS confidence
ORDER BY subject, relation, details, object, source, quote, context, as_of
SKIP $skip LIMIT $limit
