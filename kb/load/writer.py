"""Write a plan: constraints first, then every batch in ONE transaction (all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import neo4j

from kb.statements import statement, statements

Progress = Callable[[int], None]


@dataclass
class WriteCounts:
    nodes_created: dict[str, int] = field(default_factory=dict)
    nodes_changed: dict[str, int] = field(default_factory=dict)
    relations_created: dict[str, int] = field(default_factory=dict)
    relations_changed: dict[str, int] = field(default_factory=dict)

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


def _batches(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _write_all(
    tx: neo4j.ManagedTransaction,
    nodes: dict[str, list[dict[str, Any]]],
    relations: dict[str, list[dict[str, Any]]],
    run: dict[str, Any] | None,
    batch_size: int,
    progress: Progress | None,
) -> WriteCounts:
    counts = WriteCounts()
    node_text, rel_text = statement("upsert_nodes"), statement("upsert_relations")
    for label, rows in nodes.items():
        for batch in _batches(rows, batch_size):
            row = tx.run(node_text, rows=batch, label=label).single(strict=True)
            counts.nodes_created[label] = counts.nodes_created.get(label, 0) + row["created"]
            counts.nodes_changed[label] = counts.nodes_changed.get(label, 0) + row["changed"]
            if progress:
                progress(len(batch))
    for rel_type, rows in relations.items():
        for batch in _batches(rows, batch_size):
            row = tx.run(rel_text, rows=batch, type=rel_type).single(strict=True)
            counts.relations_created[rel_type] = (
                counts.relations_created.get(rel_type, 0) + row["created"]
            )
            counts.relations_changed[rel_type] = (
                counts.relations_changed.get(rel_type, 0) + row["changed"]
            )
            if progress:
                progress(len(batch))
    if run is not None:
        run = {**run, "created": counts.created, "changed": counts.changed}
        tx.run(statement("record_run"), run=run).consume()
    return counts


def write(
    driver: neo4j.Driver,
    database: str | None,
    nodes: dict[str, list[dict[str, Any]]],
    relations: dict[str, list[dict[str, Any]]],
    run: dict[str, Any] | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> WriteCounts:
    """Upsert everything in one managed transaction (retried on transient errors)."""
    with driver.session(database=database) as session:
        return session.execute_write(
            _write_all, nodes, relations, run, batch_size, progress
        )


def record_failed_run(driver: neo4j.Driver, database: str | None, run: dict[str, Any]) -> None:
    """A rejected load leaves only its LoadRun record, written on its own."""
    driver.execute_query(statement("record_run"), run=run, database_=database)
