// Which of $ids no entity has (the endpoints of facts that a batch could not write).
UNWIND $ids AS id
OPTIONAL MATCH (n:Entity {id: id})
WITH id, n
WHERE n IS NULL
RETURN collect(DISTINCT id)[..20] AS missing
