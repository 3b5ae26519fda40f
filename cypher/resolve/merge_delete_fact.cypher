// Delete one fact ($($type) is a type of the fixed schema): the copy a merge made, on undo.
MATCH (:Entity {id: $start})-[r:$($type) {source: $source, key: $key}]->(:Entity {id: $end})
DELETE r
