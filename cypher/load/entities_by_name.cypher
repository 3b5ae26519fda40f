// The entities whose normalised name is one of $norms (an index seek each), and those of which
// another source's claim bears that name.
UNWIND $norms AS norm
CALL (norm) {
  MATCH (n:Entity {norm_name: norm})
  RETURN n
  UNION
  MATCH (c:Claim {norm_name: norm})-[:CLAIMS]->(n:Entity)
  RETURN n
}
RETURN DISTINCT norm, n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label,
       n.name AS name
