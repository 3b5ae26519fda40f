// The entities a value names by key: its id, its normalised name ($norm) or, for statistics,
// its series id. Index seeks only; rank orders the kinds of match (lower is more trusted).
// Entities of a load still staging are left out.
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
CALL () {
  MATCH (e:Entity {id: $value}) RETURN e, 0 AS rank, false AS by_series
  UNION
  MATCH (e:Entity {norm_name: $norm}) RETURN e, 1 AS rank, false AS by_series
  UNION
  MATCH (e:Statistic {series: $value}) RETURN e, 2 AS rank, true AS by_series
}
WITH e, rank, by_series, hidden
WHERE NOT coalesce(e.created_run, '') IN hidden
RETURN e.id AS id, e.name AS name, [l IN labels(e) WHERE l <> 'Entity'] AS labels,
       rank, by_series, e.year AS year
