// Staged upsert of a batch of nodes of one label (a load written in committed batches, hidden
// from readers until published). $label comes from the fixed schema, never from input.
// Each row: {id, props}; $run is the load. A node the load creates gets the label and every
// value now: it carries `created_run`, so readers skip it until the run is published. An
// EXISTING node is left untouched here: a row that would change it is returned in
// `deferred`, and the loader applies it when it publishes the run.
// `clashes`: ids already of another kind (a concurrent load gave the id another label).
// Creations are counted from the statement's counters.
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
ON CREATE SET n.created_run = $run, n:$($label), n += row.props
WITH n, row, [l IN labels(n) WHERE l <> 'Entity' AND l <> $label] AS others
WITH n, row, others,
     others = [] AND NOT coalesce(n.created_run = $run, false)
     AND any(k IN keys(row.props) WHERE NOT coalesce(n[k] = row.props[k], n[k] IS NULL AND row.props[k] IS NULL)) AS changed
RETURN count(*) AS written,
       0 AS changed,
       collect(CASE WHEN changed THEN row END) AS deferred,
       collect(CASE WHEN others <> [] THEN [row.id, others[0]] END)[..20] AS clashes
