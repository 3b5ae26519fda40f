// Staged upsert of a batch of facts of one relationship type. $type comes from the fixed schema.
// Each row: {subject, object, source, key, props}; $run is the load. A fact the load creates
// carries `created_run` (hidden until the run is published) and gets its values now; an
// EXISTING fact is left untouched: a row that would change it is returned in `deferred`,
// applied when the run is published. `written` counts the rows whose endpoints exist.
// The shape of LOAD CSV's own MERGE: no marker property written and removed on every row
// (creations are counted from the statement's counters).
UNWIND $rows AS row
MATCH (a:Entity {id: row.subject})
MATCH (b:Entity {id: row.object})
MERGE (a)-[r:$($type) {source: row.source, key: row.key}]->(b)
ON CREATE SET r.created_run = $run, r += row.props
WITH r, row,
     NOT coalesce(r.created_run = $run, false)
     AND any(k IN keys(row.props) WHERE NOT coalesce(r[k] = row.props[k], r[k] IS NULL AND row.props[k] IS NULL)) AS changed
RETURN count(*) AS written,
       0 AS changed,
       collect(CASE WHEN changed THEN row END) AS deferred,
       [] AS clashes
