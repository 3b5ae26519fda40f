// One load writes at a time: a load holds the write lock of this node in a transaction of its
// own, open for the whole load and rolled back at its end (a killed loader's connection drops,
// and the server rolls it back). Another load waits here until it is free.
MERGE (lock:LoadLock {id: 'load'})
SET lock.holder = $run
RETURN lock.id AS id
