// What undoing a merge needs (written by merge_apply), by its decision's id.
MATCH (u:MergeUndo {id: $decision})
RETURN u.data AS data
