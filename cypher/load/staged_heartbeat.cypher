// A staged load is alive: its run's heartbeat (an ISO time), written with each batch.
MATCH (run:LoadRun {id: $id})
SET run.heartbeat = $now
