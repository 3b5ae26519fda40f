// The entities with these ids (an index seek each): what a load's ids and references meet,
// with the source that set their values (another source's record becomes a claim).
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.name AS name,
       n.set_by AS set_by
