// The entities that have aliases, with every normalised name: read as a stream (never kept
// whole) and only when a load refers to something by a name that no id or name matched.
// Names that other sources' claims give an entity count too.
MATCH (n:Entity)
WHERE size(n.norm_names) > 1
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name,
       n.norm_names AS norms
UNION ALL
MATCH (c:Claim)-[:CLAIMS]->(n:Entity)
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name,
       c.norm_names AS norms
