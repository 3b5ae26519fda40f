/*
name: restrictions-on-entity
title: Restrictions (bans, listings, export controls) on an entity, with their dates
description: >
  Every restriction that targets an entity, directly or (with `related`) through its parent
  company, its maker (for a product), a product it makes or a subsidiary; with the issuer,
  kind, program, scope, start and end dates, whether it is still in force today, the quote,
  source and confidence of the targeting fact, and the chain of facts that ties the
  restriction to the entity. Restrictions a country or agency issued are listed for it too.
mode: read
paged: true
params:
  - name: entity
    type: entity
    labels: [Company, Person, Product, Category, Country, Region]
    description: the company, person, product, category or place (name, alias or id)
  - name: related
    type: boolean
    default: true
    description: also restrictions on parents, makers, products and subsidiaries
returns: [restriction, restriction_id, how, target, kind, issuer, authority, program, scope,
          start, end, in_force, quote, source, confidence, evidence]
example:
  entity: Huawei
empty: >
  No restriction targets {entity} (related={related}), and it issued none. restricted lists
  every restriction by issuer and target country.
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (e:Entity {id: $entity})
WHERE NOT coalesce(e.created_run, '') IN hidden
CALL (e, hidden) {
  MATCH (rs:Restriction)-[rt:RESTRICTS]->(e)
  WHERE NOT coalesce(rt.created_run, '') IN hidden
  RETURN rs, rt, e AS target, 'direct' AS how, [] AS via
  UNION
  MATCH (e)-[up:SUBSIDIARY_OF*1..2]->(parent:Company)<-[rt:RESTRICTS]-(rs:Restriction)
  WHERE $related AND NOT coalesce(rt.created_run, '') IN hidden AND all(s IN up WHERE NOT coalesce(s.created_run, '') IN hidden)
  RETURN rs, rt, parent AS target, 'parent company' AS how, up AS via
  UNION
  MATCH (e)<-[m:MAKES]-(maker:Company)<-[rt:RESTRICTS]-(rs:Restriction)
  WHERE $related AND NOT coalesce(rt.created_run, '') IN hidden AND NOT coalesce(m.created_run, '') IN hidden
  RETURN rs, rt, maker AS target, 'maker' AS how, [m] AS via
  UNION
  MATCH (e)-[m:MAKES]->(product:Product)<-[rt:RESTRICTS]-(rs:Restriction)
  WHERE $related AND NOT coalesce(rt.created_run, '') IN hidden AND NOT coalesce(m.created_run, '') IN hidden
  RETURN rs, rt, product AS target, 'product it makes' AS how, [m] AS via
  UNION
  MATCH (e)<-[down:SUBSIDIARY_OF*1..2]-(sub:Company)<-[rt:RESTRICTS]-(rs:Restriction)
  WHERE $related AND NOT coalesce(rt.created_run, '') IN hidden AND all(s IN down WHERE NOT coalesce(s.created_run, '') IN hidden)
  RETURN rs, rt, sub AS target, 'subsidiary' AS how, down AS via
  UNION
  MATCH (rs:Restriction)-[ib:ISSUED_BY]->(e)
  WHERE NOT coalesce(ib.created_run, '') IN hidden
  RETURN rs, ib AS rt, e AS target, 'issued by it' AS how, [] AS via
}
WITH hidden, e, rs, rt, target, how, via,
     coalesce(rt.start, rs.start) AS start, coalesce(rt.end, rs.end) AS end
RETURN rs.name AS restriction,
       rs.id AS restriction_id,
       how,
       target.name AS target,
       rs.kind AS kind,
       COLLECT { MATCH (rs)-[ib:ISSUED_BY]->(i:Entity) WHERE NOT coalesce(ib.created_run, '') IN hidden
                 RETURN DISTINCT i.name AS name ORDER BY name }
         AS issuer,
       rs.authority AS authority,
       rs.program AS program,
       coalesce(rt.scope, rs.scope) AS scope,
       start,
       end,
       end IS NULL OR end >= toString(date()) AS in_force,
       rt.evidence AS quote,
       rt.source AS source,
       reduce(c = rt.confidence, r IN via |
         CASE WHEN r.confidence = 'external' OR (r.confidence = 'implied' AND c = 'stated')
              THEN r.confidence ELSE c END) AS confidence,
       [r IN [rt] + via | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
ORDER BY how = 'issued by it', how <> 'direct', start, restriction, target, restriction_id, target, quote, source
SKIP $skip LIMIT $limit
