// Neo4j's own path, for comparison: LOAD CSV of one fact file, committed every $batch rows.
// A fact is identified by its ends, type, source and key, as in the loader's own statement.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (a:Entity {id: row.subject})
  MATCH (b:Entity {id: row.object})
  WITH a, b, row,
       reduce(k = '', f IN ['kind', 'category', 'year', 'destination', 'start'] |
         CASE WHEN row[f] IS NULL THEN k
              ELSE k + CASE WHEN k = '' THEN '' ELSE '|' END + f + '=' + row[f] END) AS key
  MERGE (a)-[r:$($type) {source: row.source, key: key}]->(b)
  SET r += row
} IN TRANSACTIONS OF $batch ROWS
