// Upsert a batch of nodes of one label. $label comes from the fixed schema, never from input.
// Each row: {id, props, run}. props holds every schema field (null removes a property) and
// set_by, the source that sets them; run is the load that creates the node (kept for unload).
// Returns how many nodes were created and how many existing ones changed, and the ids that
// are already of another kind: a concurrent load may have given the id another label after
// this load's plan checked it. Setting the label locks the node, so the labels read after it
// include every committed one; the writer then fails the load.
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
ON CREATE SET n.`_new` = true, n.created_run = row.run
SET n:$($label)
WITH n, row, coalesce(n.`_new`, false) AS created,
     [l IN labels(n) WHERE l <> 'Entity' AND l <> $label] AS others
WITH n, row, created, others,
     created OR any(k IN keys(row.props) WHERE NOT coalesce(n[k] = row.props[k], n[k] IS NULL AND row.props[k] IS NULL)) AS changed
FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET n += row.props)
REMOVE n.`_new`
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN changed AND NOT created THEN 1 ELSE 0 END) AS changed,
       collect(CASE WHEN others <> [] THEN [row.id, others[0]] END)[..20] AS clashes
