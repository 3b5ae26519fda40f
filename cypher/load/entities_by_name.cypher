// The entities whose normalised name is one of $norms (an index seek each), and those of which
// another source's claim bears that name.
// What a load still staging created is left out (as by every reader).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
UNWIND $norms AS norm
CALL (norm, hidden) {
  MATCH (n:Entity {norm_name: norm})
  RETURN n
  UNION
  MATCH (c:Claim {norm_name: norm})-[:CLAIMS]->(n:Entity)
  WHERE NOT coalesce(c.created_run, '') IN hidden
  RETURN n
}
WITH norm, n, hidden
WHERE NOT coalesce(n.created_run, '') IN hidden
RETURN DISTINCT norm, n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label,
       n.name AS name
