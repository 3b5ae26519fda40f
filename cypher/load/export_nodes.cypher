// Every entity with its label and properties, for `kb export` (what a load still staging
// created is left out, as by every reader).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (n:Entity)
WHERE NOT coalesce(n.created_run, '') IN hidden
RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
ORDER BY label, n.id
