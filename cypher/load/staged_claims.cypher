// Staged upsert of a batch of claims (see upsert_claims); $run is the load. A claim the load
// creates carries `created_run` (hidden until the run is published) and gets its values and
// its CLAIMS link now (a claim given twice in the load: the later row's values); an EXISTING
// claim is left untouched: a row that would change it is returned in `deferred`, applied when
// the run is published. Creations are counted from the statement's counters.
UNWIND $rows AS row
MATCH (n:Entity {id: row.entity})
MERGE (c:Claim {id: row.id})
ON CREATE SET c.created_run = $run, c += row.match
WITH c, n, row, coalesce(c.created_run = $run, false) AS own
FOREACH (_ IN CASE WHEN own THEN [1] ELSE [] END |
  MERGE (c)-[:CLAIMS]->(n)
  SET c += row.props
)
WITH c, row,
     NOT own AND any(k IN keys(row.props) WHERE NOT coalesce(c[k] = row.props[k], c[k] IS NULL AND row.props[k] IS NULL)) AS changed
RETURN count(*) AS written,
       0 AS changed,
       collect(CASE WHEN changed THEN row END) AS deferred,
       [] AS clashes
