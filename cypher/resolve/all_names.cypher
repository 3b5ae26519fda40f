// Every spelling of every entity (of $labels; all if empty), for "did you mean" suggestions.
// Entities of a load still staging are left out (docs/loading.md).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (e:Entity)
WHERE NOT coalesce(e.created_run, '') IN hidden
  AND (size($labels) = 0 OR any(l IN labels(e) WHERE l IN $labels))
RETURN e.id AS id, e.name AS name, coalesce(e.aliases, []) AS aliases,
       [l IN labels(e) WHERE l <> 'Entity'] AS labels, e.series AS series
