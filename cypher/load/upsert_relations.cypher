// Upsert a batch of facts of one relationship type. $type comes from the fixed schema.
// A fact is identified by subject, type, object, source and key; loading it again updates it.
// Each row: {subject, object, source, key, props, run}; run is the load that creates the fact.
// A row whose endpoint is gone (deleted since the plan found it) matches nothing: `written`
// counts the rows that got through, and the writer fails the load when it is short of the batch.
UNWIND $rows AS row
MATCH (a:Entity {id: row.subject})
MATCH (b:Entity {id: row.object})
MERGE (a)-[r:$($type) {source: row.source, key: row.key}]->(b)
ON CREATE SET r.`_new` = true, r.created_run = row.run
WITH r, row, coalesce(r.`_new`, false) AS created
WITH r, row, created,
     created OR any(k IN keys(row.props) WHERE NOT coalesce(r[k] = row.props[k], r[k] IS NULL AND row.props[k] IS NULL)) AS changed
FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET r += row.props)
REMOVE r.`_new`
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN changed AND NOT created THEN 1 ELSE 0 END) AS changed,
       count(*) AS written
