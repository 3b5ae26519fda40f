// Removing a staged run, step 2: the claims it created, in batches.
MATCH (c:Claim {created_run: $run})
CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 10000 ROWS
