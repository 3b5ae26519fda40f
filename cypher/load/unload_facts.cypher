// Unload, step 1: the facts a source contributed ($source), or that a load created ($run).
MATCH (:Entity)-[r]->(:Entity)
WHERE r.source = $source OR r.created_run = $run
DELETE r
RETURN count(*) AS facts
