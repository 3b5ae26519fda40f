// A load's run record changes: published (status 'done'), or failed once what it wrote is gone.
MATCH (run:LoadRun {id: $run.id})
SET run += $run
RETURN run.id AS id
