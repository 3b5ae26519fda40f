"""Write a plan, all or nothing: constraints first, then the spooled batches, either in ONE
transaction (:class:`StreamedWrite`, small loads) or in committed batches hidden from readers
until published (:class:`StagedWrite`, see :mod:`kb.load.staging`)."""

from __future__ import annotations

import contextlib
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


Row = dict[str, Any]
Batch = tuple[str, str, list[Row]]  # part ("node", "claim", "relation"), label or type, rows

# The statement of each part: as an upsert (one transaction, or a staged run's publish) or
# staged (what exists already is left as it is; the rows that would change it come back).
STATEMENTS = {
    ("node", False): "load/upsert_nodes",
    ("claim", False): "load/upsert_claims",
    ("relation", False): "load/upsert_relations",
    ("node", True): "load/staged_nodes",
    ("claim", True): "load/staged_claims",
    ("relation", True): "load/staged_relations",
}


def relation_type(rel_type: str) -> str:
    """A relationship type of the fixed schema (checked), to be written into a statement."""
    if rel_type not in RELATION_BY_TYPE:
        raise ValueError(f"not a relationship type of the schema: {rel_type!r}")
    return rel_type


def batch_statement(part: str, name: str, staged: bool = False) -> str:
    """The statement that writes a batch of ``part``; for facts, with the type written in.

    The type comes from the fixed schema, never from input (it is checked here). A type given
    as a parameter (``$($type)``) makes every MERGE in a large transaction expand all of a
    node's new relationships of every type: 25-30x slower (see BENCHMARKS.md).
    """
    text = statement(STATEMENTS[(part, staged)])
    return text.replace("$($type)", relation_type(name)) if part == "relation" else text


def relation_statement(rel_type: str) -> str:
    """The upsert of one relationship type, with the type written into the text."""
    return batch_statement("relation", rel_type)


@dataclass
class Sent:
    """A batch sent to the server, whose answer is still to be read (:func:`end_batch`)."""

    result: neo4j.Result
    part: str
    name: str
    batch: list[Row]
    started: float


def start_batch(
    tx: neo4j.ManagedTransaction | neo4j.Transaction,
    part: str,
    name: str,
    batch: list[Row],
    run: str | None,
    *,
    staged: bool = False,
) -> Sent:
    """Send one batch of nodes (``name``: the label), claims or facts (``name``: the type) of
    the load ``run``; staged, what exists already is left as it is (see :func:`end_batch`).

    The answer is read by :func:`end_batch`, which may come after the next batch is sent: the
    server then goes from one batch to the next without waiting for the client (packing the
    next batch, the round trip)."""
    text = batch_statement(part, name, staged)
    return Sent(tx.run(text, rows=batch, label=name, run=run), part, name, batch, time.monotonic())


def end_batch(
    tx: neo4j.ManagedTransaction | neo4j.Transaction, counts: WriteCounts, sent: Sent
) -> list[Row]:
    """Read a sent batch's answer and add what it did to ``counts``. Staged, returns the rows
    that would change EXISTING nodes, claims or facts (applied when the run is published,
    never before); else every change is written already (and nothing is returned).

    Every statement answers the same columns: ``written`` (rows whose ends exist),
    ``changed``, ``deferred`` and ``clashes`` (ids of another kind); creations come from the
    statement's counters."""
    part, name, batch = sent.part, sent.name, sent.batch
    row = sent.result.single(strict=True)
    created = sent.result.consume().counters
    if row["clashes"]:
        raise LoadError(
            [
                f"id {id_!r} is already a {other} in the graph, not a {name}: another load "
                "wrote it meanwhile; nothing of this load was kept"
                for id_, other in row["clashes"]
            ]
        )
    seconds = time.monotonic() - sent.started
    if part == "relation":
        if row["written"] != len(batch):
            _missing_endpoints(tx, name, batch, row["written"])
        counts.relations_created[name] = (
            counts.relations_created.get(name, 0) + created.relationships_created
        )
        counts.relations_changed[name] = counts.relations_changed.get(name, 0) + row["changed"]
        counts.relation_seconds += seconds
    elif part == "node":
        counts.nodes_created[name] = counts.nodes_created.get(name, 0) + created.nodes_created
        counts.nodes_changed[name] = counts.nodes_changed.get(name, 0) + row["changed"]
        counts.node_seconds += seconds
    else:
        counts.claims_created += created.nodes_created
        counts.claims_changed += row["changed"]
        counts.node_seconds += seconds
    deferred: list[Row] = row["deferred"]
    return deferred


