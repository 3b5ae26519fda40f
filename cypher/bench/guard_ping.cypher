// The guard benchmark's next query: the server answers after a stopped read.
RETURN 1 AS n
