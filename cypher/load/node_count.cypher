// How many nodes the database holds (a bulk load writes only into an empty one).
MATCH (n)
RETURN count(n) AS n
