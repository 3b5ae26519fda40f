// Every spelling of every entity (of $labels; all if empty), for "did you mean" suggestions.
MATCH (e:Entity)
WHERE size($labels) = 0 OR any(l IN labels(e) WHERE l IN $labels)
RETURN e.id AS id, e.name AS name, coalesce(e.aliases, []) AS aliases,
       [l IN labels(e) WHERE l <> 'Entity'] AS labels, e.series AS series
