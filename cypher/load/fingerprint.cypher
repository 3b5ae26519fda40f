// Every node and relationship of the knowledge graph (LoadRun records left out), for a
// canonical hash: equal graphs give equal hashes whatever their internal ids.
MATCH (n:Entity)
OPTIONAL MATCH (n)-[r]->(m:Entity)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props,
       collect(CASE WHEN r IS NULL THEN null
               ELSE [type(r), m.id, properties(r)] END) AS out
