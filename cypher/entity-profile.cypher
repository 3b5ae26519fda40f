/*
name: entity-profile
title: Everything known about one entity, grouped by relationship, with evidence
description: >
  One entity (any label) and every fact that touches it. The first row describes the entity
  itself (its properties as `key=value` details, its description and where it comes from);
  then one row per relationship, grouped by type and direction (outgoing first), with the
  other end, the relationship's own fields (kind, category, share, year, role, ...), the
  other end's key numbers for a statistic (value or range, bound, unit and their normalised
  forms) or dates for a restriction, the kind of a statement (reason, goal, claim), and the quote, the heading of the list it is an item of
  (context), source, as_of and confidence of the fact.
mode: read
paged: true
params:
  - name: entity
    type: entity
    description: the entity (name, alias or id)
returns: [relation, direction, other, other_id, other_type, details, quote, context, source,
          as_of, confidence]
example:
  entity: CATL
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (e:Entity {id: $entity})
WHERE NOT coalesce(e.created_run, '') IN hidden
CALL (e, hidden) {
  RETURN 0 AS part, '(entity)' AS relation, '' AS direction, e AS other, null AS r
  UNION ALL
  MATCH (e)-[r]->(other:Entity)
  WHERE NOT coalesce(r.created_run, '') IN hidden
  RETURN 1 AS part, type(r) AS relation, 'out' AS direction, other, r
  UNION ALL
  MATCH (e)<-[r]-(other:Entity)
  WHERE NOT coalesce(r.created_run, '') IN hidden
  RETURN 2 AS part, type(r) AS relation, 'in' AS direction, other, r
}
WITH e, part, relation, direction, other, r,
     CASE WHEN r IS NULL THEN properties(e) ELSE properties(r) END AS own,
     CASE WHEN r IS NULL THEN ['id', 'name', 'norm_name', 'norm_names', 'source', 'evidence',
                               'context', 'confidence']
          ELSE ['source', 'evidence', 'context', 'confidence', 'as_of', 'key'] END AS unshown,
     CASE WHEN r IS NOT NULL AND other:Statistic
            THEN ['value', 'low', 'high', 'bound', 'unit', 'value_normalised', 'low_normalised',
                  'high_normalised', 'unit_normalised', 'year', 'period']
          WHEN r IS NOT NULL AND other:Restriction
            THEN ['kind', 'authority', 'start', 'end']
          WHEN r IS NOT NULL AND other:Statement THEN ['kind']
          ELSE [] END AS borrowed
WITH e, part, relation, direction, other, r,
     [k IN keys(own) WHERE NOT k IN unshown AND own[k] IS NOT NULL AND own[k] <> [] |
        [k, own[k]]] +
     [k IN borrowed WHERE other[k] IS NOT NULL AND NOT k IN keys(own) | [k, other[k]]] AS pairs
RETURN relation,
       direction,
       other.name AS other,
       other.id AS other_id,
       [l IN labels(other) WHERE l <> 'Entity'][0] AS other_type,
       COLLECT {
         UNWIND pairs AS pair
         WITH pair ORDER BY pair[0]
         RETURN pair[0] + '=' + CASE WHEN valueType(pair[1]) STARTS WITH 'LIST'
                                     THEN reduce(txt = '', v IN pair[1] |
                                            txt + CASE WHEN txt = '' THEN '' ELSE '; ' END
                                            + toString(v))
                                     ELSE toString(pair[1]) END
       } AS details,
       CASE WHEN r IS NULL THEN e.evidence ELSE r.evidence END AS quote,
       CASE WHEN r IS NULL THEN e.context ELSE r.context END AS context,
       CASE WHEN r IS NULL THEN e.source ELSE r.source END AS source,
       r.as_of AS as_of,
       CASE WHEN r IS NULL THEN e.confidence ELSE r.confidence END AS confidence
ORDER BY part, relation, other, other_id, direction, details, source, quote, as_of
SKIP $skip LIMIT $limit
