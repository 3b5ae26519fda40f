"""`kb resolve`: likely duplicates across the graph, and the decisions that settle them.

``same KEPT OTHER`` merges OTHER into KEPT in one transaction: every fact of OTHER is copied
onto KEPT with its provenance (a fact KEPT already has from the same source stays as it is),
the claims on OTHER move to KEPT, OTHER's own values stay beside KEPT as a claim (with the
source that set them), names, aliases and identifiers are united, and OTHER goes. What undo
needs (both entities' values, every fact of OTHER, which copies were new) is kept in a
``MergeUndo`` node. ``undo`` takes the last decision of the user's file back and, for a merge,
gives the two entities back as they were. Plain Cypher, no plugin: relationship types come
from the fixed schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import neo4j

from kb import decisions
from kb.decisions import Decision, DecisionError, Decisions
from kb.matching import Known, similar_pairs
from kb.schema import NODE_TYPES, RELATION_BY_TYPE, normalise_name
from kb.statements import statement

MATCHED_LABELS = [
    t.label for t in NODE_TYPES if t.label not in ("Source", "Statistic", "Statement")
]


def _typed(name: str, rel_type: str) -> str:
    if rel_type not in RELATION_BY_TYPE:
        raise DecisionError(f"not a relationship type of the schema: {rel_type!r}")
    return statement(name).replace("$($type)", rel_type)


def _read(driver: neo4j.Driver, database: str | None, name: str, **params: Any) -> list[Any]:
    records, _, _ = driver.execute_query(
        statement(name), params, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return records


# --------------------------------------------------------------------------- candidates


def candidates(
    driver: neo4j.Driver, database: str | None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Pairs of entities that may be one, best first, without the pairs already decided."""
    known = [
        Known.from_row(r)
        for r in _read(driver, database, "load/match_candidates", labels=MATCHED_LABELS)
    ]
    pairs = similar_pairs(known, Decisions.load().different)
    rows = [
        {
            "score": candidate.score,
            "label": a.label,
            "a": a.id,
            "a_name": a.name,
            "b": b.id,
            "b_name": b.name,
            "reason": candidate.reason,
        }
        for a, b, candidate in pairs
    ]
    return rows[:limit] if limit else rows


# --------------------------------------------------------------------------- decisions


def _record(decision: Decision) -> None:
    path = decisions.user_file()
    decisions.write(path, [*decisions.read(path), decision])


def different(driver: neo4j.Driver, database: str | None, a: str, b: str, why: str) -> Decision:
    decision = decisions.new("different", a, b, why)
    driver.execute_query(statement("resolve/review_done"), ids=[a, b], database_=database)
    _record(decision)
    return decision


def _united(kept: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """KEPT's values with OTHER's names as aliases and both identifier sets."""
    props = dict(kept)
    seen = {normalise_name(str(kept.get("name") or ""))}
    aliases: list[str] = []
    for text in [*(kept.get("aliases") or []), other.get("name"), *(other.get("aliases") or [])]:
        if text and normalise_name(str(text)) not in seen:
            seen.add(normalise_name(str(text)))
            aliases.append(str(text))
    props["aliases"] = aliases
    identifiers = sorted({*(kept.get("identifiers") or []), *(other.get("identifiers") or [])})
    props["identifiers"] = identifiers or None
    props["norm_names"] = sorted(
        {*(kept.get("norm_names") or []), *(other.get("norm_names") or [])}
    )
    props["merged_ids"] = sorted({*(kept.get("merged_ids") or []), str(other["id"])})
    props.pop("needs_review", None)
    return {k: v for k, v in props.items() if v is not None}


def _merge(
    tx: neo4j.ManagedTransaction, kept: str, other: str, decision: Decision
) -> dict[str, Any] | None:
    row = tx.run(statement("resolve/merge_read"), kept=kept, other=other).single()
    if row is None:
        return None
    if row["kept_label"] != row["other_label"]:
        raise DecisionError(
            f"'{kept}' is a {row['kept_label']} and '{other}' a {row['other_label']}: "
            "only entities of one kind can be the same"
        )
    facts = []
    for fact in row["facts"]:
        start = kept if fact["start"] == other else fact["start"]
        end = kept if fact["end"] == other else fact["end"]
        created = False
        if start != end:  # a fact between the two becomes none
            created = tx.run(
                _typed("resolve/merge_copy_fact", fact["type"]),
                start=start,
                end=end,
                props=fact["props"],
            ).single(strict=True)["created"]
        facts.append({**fact, "copy_start": start, "copy_end": end, "created": created})
    other_props = dict(row["other_props"])
    merged_claim = {
        **{k: v for k, v in other_props.items() if k not in ("id", "created_run")},
        "id": f"{kept}|merged|{other}",
        "entity": kept,
        "merged_from": other,
        "score": 100.0,
        "reason": f"decision same ({decision.id}): {decision.why}".rstrip(": "),
    }
    undo = {
        "id": decision.id,
        "kept": kept,
        "other": other,
        "merged_claim": merged_claim["id"],
        "data": json.dumps(
            {
                "label": row["other_label"],
                "kept_props": row["kept_props"],
                "other_props": other_props,
                "facts": facts,
            },
            default=str,
        ),
    }
    tx.run(
        statement("resolve/merge_apply"),
        kept=kept,
        other=other,
        kept_props=_united(row["kept_props"], other_props),
        merged_claim=merged_claim,
        undo=undo,
    ).consume()
    return undo


@dataclass(frozen=True)
class Merged:
    decision: Decision
    merged: bool  # False: one of the two is not in the graph (the decision waits for loads)


def same(driver: neo4j.Driver, database: str | None, kept: str, other: str, why: str) -> Merged:
    """Record the decision; merge now if both entities are in the graph."""
    decision = decisions.new("same", kept, other, why)
    with driver.session(database=database) as session:
        undo = session.execute_write(_merge, kept, other, decision)
    _record(decision)
    return Merged(decision, undo is not None)


def _unmerge(tx: neo4j.ManagedTransaction, decision_id: str) -> bool:
    row = tx.run(statement("resolve/merge_undo_read"), decision=decision_id).single()
    if row is None:
        return False
    data = json.loads(row["data"])
    tx.run(
        statement("resolve/merge_undo"),
        decision=decision_id,
        label=data["label"],
        other_props=data["other_props"],
        kept_props=data["kept_props"],
    ).consume()
    for fact in data["facts"]:
        props = fact["props"]
        if fact["created"]:
            tx.run(
                _typed("resolve/merge_delete_fact", fact["type"]),
                start=fact["copy_start"],
                end=fact["copy_end"],
                source=props.get("source"),
                key=props.get("key"),
            ).consume()
        tx.run(
            _typed("resolve/merge_copy_fact", fact["type"]),
            start=fact["start"],
            end=fact["end"],
            props=props,
        ).consume()
    return True


def undo(driver: neo4j.Driver, database: str | None) -> Decision:
    """Take back the last decision of the user's file (a merge is undone in the graph)."""
    path = decisions.user_file()
    items = decisions.read(path)
    if not items:
        raise DecisionError(f"No decision to undo in {path}.")
    last = items[-1]
    if last.decision == "same":
        with driver.session(database=database) as session:
            session.execute_write(_unmerge, last.id)
    decisions.write(path, items[:-1])
    return last
