// Upsert a batch of facts of one relationship type. $type comes from the fixed schema.
// A fact is identified by subject, type, object, source and key; loading it again updates it.
// Each row: {subject, object, source, key, props}; $run is the load that creates the fact.
// A fact created here gets every value at once; an existing one is compared and set only
// when a value differs. A row whose endpoint is gone (deleted since the plan found it)
// matches nothing: `written` counts the rows that got through, and the writer fails the load
// when it is short of the batch. Creations are counted from the statement's counters.
UNWIND $rows AS row
MATCH (a:Entity {id: row.subject})
MATCH (b:Entity {id: row.object})
MERGE (a)-[r:$($type) {source: row.source, key: row.key}]->(b)
ON CREATE SET r.created_run = $run, r += row.props
WITH r, row,
     NOT coalesce(r.created_run = $run, false)
     AND any(k IN keys(row.props) WHERE NOT coalesce(r[k] = row.props[k], r[k] IS NULL AND row.props[k] IS NULL)) AS changed
FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET r += row.props)
RETURN count(*) AS written,
       sum(CASE WHEN changed THEN 1 ELSE 0 END) AS changed,
       [] AS deferred,
       [] AS clashes
