/*
name: where-company-builds
title: Where a company builds or operates data centers
description: >
  The countries, regions and sites where a company (or its subsidiaries) builds or operates
  AI/data-center infrastructure, with the country each place lies in, the role (builder,
  operator, investor), whether that is abroad from the company's home, statistics about both
  the company and the place (e.g. an investment amount), and the evidence.
mode: read
paged: true
params:
  - name: company
    type: entity
    labels: [Company]
    description: the company (name, alias or id)
returns: [place, place_id, place_type, country, abroad, relation, role, operator, statistics,
          confidence, evidence]
example:
  company: Microsoft
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
MATCH (company:Company {id: $company})
WHERE NOT coalesce(company.created_run, '') IN hidden
MATCH (op:Company)-[sub:SUBSIDIARY_OF*0..2]->(company)
WHERE all(s IN sub WHERE NOT coalesce(s.created_run, '') IN hidden)
MATCH (op)-[r:BUILDS_IN|OPERATES_IN]->(place:Entity)
WHERE NOT coalesce(r.created_run, '') IN hidden
OPTIONAL MATCH (place)-[loc:LOCATED_IN*0..3]->(country:Country)
WHERE all(s IN loc WHERE NOT coalesce(s.created_run, '') IN hidden)
OPTIONAL MATCH (company)-[hq:HEADQUARTERED_IN]->(home:Country)
WHERE NOT coalesce(hq.created_run, '') IN hidden
WITH hidden, company, op, r, place, home, collect(DISTINCT country) AS countries
RETURN place.name AS place,
       place.id AS place_id,
       [l IN labels(place) WHERE l <> 'Entity'][0] AS place_type,
       [x IN countries | x.name][0] AS country,
       CASE WHEN home IS NULL OR size(countries) = 0 THEN null
            ELSE NOT home IN countries END AS abroad,
       type(r) AS relation,
       r.role AS role,
       op.name AS operator,
       COLLECT { MATCH (company)<-[x:ABOUT]-(st:Statistic)-[y:ABOUT]->(place)
                 WHERE NOT coalesce(st.created_run, '') IN hidden AND NOT coalesce(x.created_run, '') IN hidden AND NOT coalesce(y.created_run, '') IN hidden
                 RETURN {statistic: st.name, value: st.value, low: st.low, high: st.high,
                         bound: st.bound, unit: st.unit, value_normalised: st.value_normalised,
                         low_normalised: st.low_normalised, high_normalised: st.high_normalised,
                         unit_normalised: st.unit_normalised, year: st.year,
                         quote: st.evidence, context: st.context,
                         confidence: st.confidence} AS stat
                 ORDER BY st.year } AS statistics,
       r.confidence AS confidence,
       [{fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence,
         note: r.note}] AS evidence
ORDER BY abroad, country, place, relation, place_id, operator, role
SKIP $skip LIMIT $limit
