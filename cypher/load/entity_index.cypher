// Every entity's id, label, name and aliases: read only to suggest a name for an unknown one.
// What a load still staging created is left out (as by every reader).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (n:Entity)
WHERE NOT coalesce(n.created_run, '') IN hidden
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name,
       coalesce(n.aliases, []) AS aliases
