// The runs still staging (being written, or left by a loader or server that died), with what
// identifies the loading process: host, pid, its start, and the last heartbeat.
MATCH (run:LoadRun {status: 'staging'})
RETURN run.id AS id, run.host AS host, run.pid AS pid, run.process_start AS process_start,
       run.heartbeat AS heartbeat, run.started AS started
ORDER BY id
