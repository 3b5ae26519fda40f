// A merge's two entities: their labels and properties, and every fact of the one that goes.
MATCH (a:Entity {id: $kept}), (b:Entity {id: $other})
RETURN [l IN labels(a) WHERE l <> 'Entity'][0] AS kept_label, properties(a) AS kept_props,
       [l IN labels(b) WHERE l <> 'Entity'][0] AS other_label, properties(b) AS other_props,
       COLLECT { MATCH (b)-[r]->(o:Entity)
                 RETURN {type: type(r), start: b.id, end: o.id, props: properties(r)} } +
       COLLECT { MATCH (o:Entity)-[r]->(b) WHERE o <> b
                 RETURN {type: type(r), start: o.id, end: b.id, props: properties(r)} } AS facts
