// Unload, step 4: the Source nodes the source (or the load) brought, unless something left
// still cites them: an entity, a fact or a claim.
MATCH (s:Source)
WHERE s.set_by = $source OR s.created_run = $run
WITH s,
     EXISTS { MATCH (m:Entity) WHERE m.source = s.id AND m <> s }
     OR EXISTS { MATCH ()-[r]->() WHERE r.source = s.id }
     OR EXISTS { MATCH (c:Claim) WHERE c.source = s.id OR c.set_by = s.id } AS used
WITH collect(CASE WHEN used THEN s.id END) AS kept, collect(CASE WHEN NOT used THEN s END) AS gone
FOREACH (s IN gone | DETACH DELETE s)
RETURN size(gone) AS entities, kept
