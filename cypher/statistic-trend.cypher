/*
name: statistic-trend
title: A statistic series over its years (e.g. China's share of U.S. imports, 41% -> 11%)
description: >
  Every statistic of one series in time order, with the change from the previous point
  (absolute, and relative in percent), what each statistic is about, and its quote, source
  and confidence. Name the series by its id (see statistics-list) or by any statistic in it.
mode: read
paged: true
params:
  - name: statistic
    type: entity
    labels: [Statistic]
    default: cn-share-us-dc-equipment-imports
    description: a series id, or the name, alias or id of any statistic of the series
returns: [series, year, period, value, low, high, bound, unit, value_normalised,
          low_normalised, high_normalised, unit_normalised, change, change_pct, metric, statistic,
          about, quote, context, source, confidence]
example:
  statistic: cn-share-us-dc-equipment-imports
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (one:Statistic {id: $statistic})
WHERE NOT coalesce(one.created_run, '') IN hidden
MATCH (s:Statistic {series: one.series})
WHERE NOT coalesce(s.created_run, '') IN hidden
WITH hidden, s ORDER BY s.year, s.period, s.id
WITH hidden, collect(s) AS points
UNWIND range(0, size(points) - 1) AS i
WITH hidden, points[i] AS s, CASE WHEN i > 0 THEN points[i - 1] END AS previous
RETURN s.series AS series,
       s.year AS year,
       s.period AS period,
       s.value AS value,
       s.low AS low,
       s.high AS high,
       s.bound AS bound,
       s.unit AS unit,
       s.value_normalised AS value_normalised,
       s.low_normalised AS low_normalised,
       s.high_normalised AS high_normalised,
       s.unit_normalised AS unit_normalised,
       s.value - previous.value AS change,
       CASE WHEN previous.value <> 0
            THEN round(100.0 * (s.value - previous.value) / previous.value, 1) END AS change_pct,
       s.metric AS metric,
       s.name AS statistic,
       COLLECT { MATCH (s)-[ab:ABOUT]->(o:Entity) WHERE NOT coalesce(ab.created_run, '') IN hidden RETURN o.name ORDER BY o.name } AS about,
       s.evidence AS quote,
       s.context AS context,
       s.source AS source,
       s.confidence AS confidence
ORDER BY year, period, statistic, source, quote
SKIP $skip LIMIT $limit