def send_batch(
    tx: neo4j.ManagedTransaction | neo4j.Transaction,
    counts: WriteCounts,
    part: str,
    name: str,
    batch: list[Row],
    run: str | None,
    *,
    staged: bool = False,
) -> list[Row]:
    """:func:`start_batch` and :func:`end_batch` at once: one batch written, its answer read."""
    return end_batch(tx, counts, start_batch(tx, part, name, batch, run, staged=staged))


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
    tx: neo4j.ManagedTransaction | neo4j.Transaction,
    spool: Spool,
    run_id: str | None,
    record: dict[str, Any] | None,
    progress: Progress | None,
) -> WriteCounts:
    """Every spooled batch in ``tx``, then the run's record (if any)."""
    counts = WriteCounts()
    for part, name, batch in spool.batches():
        send_batch(tx, counts, part, name, batch, run_id)
        if progress:
            progress(len(batch))
        batch.clear()  # (the transaction keeps its parameters until it ends)
    if record is not None:
        record = {**record, "created": counts.created, "changed": counts.changed}
        tx.run(statement("load/record_run"), run=record).consume()
    return counts


def write(
    driver: neo4j.Driver,
    database: str | None,
    spool: Spool,
    run: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> WriteCounts:
    """Upsert everything in one managed transaction (retried on transient errors); ``run`` is
    the load's record, written in the same transaction."""
    run_id = None if run is None else run["id"]
    with driver.session(database=database) as session:
        started = time.monotonic()
        counts: WriteCounts = session.execute_write(_write_all, spool, run_id, run, progress)
        counts.seconds = time.monotonic() - started
        return counts


def record_failed_run(driver: neo4j.Driver, database: str | None, run: dict[str, Any]) -> None:
    """A rejected load leaves only its LoadRun record, written on its own."""
    driver.execute_query(statement("load/record_run"), run=run, database_=database)


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError)) and bool(
        exc.is_retryable()
    )


class _Sender:
    """The spool's full batches, sent from a thread of their own while planning goes on, so
    that the server writes while Python validates the rest (two cores instead of one).

    A bounded queue (4 batches) keeps memory flat: the planner waits when the server is
    behind. The first error is kept (:attr:`error`) for the main thread; later batches are
    drained unsent, so that the planner never waits for nothing. Subclasses say what sending
    a batch means (:meth:`_take`) and what ends the stream (:meth:`_end`)."""

    name = "kb-load-writer"

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None,
        spool: Spool,
        run_id: str,
        progress: Progress | None,
        doomed: Callable[[], bool],
    ) -> None:
        """``doomed`` says whether the load has a problem already: then nothing more is sent."""
        self.driver, self.database, self.spool, self.run_id = driver, database, spool, run_id
        self.progress, self.doomed = progress, doomed
        self.counts = WriteCounts()
        self.error: BaseException | None = None
        self.started = time.monotonic()
        self.batches: queue.Queue[Batch | None] = queue.Queue(4)
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def _start(self) -> None:
        self.thread.start()
        self.spool.sink = self._put

    def _put(self, part: str, name: str, rows: list[Row]) -> None:
        if self.error is None and not self.doomed():
            self.batches.put((part, name, rows))

    def _run(self) -> None:
        while (item := self.batches.get()) is not None:
            if self.error is None:
                try:
                    self._take(*item)
                except BaseException as exc:  # handed to the main thread by finish()
                    self.error = exc
        if self.error is None:
            try:
                self._end()
            except BaseException as exc:
                self.error = exc

    def _take(self, part: str, name: str, rows: list[Row]) -> None:
        raise NotImplementedError

    def _end(self) -> None:
        """Called once the last batch is taken (and nothing failed)."""

    def _stop(self) -> None:
        self.spool.sink = None
        if self.thread.is_alive():
            self.batches.put(None)
            self.thread.join()


