// The guard benchmark's runaway read: a list of 400 million integers (several GB) in memory.
// Under a timeout and the server's transaction memory cap it must stop, and the server live on.
UNWIND range(1, 400000000) AS x
WITH collect(x) AS l
RETURN size(l) AS n
