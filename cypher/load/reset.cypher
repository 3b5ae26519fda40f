// Empty the graph, in batches so that large graphs fit in memory: 1000 nodes a transaction
// (with every relationship they have), so that a 10^6-relationship graph empties within the
// transaction memory of a 1 GiB heap.
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS
