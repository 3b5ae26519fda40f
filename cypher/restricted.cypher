/*
name: restricted
title: Who is restricted, by which issuer, of which kind, since when (e.g. by the U.S.)
description: >
  The targets of restrictions (bans, listings, export controls, procurement bans): for each
  target and restriction, the issuer (a country, or an agency such as BIS or the FCC together
  with the country it belongs to), the kind, authority and program, the start and end dates
  and whether the restriction is in force on the date asked (default today). `issuer` keeps
  the restrictions issued by that country or body, or by an agency headquartered in that
  country; `country` keeps the targets at home in that country (a product counts by its
  maker's home); `kind` keeps one kind. One row per target and restriction, earliest start
  first, with the quote, list heading and source of every fact used.
mode: read
paged: true
params:
  - name: issuer
    type: entity
    labels: [Country, Company]
    default: null
    description: the issuing country or body (US, BIS, FCC ...); omit for any
  - name: country
    type: entity
    labels: [Country]
    default: null
    description: only targets at home in this country (CN); omit for any
  - name: kind
    type: string
    default: null
    choices: [ban, listing, export_control, procurement_ban, other]
    description: only restrictions of this kind; omit for all
  - name: date
    type: string
    default: null
    description: the date (YYYY, YYYY-MM or YYYY-MM-DD) the restriction must be in force on; omit for today
  - name: in_force
    type: boolean
    default: true
    description: only restrictions in force on that date (false lists ended and future ones too)
returns: [target, target_id, target_type, home, restriction, restriction_id, kind, issuer,
          authority, program, start, end, in_force, confidence, evidence]
example:
  issuer: United States
empty: >
  No restriction in force on {date} (in_force={in_force}) matches issuer {issuer}, target
  country {country} and kind {kind}. Try -p in_force=false for ended or later ones, or
  restrictions-on-entity -p entity=NAME for one entity with its parents, products and
  subsidiaries.
*/
CALL () { MATCH (run:LoadRun {status: 'staging'}) RETURN collect(run.id) AS hidden }
WITH hidden, coalesce($date, toString(date())) AS day
MATCH (rs:Restriction)-[rt:RESTRICTS]->(target:Entity)
WHERE ($kind IS NULL OR rs.kind = $kind) AND NOT coalesce(rt.created_run, '') IN hidden
// the issuers, and the facts that tie the restriction to the issuer asked about
CALL (rs, hidden) {
  OPTIONAL MATCH (rs)-[ib:ISSUED_BY]->(i:Entity) WHERE NOT coalesce(ib.created_run, '') IN hidden
  OPTIONAL MATCH (i)-[ihq:HEADQUARTERED_IN]->(ic:Country) WHERE NOT coalesce(ihq.created_run, '') IN hidden
  RETURN collect(DISTINCT i.name + CASE WHEN ic IS NULL THEN '' ELSE ' (' + ic.name + ')' END)
           AS issuers,
         [x IN collect({ib: ib, ihq: ihq, issuer: i, country: ic}) WHERE x.ib IS NOT NULL] AS ties
}
WITH hidden, day, rs, rt, target, issuers,
     [t IN ties WHERE $issuer IS NULL OR t.issuer.id = $issuer OR t.country.id = $issuer]
       AS matching
WHERE $issuer IS NULL OR size(matching) > 0
WITH hidden, day, rs, rt, target, issuers,
     CASE WHEN size(matching) = 0 THEN []
          WHEN $issuer IS NULL OR matching[0].issuer.id = $issuer THEN [matching[0].ib]
          ELSE [matching[0].ib, matching[0].ihq] END AS issued
// the target's home: its own, else (a product) its maker's
CALL (target, hidden) {
  OPTIONAL MATCH (target)-[hq:HEADQUARTERED_IN]->(home:Country) WHERE NOT coalesce(hq.created_run, '') IN hidden
  OPTIONAL MATCH (target)<-[m:MAKES]-(:Company)-[mhq:HEADQUARTERED_IN]->(mhome:Country)
  WHERE NOT coalesce(m.created_run, '') IN hidden AND NOT coalesce(mhq.created_run, '') IN hidden
  WITH CASE WHEN home IS NOT NULL THEN home
            WHEN target:Country THEN target ELSE mhome END AS home,
       CASE WHEN home IS NOT NULL THEN [hq]
            WHEN target:Country OR mhome IS NULL THEN [] ELSE [m, mhq] END AS homing
  RETURN home, homing
  LIMIT 1
}
WITH day, rs, rt, target, issuers, issued, home, homing
WHERE $country IS NULL OR home.id = $country
WITH day, rs, rt, target, issuers, issued, home,
     CASE WHEN $country IS NULL THEN [] ELSE homing END AS homing,
     coalesce(rt.start, rs.start) AS start, coalesce(rt.end, rs.end) AS end
WITH rs, rt, target, issuers, issued, home, homing, start, end,
     (start IS NULL OR start <= day) AND (end IS NULL OR end > day) AS in_force
WHERE NOT $in_force OR in_force
WITH rs, target, home, issuers, start, end, in_force, [rt] + issued + homing AS facts
RETURN target.name AS target,
       target.id AS target_id,
       [l IN labels(target) WHERE l <> 'Entity'][0] AS target_type,
       home.name AS home,
       rs.name AS restriction,
       rs.id AS restriction_id,
       rs.kind AS kind,
       issuers AS issuer,
       rs.authority AS authority,
       rs.program AS program,
       start,
       end,
       in_force,
       reduce(c = 'stated', f IN facts |
         CASE WHEN f.confidence = 'external' OR (f.confidence = 'implied' AND c = 'stated')
              THEN f.confidence ELSE c END) AS confidence,
       [r IN facts | {
         fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name,
         quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of,
         confidence: r.confidence
       }] AS evidence
ORDER BY start IS NULL, start, target, restriction, target_id, restriction_id
SKIP $skip LIMIT $limit
