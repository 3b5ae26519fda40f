"""Write a plan: constraints first, then every spooled batch in ONE transaction (all or nothing)."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import neo4j

from kb.errors import LoadError
from kb.load.spool import Spool
from kb.progress import Phases
from kb.schema import RELATION_BY_TYPE
from kb.statements import statement, statements

Progress = Callable[[int], None]  # called with the rows of each batch written


@dataclass
class WriteCounts:
    nodes_created: dict[str, int] = field(default_factory=dict)
    nodes_changed: dict[str, int] = field(default_factory=dict)
    relations_created: dict[str, int] = field(default_factory=dict)
    relations_changed: dict[str, int] = field(default_factory=dict)
    claims_created: int = 0  # values kept beside an entity another source set
    claims_changed: int = 0
    node_seconds: float = 0.0  # time in node batches, relationship batches, and in all
    relation_seconds: float = 0.0  # (the commit included)
    seconds: float = 0.0
    commit_seconds: float | None = None  # the commit alone, when measured (streamed writes)

    @property
    def created(self) -> int:
        nodes, relations = self.nodes_created.values(), self.relations_created.values()
        return sum(nodes) + sum(relations) + self.claims_created

    @property
    def changed(self) -> int:
        nodes, relations = self.nodes_changed.values(), self.relations_changed.values()
        return sum(nodes) + sum(relations) + self.claims_changed


def ensure_schema(driver: neo4j.Driver, database: str | None) -> None:
    """Constraints and indexes (IF NOT EXISTS); schema changes need their own transactions.

    Two loads that start together both create them: IF NOT EXISTS does not cover the race, and
    the one that comes second is told the rule exists (which is what it wanted)."""
    for text in statements("load/constraints"):
        try:
            driver.execute_query(text, database_=database)
        except neo4j.exceptions.ClientError as exc:
            if not (exc.code or "").endswith(
                (
                    "EquivalentSchemaRuleAlreadyExists",
                    "ConstraintAlreadyExists",
                    "IndexAlreadyExists",
                )
            ):
                raise


def relation_statement(rel_type: str) -> str:
    """The upsert of one relationship type, with the type written into the text.

    The type comes from the fixed schema, never from input (it is checked here). A type given
    as a parameter (``$($type)``) makes every MERGE in a large transaction expand all of a
    node's new relationships of every type: 25-30x slower (see BENCHMARKS.md).
    """
    if rel_type not in RELATION_BY_TYPE:
        raise ValueError(f"not a relationship type of the schema: {rel_type!r}")
    return statement("load/upsert_relations").replace("$($type)", rel_type)


def _write_batch(
    tx: neo4j.ManagedTransaction | neo4j.Transaction,
    counts: WriteCounts,
    part: str,
    name: str,
    batch: list[dict[str, Any]],
) -> None:
    started = time.monotonic()
    if part == "claim":
        row = tx.run(statement("load/upsert_claims"), rows=batch).single(strict=True)
        counts.claims_created += row["created"]
        counts.claims_changed += row["changed"]
        counts.node_seconds += time.monotonic() - started
    elif part == "node":
        row = tx.run(statement("load/upsert_nodes"), rows=batch, label=name).single(strict=True)
        if row["clashes"]:
            raise LoadError(
                [
                    f"id {id_!r} is already a {other} in the graph, not a {name}: another load "
                    "wrote it meanwhile; nothing of this load was written"
                    for id_, other in row["clashes"]
                ]
            )
        counts.nodes_created[name] = counts.nodes_created.get(name, 0) + row["created"]
        counts.nodes_changed[name] = counts.nodes_changed.get(name, 0) + row["changed"]
        counts.node_seconds += time.monotonic() - started
    else:
        row = tx.run(relation_statement(name), rows=batch, type=name).single(strict=True)
        if row["written"] != len(batch):
            _missing_endpoints(tx, name, batch, row["written"])
        counts.relations_created[name] = counts.relations_created.get(name, 0) + row["created"]
        counts.relations_changed[name] = counts.relations_changed.get(name, 0) + row["changed"]
        counts.relation_seconds += time.monotonic() - started
    # The transaction keeps every result, and each result its parameters, until the
    # commit: emptying the sent rows keeps the loader's memory flat.
    batch.clear()


def _missing_endpoints(
    tx: neo4j.ManagedTransaction | neo4j.Transaction,
    rel_type: str,
    batch: list[dict[str, Any]],
    written: int,
) -> None:
    """A batch of facts wrote fewer rows than it planned: an endpoint the plan found is gone
    (deleted by someone else meanwhile). The load fails rather than drop the facts."""
    ids = sorted({row[end] for row in batch for end in ("subject", "object")})
    missing = tx.run(statement("load/missing_ids"), ids=ids).single(strict=True)["missing"]
    raise LoadError(
        [
            f"{len(batch) - written} of {len(batch)} {rel_type} facts could not be written: "
            f"their endpoint{'s' if len(missing) != 1 else ''} {', '.join(map(repr, missing))} "
            "left the graph during the load (deleted meanwhile?); nothing of this load was "
            "written. Load again."
        ]
    )


def _write_all(
    tx: neo4j.ManagedTransaction,
    spool: Spool,
    run: dict[str, Any] | None,
    progress: Progress | None,
) -> WriteCounts:
    counts = WriteCounts()
    for part, name, batch in spool.batches():
        size = len(batch)
        _write_batch(tx, counts, part, name, batch)
        if progress:
            progress(size)
    if run is not None:
        run = {**run, "created": counts.created, "changed": counts.changed}
        tx.run(statement("load/record_run"), run=run).consume()
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
    driver.execute_query(statement("load/record_run"), run=run, database_=database)


class StreamedWrite:
    """The one write transaction, fed batch by batch while the plan is still being built.

    A thread of its own sends each spooled batch as soon as it is full, so the server writes
    while Python validates the rest (two cores instead of one). Nothing is committed before
    the plan is complete and without problems: :meth:`abandon` rolls everything back. Should
    the transaction fail on a transient error, :meth:`finish` writes the whole spool again in
    a managed (retried) transaction, as :func:`write` does.
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None,
        spool: Spool,
        progress: Progress | None = None,
        doomed: Callable[[], bool] = lambda: False,
    ) -> None:
        """``doomed`` says whether the load has a problem already: then nothing more is sent."""
        self.driver, self.database, self.spool = driver, database, spool
        self.progress, self.doomed = progress, doomed
        self.counts = WriteCounts()
        self.error: Exception | None = None
        self.started = time.monotonic()
        self.batches: queue.Queue[tuple[str, str, list[dict[str, Any]]] | None] = queue.Queue(4)
        self.session = driver.session(database=database)
        self.tx = self.session.begin_transaction()
        self.thread = threading.Thread(target=self._send, name="kb-load-writer", daemon=True)
        self.thread.start()
        spool.sink = self._put

    def _put(self, part: str, name: str, rows: list[dict[str, Any]]) -> None:
        if self.error is None and not self.doomed():
            self.batches.put((part, name, rows))

    def _send(self) -> None:
        while (item := self.batches.get()) is not None:
            if self.error is not None:
                continue  # failed: drain, so that the planner never waits
            part, name, rows = item
            size = len(rows)
            try:
                _write_batch(self.tx, self.counts, part, name, rows)
            except Exception as exc:  # handed to the main thread by finish()
                self.error = exc
                continue
            if self.progress:
                self.progress(size)

    def _stop(self) -> None:
        self.spool.sink = None
        self.batches.put(None)
        self.thread.join()

    def _roll_back(self) -> None:
        # The connection may be gone: then the server has dropped the transaction anyway.
        with contextlib.suppress(Exception):
            if not self.tx.closed():
                self.tx.rollback()
        self.session.close()

    def abandon(self) -> None:
        """Roll back whatever was sent (the plan has problems, or planning failed)."""
        self._stop()
        self._roll_back()

    def finish(self, run: dict[str, Any]) -> WriteCounts:
        """Send the last batches, record the run and commit; retried whole on a transient error."""
        self.spool.flush()
        self._stop()
        counts = self.counts
        try:
            if self.error is not None:
                raise self.error
            run = {**run, "created": counts.created, "changed": counts.changed}
            self.tx.run(statement("load/record_run"), run=run).consume()
            if isinstance(self.progress, Phases):
                self.progress.phase("committing", unit="")
            committing = time.monotonic()
            self.tx.commit()
            counts.commit_seconds = time.monotonic() - committing
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
            self._roll_back()
            if not exc.is_retryable():
                raise
            return write(self.driver, self.database, self.spool, run, None)
        finally:
            self.session.close()
        counts.seconds = time.monotonic() - self.started
        return counts
