"""A canonical hash of the graph, to prove that a failed load changed nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import neo4j

from kb.statements import statement


@dataclass(frozen=True)
class Fingerprint:
    nodes: int
    relationships: int
    sha256: str


def fingerprint(driver: neo4j.Driver, database: str | None) -> Fingerprint:
    records, _, _ = driver.execute_query(
        statement("load/fingerprint"), database_=database, routing_=neo4j.RoutingControl.READ
    )
    digest = hashlib.sha256()
    rels = 0
    for record in sorted(records, key=lambda r: r["id"]):
        out = sorted(json.dumps(item, sort_keys=True, default=str) for item in record["out"])
        rels += len(out)
        line = [record["id"], sorted(record["labels"]), record["props"], out]
        digest.update(json.dumps(line, sort_keys=True, default=str).encode())
    return Fingerprint(len(records), rels, digest.hexdigest())
