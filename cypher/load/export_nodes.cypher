// Every entity with its label and properties, for `kb export`.
MATCH (n:Entity)
RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
ORDER BY label, n.id
