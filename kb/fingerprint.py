"""A canonical hash of the graph, to prove that a failed load changed nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import neo4j

from kb.statements import statement

# Which load put a node or fact there, which source set a node's values, whether it waits for a
# review: bookkeeping of the loads (like the LoadRun records), not content; an export loaded
# back gives new ones.
BOOKKEEPING = frozenset({"created_run", "set_by", "needs_review"})


def _content(props: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in props.items() if k not in BOOKKEEPING}


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
        out = sorted(
            json.dumps([kind, other, _content(props)], sort_keys=True, default=str)
            for kind, other, props in record["out"]
        )
        rels += len(out)
        line = [record["id"], sorted(record["labels"]), _content(record["props"]), out]
        digest.update(json.dumps(line, sort_keys=True, default=str).encode())
    return Fingerprint(len(records), rels, digest.hexdigest())
