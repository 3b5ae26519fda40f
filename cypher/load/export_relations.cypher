// Every fact between entities, for `kb export` (what a load still staging created is left
// out, as by every reader).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (a:Entity)-[r]->(b:Entity)
WHERE NOT coalesce(r.created_run, '') IN hidden
RETURN type(r) AS type, a.id AS subject, b.id AS object, properties(r) AS props
ORDER BY type, subject, object, r.source, r.key
