// Every fact between entities, for `kb export`.
MATCH (a:Entity)-[r]->(b:Entity)
RETURN type(r) AS type, a.id AS subject, b.id AS object, properties(r) AS props
ORDER BY type, subject, object, r.source, r.key
