// The entities a value names by alias or by its id in another case: a scan, run only when
// resolve/by_key finds nothing. Entities of a load still staging are left out.
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (e:Entity)
WHERE ($norm IN e.norm_names OR toLower(e.id) = toLower($value))
  AND NOT coalesce(e.created_run, '') IN hidden
RETURN e.id AS id, e.name AS name, [l IN labels(e) WHERE l <> 'Entity'] AS labels,
       2 AS rank, false AS by_series, e.year AS year
