// Apply a merge: the claims on the entity that goes move to the kept one, the kept one takes
// its new values (names and identifiers united), the other goes, and what undo needs is kept.
MATCH (a:Entity {id: $kept}), (b:Entity {id: $other})
OPTIONAL MATCH (c:Claim)-[x:CLAIMS]->(b)
WITH a, b, collect(c) AS claims, collect(x) AS links
FOREACH (c IN claims | CREATE (c)-[:CLAIMS]->(a) SET c.entity = a.id)
FOREACH (x IN links | DELETE x)
SET a = $kept_props
CREATE (m:Claim)-[:CLAIMS]->(a)
SET m = $merged_claim
CREATE (u:MergeUndo)
SET u = $undo, u.claims = [c IN claims | c.id]
DETACH DELETE b
RETURN size(claims) AS claims
