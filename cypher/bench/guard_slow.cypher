// The guard benchmark's slow read: little memory, only time (four billion rows counted).
UNWIND range(1, 4000000000) AS x
WITH x WHERE x % 1000000007 = 3
RETURN count(x) AS n
