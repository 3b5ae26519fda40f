// Copy one fact onto the kept entity of a merge ($($type) is a type of the fixed schema):
// the same source and key make the same fact, which keeps its own values.
MATCH (a:Entity {id: $start}), (b:Entity {id: $end})
MERGE (a)-[r:$($type) {source: $props.source, key: $props.key}]->(b)
ON CREATE SET r = $props, r.`_new` = true
WITH r, coalesce(r.`_new`, false) AS created
REMOVE r.`_new`
RETURN created
