// Staged upsert of a batch of nodes of one label (a load written in committed batches, hidden
// from readers until published). $label comes from the fixed schema, never from input.
// Each row: {id, props, run}. A node the load creates (or created in an earlier batch) gets
// the label and every value now: it carries `created_run`, so readers skip it until the run is
// published. An EXISTING node is left untouched here: a row that would change it is returned
// in `deferred`, and the loader applies it when it publishes the run.
// `clashes`: ids already of another kind (a concurrent load gave the id another label).
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
ON CREATE SET n.`_new` = true, n.created_run = row.run
WITH n, row, coalesce(n.`_new`, false) AS created,
     coalesce(n.created_run = row.run, false) AS own,
     [l IN labels(n) WHERE l <> 'Entity' AND l <> $label] AS others
FOREACH (_ IN CASE WHEN own AND others = [] THEN [1] ELSE [] END |
  SET n:$($label)
  SET n += row.props
)
WITH n, row, created, others,
     NOT own AND others = [] AND any(k IN keys(row.props) WHERE NOT coalesce(n[k] = row.props[k], n[k] IS NULL AND row.props[k] IS NULL)) AS changed
REMOVE n.`_new`
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       collect(CASE WHEN changed THEN row END) AS deferred,
       collect(CASE WHEN others <> [] THEN [row.id, others[0]] END)[..20] AS clashes
