// Upsert a batch of nodes of one label. $label comes from the fixed schema, never from input.
// Each row: {id, props}. props holds every schema field (null removes a property) and set_by,
// the source that sets them; $run is the load (kept as `created_run` on what it creates, for
// unload). A node created here gets every value at once; an existing one is compared and set
// only when a value differs. Returns the rows written, the existing nodes changed, and the
// ids already of another kind: a concurrent load may have given the id another label after
// this load's plan checked it. Setting the label locks the node, so the labels read after it
// include every committed one; the writer then fails the load. The writer counts creations
// from the statement's counters (no marker property written and removed on every row).
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
ON CREATE SET n.created_run = $run, n += row.props
SET n:$($label)
WITH n, row, [l IN labels(n) WHERE l <> 'Entity' AND l <> $label] AS others,
     NOT coalesce(n.created_run = $run, false)
     AND any(k IN keys(row.props) WHERE NOT coalesce(n[k] = row.props[k], n[k] IS NULL AND row.props[k] IS NULL)) AS changed
FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET n += row.props)
RETURN count(*) AS written,
       sum(CASE WHEN changed THEN 1 ELSE 0 END) AS changed,
       [] AS deferred,
       collect(CASE WHEN others <> [] THEN [row.id, others[0]] END)[..20] AS clashes