class StreamedWrite(_Sender):
    """The one write transaction, fed batch by batch while the plan is still being built.

    Nothing is committed before the plan is complete and without problems: :meth:`abandon`
    rolls everything back. Should the transaction fail on a transient error, :meth:`finish`
    writes the whole spool again in a managed (retried) transaction, as :func:`write` does.
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None,
        spool: Spool,
        run_id: str,
        progress: Progress | None = None,
        doomed: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(driver, database, spool, run_id, progress, doomed)
        self.session = driver.session(database=database)
        self.tx = self.session.begin_transaction()
        self.pending: Sent | None = None  # the last batch sent, its answer not yet read
        self._start()

    def _take(self, part: str, name: str, rows: list[Row]) -> None:
        sent = start_batch(self.tx, part, name, rows, self.run_id)
        self._end()
        self.pending = sent

    def _end(self) -> None:
        if self.pending is not None:
            sent, self.pending = self.pending, None
            end_batch(self.tx, self.counts, sent)
            if self.progress:
                self.progress(len(sent.batch))
            # The transaction keeps every result, and each result its parameters, until the
            # commit: emptying the sent rows keeps the loader's memory flat (the spool's file
            # still has them, for a retry).
            sent.batch.clear()

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


class StagedWrite(_Sender):
    """A load written in committed transactions of about ``commit_rows`` rows, while the plan
    is still being built, and hidden from readers until :meth:`finish` publishes it.

    The run record (status 'staging') is committed first (:func:`staging.begin`). The thread
    sends each batch as it comes into the open transaction, and commits it (with the run's
    heartbeat) once it holds ``commit_rows`` rows; the batches of the open transaction are
    kept until then, and a transient error sends them again in a managed (retried)
    transaction. The rows that would change what existed before come back and wait in a spool
    of their own, applied in the publishing transaction. The load's own spool keeps nothing
    (each batch is written once). Should the load fail, :meth:`fail` removes what was written
    (:func:`staging.discard`).
    """

    name = "kb-load-stager"

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

        super().__init__(driver, database, spool, str(run["id"]), progress, doomed)
        self.commit_rows = commit_rows
        self.committed = 0  # rows written in committed transactions so far
        self.deferred = Spool(spool.batch_size)
        spool.keep = False
        staging.begin(driver, database, run)
        self.session: neo4j.Session | None = None
        self.tx: neo4j.Transaction | None = None
        self.group: list[Batch] = []  # the batches of the open transaction
        self.group_rows = 0
        self.group_counts = WriteCounts()
        self.group_deferred: list[Batch] = []
        self.pending: Sent | None = None  # the last batch sent, its answer not yet read
        self._start()

    def _take(self, part: str, name: str, rows: list[Row]) -> None:
        self.group.append((part, name, rows))
        self.group_rows += len(rows)
        if self.session is None:
            self.session = self.driver.session(database=self.database)
        try:
            if self.tx is None and len(self.group) == 1:  # (a group given up waits)
                self.tx = self.session.begin_transaction()
            if self.tx is not None:
                sent = start_batch(self.tx, part, name, rows, self.run_id, staged=True)
                self._settle()
                self.pending = sent
        except BaseException as exc:
            self._drop()
            if not _retryable(exc):
                raise
        if self.group_rows >= self.commit_rows:
            self._commit()

    def _settle(self) -> None:
        """Read the answer of the batch sent last."""
        if self.pending is not None and self.tx is not None:
            sent, self.pending = self.pending, None
            changes = end_batch(self.tx, self.group_counts, sent)
            if changes:
                self.group_deferred.append((sent.part, sent.name, changes))

    def _end(self) -> None:
        if self.group:
            self._commit()
        if self.session is not None:
            self.session.close()

    def _drop(self) -> None:
        """Give up the open transaction: its batches go again, whole, at the commit."""
        self.pending = None
        if self.tx is not None:
            with contextlib.suppress(Exception):
                self.tx.close()
        self.tx = None
        self.group_counts, self.group_deferred = WriteCounts(), []

    def _commit(self) -> None:
        from kb.load import staging

        assert self.session is not None
        counts, deferred = self.group_counts, self.group_deferred
        committed = False
        if self.tx is not None:
            try:
                self._settle()
                heartbeat = statement("load/staged_heartbeat")
                self.tx.run(heartbeat, id=self.run_id, now=staging.now()).consume()
                self.tx.commit()
                committed = True
            except BaseException as exc:
                self._drop()
                if not _retryable(exc):
                    raise
        if not committed:
            counts, deferred = self.session.execute_write(self._write_group)
        self.tx = None
        _add(self.counts, counts)
        self.committed += self.group_rows
        for part, name, changes in deferred:
            for row in changes:
                self.deferred.add(part, name, row)  # type: ignore[arg-type]
        if self.progress:
            self.progress(self.group_rows)
        self.group, self.group_rows = [], 0
        self.group_counts, self.group_deferred = WriteCounts(), []

    def _write_group(self, tx: neo4j.ManagedTransaction) -> tuple[WriteCounts, list[Batch]]:
        """The open transaction's batches again, in a managed transaction (retried)."""
        from kb.load import staging

        counts, deferred = WriteCounts(), []
        for part, name, rows in self.group:
            changes = send_batch(tx, counts, part, name, rows, self.run_id, staged=True)
            if changes:
                deferred.append((part, name, changes))
        tx.run(statement("load/staged_heartbeat"), id=self.run_id, now=staging.now()).consume()
        return counts, deferred

    def _stop(self) -> None:
        super()._stop()
        self._drop()
        if self.session is not None:
            with contextlib.suppress(Exception):
                self.session.close()

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
                send_batch(tx, changes, part, name, batch, self.run_id)
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
