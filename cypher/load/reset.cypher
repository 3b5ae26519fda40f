// Empty the graph, in batches so that large graphs fit in memory.
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
