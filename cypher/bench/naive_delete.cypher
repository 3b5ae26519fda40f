// Remove a sample of facts (before the one-transaction-per-row writer writes them again).
UNWIND $rows AS row
MATCH (a:Entity {id: row.subject})-[r:$($type) {source: row.source, key: row.key}]->(b:Entity {id: row.object})
DELETE r
