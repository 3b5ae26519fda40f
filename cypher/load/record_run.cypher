// The record of one load: files with their sha256, counts, problems, status and times.
CREATE (run:LoadRun)
SET run = $run
RETURN run.id AS id
