"""Write a plan: constraints first, then every spooled batch in ONE transaction (all or nothing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import neo4j

from kb.load.spool import Spool
from kb.schema import RELATION_BY_TYPE
from kb.statements import statement, statements

Progress = Callable[[int], None]


@dataclass
class WriteCounts:
    nodes_created: dict[str, int] = field(default_factory=dict)
    nodes_changed: dict[str, int] = field(default_factory=dict)
    relations_created: dict[str, int] = field(default_factory=dict)
    relations_changed: dict[str, int] = field(default_factory=dict)
    node_seconds: float = 0.0  # time in node batches, relationship batches, and in all
    relation_seconds: float = 0.0  # (the commit included)
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(self.nodes_created.values()) + sum(self.relations_created.values())

    @property
    def changed(self) -> int:
        return sum(self.nodes_changed.values()) + sum(self.relations_changed.values())


def ensure_schema(driver: neo4j.Driver, database: str | None) -> None:
    """Constraints and indexes (IF NOT EXISTS); schema changes need their own transactions."""
    for text in statements("constraints"):
        driver.execute_query(text, database_=database)


def relation_statement(rel_type: str) -> str:
    """The upsert of one relationship type, with the type written into the text.

    The type comes from the fixed schema, never from input (it is checked here). A type given
    as a parameter (``$($type)``) makes every MERGE in a large transaction expand all of a
    node's new relationships of every type: 25-30x slower (see BENCHMARKS.md).
    """
    if rel_type not in RELATION_BY_TYPE:
        raise ValueError(f"not a relationship type of the schema: {rel_type!r}")
    return statement("upsert_relations").replace("$($type)", rel_type)


def _write_all(
    tx: neo4j.ManagedTransaction,
    spool: Spool,
    run: dict[str, Any] | None,
    progress: Progress | None,
) -> WriteCounts:
    counts = WriteCounts()
    node_text = statement("upsert_nodes")
    for part, name, batch in spool.batches():
        started, size = time.monotonic(), len(batch)
        if part == "node":
            row = tx.run(node_text, rows=batch, label=name).single(strict=True)
            counts.nodes_created[name] = counts.nodes_created.get(name, 0) + row["created"]
            counts.nodes_changed[name] = counts.nodes_changed.get(name, 0) + row["changed"]
            counts.node_seconds += time.monotonic() - started
        else:
            row = tx.run(relation_statement(name), rows=batch, type=name).single(strict=True)
            counts.relations_created[name] = counts.relations_created.get(name, 0) + row["created"]
            counts.relations_changed[name] = counts.relations_changed.get(name, 0) + row["changed"]
            counts.relation_seconds += time.monotonic() - started
        if progress:
            progress(size)
        # The transaction keeps every result, and each result its parameters, until the
        # commit: emptying the sent rows keeps the loader's memory flat.
        batch.clear()
    if run is not None:
        run = {**run, "created": counts.created, "changed": counts.changed}
        tx.run(statement("record_run"), run=run).consume()
    return counts


def write(
    driver: neo4j.Driver,
    database: str | None,
    spool: Spool,
    run: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> WriteCounts:
    """Upsert everything in one managed transaction (retried on transient errors)."""
    with driver.session(database=database) as session:
        started = time.monotonic()
        counts: WriteCounts = session.execute_write(_write_all, spool, run, progress)
        counts.seconds = time.monotonic() - started
        return counts


def record_failed_run(driver: neo4j.Driver, database: str | None, run: dict[str, Any]) -> None:
    """A rejected load leaves only its LoadRun record, written on its own."""
    driver.execute_query(statement("record_run"), run=run, database_=database)
