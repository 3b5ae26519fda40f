// Unload, step 3: the entities the source set (or the load created), unless something of
// another source still uses them: a fact, a claim, or (for a Source) a node or fact citing it.
MATCH (n:Entity)
WHERE n.set_by = $source OR n.created_run = $run
WITH n,
     EXISTS { (n)--(:Entity) }
     OR EXISTS { (:Claim)-[:CLAIMS]->(n) }
     OR (n:Source AND (EXISTS { MATCH (m:Entity) WHERE m.source = n.id AND m <> n AND NOT (m.set_by = $source OR m.created_run = $run) }
                       OR EXISTS { MATCH ()-[r]->() WHERE r.source = n.id })) AS used
WITH collect(CASE WHEN used THEN n.id END) AS kept, collect(CASE WHEN NOT used THEN n END) AS gone
FOREACH (n IN gone | DETACH DELETE n)
RETURN size(gone) AS entities, kept
