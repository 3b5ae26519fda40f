// Undo a merge, step 1: the entity that went comes back with its label and values, its
// claims move back to it, the kept one gets its values of before, the merge's claim goes.
MATCH (u:MergeUndo {id: $decision})
MATCH (a:Entity {id: u.kept})
CREATE (b:Entity)
SET b = $other_props, b:$($label)
WITH u, a, b
OPTIONAL MATCH (c:Claim)-[x:CLAIMS]->(a) WHERE c.id IN u.claims
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END |
  CREATE (c)-[:CLAIMS]->(b) SET c.entity = b.id DELETE x)
WITH DISTINCT u, a
SET a = $kept_props
WITH u, a
OPTIONAL MATCH (m:Claim {id: u.merged_claim})
DETACH DELETE m
WITH DISTINCT u
DELETE u
RETURN true AS done
