// Unload, step 3: the entities the source set (or the load created), unless another source
// still uses them: a fact or a claim. Sources come after (unload_sources).
MATCH (n:Entity)
WHERE (n.set_by = $source OR n.created_run = $run) AND NOT n:Source
WITH n, EXISTS { (n)--(:Entity) } OR EXISTS { (:Claim)-[:CLAIMS]->(n) } AS used
WITH collect(CASE WHEN used THEN n.id END) AS kept, collect(CASE WHEN NOT used THEN n END) AS gone
FOREACH (n IN gone | DETACH DELETE n)
RETURN size(gone) AS entities, kept
