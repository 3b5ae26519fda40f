// A company some restriction targets (the first by id), the anchor of restriction queries.
MATCH (:Restriction)-[:RESTRICTS]->(c:Company)
RETURN c.id AS id
ORDER BY id
LIMIT 1
