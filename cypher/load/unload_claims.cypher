// Unload, step 2: the values a source kept beside entities that others set (its claims).
MATCH (c:Claim)
WHERE c.set_by = $source OR c.created_run = $run
DETACH DELETE c
RETURN count(*) AS claims
