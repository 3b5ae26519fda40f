// Upsert a batch of claims: the values one source gives an entity that another source set (or
// that a record without an id joined). The entity's own values never change here.
// Each row: {id, entity, props, match}; id is entity|source|name; match (score, reason,
// the record) is the join as first made; $run is the load. Returns the rows written and the
// existing claims changed (creations: the statement's counters). A claim given twice in one
// load takes the later row's values (hence the marker `_new`, unlike facts and nodes).
UNWIND $rows AS row
MATCH (n:Entity {id: row.entity})
MERGE (c:Claim {id: row.id})
ON CREATE SET c.`_new` = true, c.created_run = $run, c += row.match
MERGE (c)-[:CLAIMS]->(n)
WITH c, row, coalesce(c.`_new`, false) AS created
WITH c, row, created,
     created OR any(k IN keys(row.props) WHERE NOT coalesce(c[k] = row.props[k], c[k] IS NULL AND row.props[k] IS NULL)) AS changed
FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET c += row.props)
REMOVE c.`_new`
RETURN count(*) AS written,
       sum(CASE WHEN changed AND NOT created THEN 1 ELSE 0 END) AS changed,
       [] AS deferred,
       [] AS clashes
