// Every entity of the labels $labels with all its names and identifiers, its claims' included:
// what records without an id are matched against (read only when a load has such records).
// What a load still staging created is left out (as by every reader).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (n:Entity)
WHERE any(l IN labels(n) WHERE l IN $labels) AND NOT coalesce(n.created_run, '') IN hidden
OPTIONAL MATCH (c:Claim)-[:CLAIMS]->(n)
WHERE NOT coalesce(c.created_run, '') IN hidden
WITH n, collect(c) AS claims
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name,
       coalesce(n.aliases, []) + reduce(acc = [], c IN claims | acc + [c.name] + coalesce(c.aliases, [])) AS names,
       coalesce(n.identifiers, []) + reduce(acc = [], c IN claims | acc + coalesce(c.identifiers, [])) AS identifiers,
       n.birth_date AS birth, n.set_by AS set_by
