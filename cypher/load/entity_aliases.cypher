// The entities that have aliases, with every normalised name: read as a stream (never kept
// whole) and only when a load refers to something by a name that no id or name matched.
// Names that other sources' claims give an entity count too. What a load still staging
// created is left out (as by every reader).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (n:Entity)
WHERE size(n.norm_names) > 1 AND NOT coalesce(n.created_run, '') IN hidden
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name,
       n.norm_names AS norms
UNION ALL
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (c:Claim)-[:CLAIMS]->(n:Entity)
WHERE NOT coalesce(c.created_run, '') IN hidden AND NOT coalesce(n.created_run, '') IN hidden
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name,
       c.norm_names AS norms
