// Wait until every index is online (after a bulk import creates them on a full graph).
CALL db.awaitIndexes($seconds)
