/*
name: statistics-list
title: The statistics the sources give (value, unit, year), optionally about one entity
description: >
  Every statistic (a number a source gives, with unit and year), or only those about one
  entity; one row each, grouped by series (a series with several years is a trend, see
  statistic-trend), with what it is about and its quote, source and confidence.
mode: read
params:
  - name: about
    type: entity
    default: null
    description: only statistics about this entity; omit for all
returns: [series, statistic, statistic_id, value, unit, year, period, metric, about, quote,
          source, confidence]
example:
  about: United States
*/
CALL () {
  MATCH (:Entity {id: $about})<-[:ABOUT]-(s:Statistic)
  RETURN s
  UNION
  MATCH (s:Statistic)
  WHERE $about IS NULL
  RETURN s
}
RETURN s.series AS series,
       s.name AS statistic,
       s.id AS statistic_id,
       s.value AS value,
       s.unit AS unit,
       s.year AS year,
       s.period AS period,
       s.metric AS metric,
       COLLECT { MATCH (s)-[:ABOUT]->(o:Entity) RETURN o.name ORDER BY o.name } AS about,
       s.evidence AS quote,
       s.source AS source,
       s.confidence AS confidence
ORDER BY series, year, statistic
