// How many nodes the database holds (the benchmark refuses a non-empty one without --wipe).
MATCH (n)
RETURN count(n) AS n
