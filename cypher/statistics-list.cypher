/*
name: statistics-list
title: The statistics the sources give (value, unit, year), optionally about one entity
description: >
  Every statistic (a number a source gives, with unit and year), or only those about one
  entity: a single value, or a range (low and high), or a bound (`above` 500%), each also in
  its normalised form (a fraction for percentages, U.S. dollars for amounts); one row each, grouped by series (a series with several years is a trend, see
  statistic-trend), with what it is about and its quote, source and confidence.
mode: read
paged: true
params:
  - name: about
    type: entity
    default: null
    description: only statistics about this entity; omit for all
returns: [series, statistic, statistic_id, value, low, high, bound, unit, value_normalised,
          low_normalised, high_normalised, unit_normalised, year, period, metric, about, quote,
          context, source, confidence]
example:
  about: United States
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
CALL (hidden) {
  MATCH (:Entity {id: $about})<-[ab:ABOUT]-(s:Statistic)
  WHERE NOT coalesce(ab.created_run, '') IN hidden
  RETURN s
  UNION
  MATCH (s:Statistic)
  WHERE $about IS NULL AND NOT coalesce(s.created_run, '') IN hidden
  RETURN s
}
RETURN s.series AS series,
       s.name AS statistic,
       s.id AS statistic_id,
       s.value AS value,
       s.low AS low,
       s.high AS high,
       s.bound AS bound,
       s.unit AS unit,
       s.value_normalised AS value_normalised,
       s.low_normalised AS low_normalised,
       s.high_normalised AS high_normalised,
       s.unit_normalised AS unit_normalised,
       s.year AS year,
       s.period AS period,
       s.metric AS metric,
       COLLECT { MATCH (s)-[ab:ABOUT]->(o:Entity) WHERE NOT coalesce(ab.created_run, '') IN hidden RETURN o.name ORDER BY o.name } AS about,
       s.evidence AS quote,
       s.context AS context,
       s.source AS source,
       s.confidence AS confidence
ORDER BY series, year, statistic, statistic_id
SKIP $skip LIMIT $limit
