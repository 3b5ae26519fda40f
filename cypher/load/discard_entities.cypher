// Removing a staged run, step 3: the entities it created, in batches (their facts are gone).
MATCH (n:Entity {created_run: $run})
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
