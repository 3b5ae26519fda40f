// The countries the entities with these ids are headquartered in (an index seek each): a record
// without an id that names a country joins an entity of the same name only in that country.
UNWIND $ids AS id
MATCH (n:Entity {id: id})-[:HEADQUARTERED_IN]->(c:Country)
RETURN n.id AS id, collect(c.id) AS countries
