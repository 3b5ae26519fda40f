// Removing a staged run, step 1: every fact it created (a scan of the facts' created_run), in
// batches of committed transactions. The run stays 'staging' (hidden) meanwhile.
MATCH ()-[r]->()
WHERE r.created_run = $run
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
