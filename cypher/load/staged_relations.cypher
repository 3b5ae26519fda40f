// Staged upsert of a batch of facts of one relationship type. $type comes from the fixed schema.
// Each row: {subject, object, source, key, props, run}. A fact the load creates carries
// `created_run` (hidden until the run is published) and gets its values now; an EXISTING fact
// is left untouched: a row that would change it is returned in `deferred`,
// applied when the run is published. `written` counts the rows whose endpoints exist.
UNWIND $rows AS row
MATCH (a:Entity {id: row.subject})
MATCH (b:Entity {id: row.object})
MERGE (a)-[r:$($type) {source: row.source, key: row.key}]->(b)
ON CREATE SET r.`_new` = true, r.created_run = row.run
WITH r, row, coalesce(r.`_new`, false) AS created,
     coalesce(r.created_run = row.run, false) AS own
FOREACH (_ IN CASE WHEN own THEN [1] ELSE [] END | SET r += row.props)
WITH r, row, created,
     NOT own AND any(k IN keys(row.props) WHERE NOT coalesce(r[k] = row.props[k], r[k] IS NULL AND row.props[k] IS NULL)) AS changed
REMOVE r.`_new`
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       collect(CASE WHEN changed THEN row END) AS deferred,
       count(*) AS written
