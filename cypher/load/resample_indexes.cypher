// After a load: the indexes it outdated are sampled again, so the planner sees the graph's new
// size (an index filled by a load into an empty graph still counts the entries it had).
CALL db.resampleOutdatedIndexes()
