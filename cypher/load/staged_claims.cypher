// Staged upsert of a batch of claims (see upsert_claims). A claim the load creates carries
// `created_run` (hidden until the run is published) and gets its values and its CLAIMS link
// now; an EXISTING claim is left untouched: a row that would change it is returned in
// `deferred`, applied when the run is published.
UNWIND $rows AS row
MATCH (n:Entity {id: row.entity})
MERGE (c:Claim {id: row.id})
ON CREATE SET c.`_new` = true, c.created_run = row.run, c += row.match
WITH c, n, row, coalesce(c.`_new`, false) AS created,
     coalesce(c.created_run = row.run, false) AS own
FOREACH (_ IN CASE WHEN own THEN [1] ELSE [] END |
  MERGE (c)-[:CLAIMS]->(n)
  SET c += row.props
)
WITH c, row, created,
     NOT own AND any(k IN keys(row.props) WHERE NOT coalesce(c[k] = row.props[k], c[k] IS NULL AND row.props[k] IS NULL)) AS changed
REMOVE c.`_new`
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       collect(CASE WHEN changed THEN row END) AS deferred
