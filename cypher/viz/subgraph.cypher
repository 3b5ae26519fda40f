// The nodes and facts behind one answer of the query library (`kb viz`, `kb browser --graph`).
// Library rows carry ids, names and quotes, not graph objects; kb/viz.py collects those
// references from the rows and passes them here as parameters. Nothing is spliced into this
// text.
//   $ids     ids of the entities the rows name (*_id columns, the query's entity parameters)
//   $facts   facts the rows cite as "A -TYPE-> B" or "A -> B":
//            [{start, start_norm, type, end, end_norm, quote, source}]; *_norm are the
//            normalised names (indexed); type, quote and source may be null
//   $quotes  evidence quoted without its fact: [{quote, source, near}]; it picks the nodes
//            whose own evidence it is, and the facts with that evidence that touch one of the
//            ids in near or such a node
// One row: the distinct nodes and relationships of the picture. What a load still staging
// wrote is left out (docs/loading.md).
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
CALL (hidden) {
  UNWIND $facts AS f
  MATCH (a:Entity {norm_name: f.start_norm})-[r]->(b:Entity {norm_name: f.end_norm})
  WHERE a.name = f.start AND b.name = f.end
    AND (f.type IS NULL OR type(r) = f.type)
    AND (f.quote IS NULL OR r.evidence = f.quote)
    AND (f.source IS NULL OR r.source = f.source)
    AND NOT coalesce(r.created_run, '') IN hidden
  RETURN collect(DISTINCT r) AS cited
}
CALL (hidden) {
  UNWIND $quotes AS q
  MATCH (s:Entity)
  WHERE s.evidence = q.quote AND (q.source IS NULL OR s.source = q.source)
    AND NOT coalesce(s.created_run, '') IN hidden
  RETURN collect(DISTINCT s) AS quoted
}
CALL (quoted, hidden) {
  UNWIND $quotes AS q
  UNWIND q.near + [s IN quoted WHERE s.evidence = q.quote | s.id] AS anchor
  MATCH (:Entity {id: anchor})-[r]-(:Entity)
  WHERE r.evidence = q.quote AND (q.source IS NULL OR r.source = q.source)
    AND NOT coalesce(r.created_run, '') IN hidden
  RETURN collect(DISTINCT r) AS near
}
WITH hidden, quoted, cited + near AS rels
RETURN COLLECT {
         UNWIND quoted + [r IN rels | startNode(r)] + [r IN rels | endNode(r)]
                + COLLECT { MATCH (n:Entity) WHERE n.id IN $ids AND NOT coalesce(n.created_run, '') IN hidden RETURN n } AS n
         RETURN DISTINCT n
       } AS nodes,
       COLLECT { UNWIND rels AS r RETURN DISTINCT r } AS relationships
