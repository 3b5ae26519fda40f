"""Write a plan, all or nothing: constraints first, then the spooled batches, either in ONE
transaction (:class:`StreamedWrite`, small loads) or in committed batches hidden from readers
until published (:class:`StagedWrite`, see :mod:`kb.load.staging`)."""

from __future__ import annotations

import contextlib
import marshal
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
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


def _stage_batch(
    tx: neo4j.ManagedTransaction,
    counts: WriteCounts,
    part: str,
    name: str,
    batch: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Write one batch of a staged load; returns the rows that change EXISTING nodes, claims
    or facts (applied when the run is published, never before)."""
    started = time.monotonic()
    if part == "claim":
        row = tx.run(statement("load/staged_claims"), rows=batch).single(strict=True)
        counts.claims_created += row["created"]
        counts.node_seconds += time.monotonic() - started
    elif part == "node":
        row = tx.run(statement("load/staged_nodes"), rows=batch, label=name).single(strict=True)
        if row["clashes"]:
            raise LoadError(
                [
                    f"id {id_!r} is already a {other} in the graph, not a {name}: another load "
                    "wrote it meanwhile; nothing of this load was kept"
                    for id_, other in row["clashes"]
                ]
            )
        counts.nodes_created[name] = counts.nodes_created.get(name, 0) + row["created"]
        counts.node_seconds += time.monotonic() - started
    else:
        text = statement("load/staged_relations").replace("$($type)", relation_type(name))
        row = tx.run(text, rows=batch).single(strict=True)
        if row["written"] != len(batch):
            _missing_endpoints(tx, name, batch, row["written"])
        counts.relations_created[name] = counts.relations_created.get(name, 0) + row["created"]
        counts.relation_seconds += time.monotonic() - started
    deferred: list[dict[str, Any]] = row["deferred"]
    return deferred


def relation_type(rel_type: str) -> str:
    """A relationship type of the fixed schema (checked), to be written into a statement."""
    if rel_type not in RELATION_BY_TYPE:
        raise ValueError(f"not a relationship type of the schema: {rel_type!r}")
    return rel_type


Batch = tuple[str, str, list[dict[str, Any]]]
Packed = tuple[str, str, bytes]  # a batch kept as marshal bytes until its commit


class StagedWrite:
    """A load written in committed transactions of about ``commit_rows`` rows, while the plan
    is still being built, and hidden from readers until :meth:`finish` publishes it.

    The run record (status 'staging') is committed first (:func:`staging.begin`). A thread of
    its own sends the spooled batches; the rows that would change what existed before come
    back and wait in a spool of their own, applied in the publishing transaction. Should the
    load fail, :meth:`fail` removes what was written (:func:`staging.discard`).
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None,
        spool: Spool,
        run: dict[str, Any],
        progress: Progress | None = None,
        doomed: Callable[[], bool] = lambda: False,
        commit_rows: int = 10_000,
    ) -> None:
        from kb.load import staging

        self.driver, self.database, self.spool, self.run_id = driver, database, spool, run["id"]
        self.progress, self.doomed, self.commit_rows = progress, doomed, commit_rows
        self.counts = WriteCounts()
        self.committed = 0  # rows written in committed batches so far
        self.deferred = Spool(spool.batch_size)
        self.error: BaseException | None = None
        self.started = time.monotonic()
        staging.begin(driver, database, run)
        self.batches: queue.Queue[Batch | None] = queue.Queue(4)
        self.thread = threading.Thread(target=self._send, name="kb-load-stager", daemon=True)
        self.thread.start()
        spool.sink = self._put

    def _put(self, part: str, name: str, rows: list[dict[str, Any]]) -> None:
        if self.error is None and not self.doomed():
            self.batches.put((part, name, rows))

    def _send(self) -> None:
        with self.driver.session(database=self.database) as session:
            group: list[Packed] = []
            rows = 0
            while True:
                item = self.batches.get()
                if item is not None and self.error is None:
                    # kept until the commit (a retry sends it again), as compact bytes
                    part, name, batch = item
                    group.append((part, name, marshal.dumps(batch)))
                    rows += len(batch)
                    batch.clear()
                if group and (item is None or rows >= self.commit_rows):
                    self._commit(session, group, rows)
                    group, rows = [], 0
                if item is None:
                    return

    def _commit(self, session: neo4j.Session, group: list[Packed], rows: int) -> None:
        from kb.load import staging

        def work(tx: neo4j.ManagedTransaction) -> tuple[WriteCounts, list[Batch]]:
            counts, deferred = WriteCounts(), []
            for part, name, packed in group:
                changes = _stage_batch(tx, counts, part, name, marshal.loads(packed))
                if changes:
                    deferred.append((part, name, changes))
            tx.run(statement("load/staged_heartbeat"), id=self.run_id, now=staging.now()).consume()
            return counts, deferred

        try:
            counts, deferred = session.execute_write(work)
        except BaseException as exc:  # handed to the main thread by finish()
            self.error = exc
            return
        _add(self.counts, counts)
        self.committed += rows
        for part, name, changes in deferred:
            for row in changes:
                self.deferred.add(part, name, row)  # type: ignore[arg-type]
        if self.progress:
            self.progress(rows)

    def _stop(self) -> None:
        self.spool.sink = None
        if self.thread.is_alive():
            self.batches.put(None)
            self.thread.join()

    def abandon(self) -> None:
        """Stop sending (the plan has problems, or planning failed); :meth:`fail` follows."""
        self._stop()

    def fail(self, run: dict[str, Any]) -> None:
        """Remove what the run wrote, in batches, and record it as failed (``run``)."""
        from kb.load import staging

        self._stop()
        self.deferred.close()
        record = {**run, "id": self.run_id, "staged_rows": self.committed}
        staging.discard(self.driver, self.database, record)

    def finish(self, run: dict[str, Any]) -> WriteCounts:
        """Send the last batches, then publish: the changes to what existed before and the
        run's status 'done', in one transaction (retried whole on a transient error)."""
        self.spool.flush()
        self._stop()
        if self.error is not None:
            raise self.error
        counts = self.counts
        if isinstance(self.progress, Phases):
            self.progress.phase("publishing", unit="")
        publishing = time.monotonic()

        def publish(tx: neo4j.ManagedTransaction) -> WriteCounts:
            changes = WriteCounts()
            for part, name, batch in self.deferred.batches():
                _write_batch(tx, changes, part, name, batch)
            done = {
                **run,
                "id": self.run_id,
                "status": "done",
                "created": counts.created,
                "changed": changes.changed,
                "staged_rows": self.committed,
                "published": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
            tx.run(statement("load/update_run"), run=done).consume()
            return changes

        with self.driver.session(database=self.database) as session:
            changes = session.execute_write(publish)
        self.deferred.close()
        counts.nodes_changed = changes.nodes_changed
        counts.relations_changed = changes.relations_changed
        counts.claims_changed = changes.claims_changed
        counts.commit_seconds = time.monotonic() - publishing
        counts.seconds = time.monotonic() - self.started
        return counts


def _add(total: WriteCounts, part: WriteCounts) -> None:
    for name, n in part.nodes_created.items():
        total.nodes_created[name] = total.nodes_created.get(name, 0) + n
    for name, n in part.relations_created.items():
        total.relations_created[name] = total.relations_created.get(name, 0) + n
    total.claims_created += part.claims_created
    total.node_seconds += part.node_seconds
    total.relation_seconds += part.relation_seconds
