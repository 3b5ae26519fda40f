// After a bulk import: the importer cannot write an empty list (it reads one as no value), so
// each node names its empty list properties in `_empty_lists`; set them, then drop the name.
// The property names were written by `kb load --bulk` from the schema's records.
MATCH (n)
WHERE n.`_empty_lists` IS NOT NULL
CALL (n) {
  FOREACH (k IN n.`_empty_lists` | SET n[k] = [])
  REMOVE n.`_empty_lists`
} IN TRANSACTIONS OF 10000 ROWS
