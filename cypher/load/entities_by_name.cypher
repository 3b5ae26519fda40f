// The entities whose normalised name is one of $norms (an index seek each).
UNWIND $norms AS norm
MATCH (n:Entity {norm_name: norm})
RETURN norm, n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name
