// After a load: the plans cached for the graph as it was are dropped (a plan made just after a
// first load, before the indexes were sampled, read 40x more than a fresh one at 10^4).
CALL db.clearQueryCaches()
