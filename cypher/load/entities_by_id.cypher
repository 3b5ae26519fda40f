// The entities with these ids (an index seek each): what a load's ids and references meet,
// with the source that set their values (another source's record becomes a claim).
// What a load still staging created is left out (as by every reader).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
UNWIND $ids AS id
MATCH (n:Entity {id: id})
WHERE NOT coalesce(n.created_run, '') IN hidden
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name,
       n.set_by AS set_by
