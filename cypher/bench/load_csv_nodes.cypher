// Neo4j's own path, for comparison: LOAD CSV of one node file, committed every $batch rows.
// $label comes from the fixed schema. Lists ("a; b") are split as the loader splits them.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (n:Entity {id: row.id})
  SET n:$($label)
  SET n += row
  SET n.aliases = [a IN split(coalesce(row.aliases, ''), ';') WHERE trim(a) <> '' | trim(a)]
} IN TRANSACTIONS OF $batch ROWS
