"""`kb load --bulk`: a new graph through Neo4j's own offline importer.

The same files and the same checks as `kb load` (the loader's planner, against an empty graph),
then the importer's files from the planned rows (:mod:`kb.load.import_files`), then, with the
managed server stopped, `neo4j-admin database import full` into a staging store that replaces
the empty one (:mod:`kb.server.importer`); then the server starts again and gets the loader's
constraints and indexes, the empty lists the importer cannot write, and the run's record. The
result is the graph that `kb load` of the same files into an empty database makes.

Bulk is for a new graph: a database that holds any node is refused. Any failure (bad input,
the importer, the restart, the constraints) leaves the database as it was: nothing is swapped
in before the import is complete, and the replaced store is put back when a later step fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import neo4j

from kb import db
from kb.decisions import Decisions
from kb.errors import KBError, LoadError
from kb.load.entities import OnAmbiguous
from kb.load.import_files import (
    DelimiterClash,
    ImportFiles,
    ImportFilesError,
    ImportWriter,
    write_import_files,
)
from kb.load.index import EntityIndex, MemoryGraph
from kb.load.plan import Part, Plan, Planner
from kb.load.runner import FileRecords, Snapshot, plan_record, review_dir, write_review
from kb.load.spool import Spool
from kb.progress import Phases
from kb.server import importer, manager
from kb.server.instance import Instance
from kb.settings import Connection
from kb.statements import statement, statements
from loaders.files import find_files
from loaders.mapping import MappingError
from loaders.records import ParseError, RawRecord

log = logging.getLogger(__name__)
Echo = Callable[[str], None]
INDEX_WAIT = 600  # seconds to wait for the indexes of a large graph to come online


class BulkRefused(KBError):
    """Bulk cannot run here: not the managed server, or a database that holds data."""


@dataclass
class BulkReport:
    files: list[Path]
    plan: Plan
    run_id: str
    dry_run: bool
    nodes: int = 0  # nodes and relationships the importer wrote (claims included)
    relationships: int = 0
    seconds: float = 0.0  # the whole command
    phases: dict[str, float] = field(default_factory=dict)  # seconds of each step
    importer: str = ""  # the importer's own summary line
    review_file: Path | None = None

    @property
    def rows(self) -> int:
        return self.nodes + self.relationships


def _echo(message: str) -> None:
    log.info("%s", message)


def managed_instance(connection: Connection, instance_name: str) -> Instance:
    """The managed instance behind ``connection``; refused for a server of the user's own."""
    if not connection.origin.startswith("managed"):
        raise BulkRefused(
            f"`kb load --bulk` needs the managed server (`kb server install`): it stops the "
            f"server and writes its store with Neo4j's importer, which it cannot do to "
            f"{connection.describe()}. Use `kb load` for a server of your own or Aura."
        )
    if connection.database not in (None, importer.DATABASE):
        raise BulkRefused(
            f"`kb load --bulk` writes the database '{importer.DATABASE}' of the managed "
            f"server, not '{connection.database}' (unset NEO4J_DATABASE)."
        )
    return Instance(instance_name)


def _node_count(connection: Connection) -> int:
    driver = db.open_driver(connection)
    try:
        records, _, _ = driver.execute_query(
            statement("load/node_count"), routing_=neo4j.RoutingControl.READ
        )
        return int(records[0]["n"])
    finally:
        driver.close()


def check_empty(instance: Instance, connection: Connection, echo: Echo) -> None:
    """Refuse a database that holds any node (the server is started to look, if need be)."""
    if manager.running_pid(instance) is None:
        echo(f"Starting '{instance.name}' to check that its database is empty...")
        manager.start(instance, echo=echo)
    count = _node_count(connection)
    if count:
        raise BulkRefused(
            f"The database of '{instance.name}' holds {count:,} nodes: `kb load --bulk` makes a "
            "new graph, into an empty database only. Use `kb load` to add to this graph, or "
            "empty it first (`kb reset --yes`)."
        )


def plan_files(
    paths: list[Path],
    spool: Spool,
    run_id: str,
    *,
    mapping: Path | None,
    on_ambiguous: OnAmbiguous,
    decisions: Decisions | None,
    phases: Phases,
) -> tuple[list[Path], Plan, FileRecords, Snapshot]:
    """The loader's reading and checks, against an empty graph; raises :class:`LoadError`
    with every problem (file, line, field), as `kb load` does. The caller closes the snapshot."""
    try:
        files = find_files(paths)
        FileRecords(files, mapping=mapping)  # every mapping is checked before a file is read
    except ParseError as exc:
        raise LoadError([str(exc)]) from None
    except MappingError as exc:
        raise LoadError([f"{exc.path}:{p}" for p in exc.problems]) from None
    snapshot = Snapshot(files)
    source = FileRecords(files, snapshot, mapping)
    planner = Planner(
        MemoryGraph(EntityIndex()),
        spool,
        run=run_id,
        decisions=decisions if decisions is not None else Decisions.load(),
        on_ambiguous=on_ambiguous,
    )
    phases.phase("validating", unit="records")

    def counted(part: Part) -> Iterator[RawRecord]:
        for n, raw in enumerate(source(part), 1):
            if n % 1000 == 0:
                phases.advance(1000)
            yield raw

    try:
        plan = planner.build(counted)
        spool.flush()
    except BaseException:
        snapshot.close()
        raise
    problems = source.file_problems() + plan.problems
    if not files:
        problems.append(f"no input files in {', '.join(map(str, paths))}")
    if problems:
        snapshot.close()
        raise LoadError(problems)
    return files, plan, source, snapshot


def _after_import(
    connection: Connection, run: dict[str, object], files: ImportFiles, steps: dict[str, float]
) -> None:
    """On the new store: constraints and indexes, empty lists, the run's record.

    The constraints and indexes go in one schema transaction (a new store has none, and no
    other load can run on it yet): their indexes are then populated together, in the
    background, while the empty lists and the run are written; then we wait for them."""
    driver = db.open_driver(connection)
    try:
        mark = time.monotonic()
        with driver.session() as session, session.begin_transaction() as tx:
            for text in statements("load/constraints"):
                tx.run(text).consume()
            tx.commit()
        steps["constraints"] = time.monotonic() - mark
        mark = time.monotonic()
        if files.empty_lists:
            with driver.session() as session:
                session.run(statement("load/bulk_empty_lists")).consume()
        driver.execute_query(statement("load/record_run"), run=run)
        steps["lists and run"] = time.monotonic() - mark
        mark = time.monotonic()
        driver.execute_query(statement("load/await_indexes"), seconds=INDEX_WAIT)
        steps["indexes"] = time.monotonic() - mark
    finally:
        driver.close()


def bulk_load(
    instance: Instance,
    connection: Connection,
    paths: list[Path],
    *,
    dry_run: bool = False,
    mapping: Path | None = None,
    on_ambiguous: OnAmbiguous = "review",
    decisions: Decisions | None = None,
    review_to: Path | None = None,
    progress: Phases | None = None,
    echo: Echo | None = None,
    heap: str | None = None,
    off_heap: str | None = None,
) -> BulkReport:
    """Load ``paths`` into the empty database of the managed ``instance`` with Neo4j's
    importer. Raises :class:`BulkRefused` (not empty, not managed), :class:`LoadError` (bad
    input: every problem) or :class:`~kb.server.importer.ImportFailed`; the database is then
    as it was. ``heap``/``off_heap`` bound the importer (default: the server's heap and page
    cache, which are free while it is stopped). The server runs afterwards."""
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    run_id = f"load-{started_at}-{uuid.uuid4().hex[:8]}"
    echo = echo or _echo
    phases = progress or Phases()
    instance.config()  # installed (or a clear error)
    if dry_run:
        lock: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    else:
        lock = _one_at_a_time(instance)
    folder = importer.work_folder(instance)
    with lock:
        if not dry_run:
            check_empty(instance, connection, echo)
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, mode=0o700)
        return _bulk_load(
            instance,
            connection,
            paths,
            folder,
            run_id,
            started,
            started_at,
            dry_run=dry_run,
            mapping=mapping,
            on_ambiguous=on_ambiguous,
            decisions=decisions,
            review_to=review_to,
            phases=phases,
            echo=echo,
            heap=heap,
            off_heap=off_heap,
        )


@contextlib.contextmanager
def _one_at_a_time(instance: Instance) -> Iterator[None]:
    """One bulk load at a time on an instance (they share its work folder and its store)."""
    instance.state.mkdir(parents=True, exist_ok=True)
    with (instance.state / "bulk.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BulkRefused(
                f"Another `kb load --bulk` is running on '{instance.name}': wait for it."
            ) from None
        yield


def _bulk_load(
    instance: Instance,
    connection: Connection,
    paths: list[Path],
    folder: Path,
    run_id: str,
    started: float,
    started_at: str,
    *,
    dry_run: bool,
    mapping: Path | None,
    on_ambiguous: OnAmbiguous,
    decisions: Decisions | None,
    review_to: Path | None,
    phases: Phases,
    echo: Echo,
    heap: str | None,
    off_heap: str | None,
) -> BulkReport:
    steps: dict[str, float] = {}
    stopping = None if dry_run else _Stopping(instance)  # the server stops while we plan
    try:
        with Spool() as spool:
            out = None if dry_run else ImportWriter(folder / "input")
            spool.sink = out.sink if out is not None else None
            mark = time.monotonic()
            try:
                try:
                    files, plan, source, snapshot = plan_files(
                        paths,
                        spool,
                        run_id,
                        mapping=mapping,
                        on_ambiguous=on_ambiguous,
                        decisions=decisions,
                        phases=phases,
                    )
                finally:
                    phases.finish()
                    if out is not None:
                        out.close()
            except ImportFilesError as exc:
                raise LoadError([f"the importer cannot take these rows: {exc}"]) from None
            try:
                steps["validate"] = time.monotonic() - mark
                report = BulkReport(files, plan, run_id, dry_run)
                if out is None:
                    report.seconds = time.monotonic() - started
                    report.phases = steps
                    return report
                steps["writing"] = out.seconds  # (within "validate")
                run: dict[str, object] = {
                    "id": run_id,
                    "started": started_at,
                    "method": "bulk",
                    "files": [str(p.resolve()) for p in files],
                    "sha256": [snapshot.sha256.get(p, "") for p in files],
                    "mappings": sorted({str(m.resolve()) for _, m in source.mappings.values()}),
                    **plan_record(plan),
                }
            finally:
                snapshot.close()
            mark = time.monotonic()
            import_files = _finish_files(out, spool, folder / "input", echo)
        steps["files"] = time.monotonic() - mark
        report.nodes, report.relationships = (
            import_files.node_count,
            import_files.relationship_count,
        )
        if stopping is not None:
            mark = time.monotonic()
            stopping.wait()
            stopping = None
            steps["stop"] = time.monotonic() - mark  # (what the planning did not hide)
        _import_and_swap(
            instance,
            connection,
            import_files,
            folder,
            run,
            report,
            steps,
            echo,
            heap=heap,
            off_heap=off_heap,
        )
    except BaseException:
        if stopping is not None:  # the load is refused: the server runs again, as it did
            stopping.wait()
            manager.start(instance, echo=echo)
        raise
    finally:
        if not dry_run:
            shutil.rmtree(folder, ignore_errors=True)
    if plan.review and on_ambiguous == "review":
        report.review_file = (review_to or review_dir()) / f"{run_id.replace(':', '')}.yaml"
        write_review(report.review_file, run_id, plan)
    report.seconds = time.monotonic() - started
    report.phases = steps
    return report


class _Stopping:
    """The server's clean stop, in a thread of its own: it overlaps the planning (which needs
    no server), and whoever needs the server stopped waits for it."""

    def __init__(self, instance: Instance) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._stop, args=(instance,), daemon=True)
        self.thread.start()

    def _stop(self, instance: Instance) -> None:
        try:
            manager.stop(instance, echo=_echo)
        except BaseException as exc:  # (raised again in the caller's thread)
            self.error = exc

    def wait(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def _finish_files(writer: ImportWriter, spool: Spool, folder: Path, echo: Echo) -> ImportFiles:
    """The files the writer wrote while planning; written again from the spool, with another
    array delimiter, in the rare case that a text holds the one it chose."""
    try:
        try:
            return writer.finish()
        except DelimiterClash as exc:
            echo(f"Writing the importer's files again ({exc})...")
            shutil.rmtree(folder, ignore_errors=True)
            return write_import_files(spool, folder)
    except ImportFilesError as exc:
        raise LoadError([f"the importer cannot take these rows: {exc}"]) from None


def _import_and_swap(
    instance: Instance,
    connection: Connection,
    import_files: ImportFiles,
    folder: Path,
    run: dict[str, object],
    report: BulkReport,
    steps: dict[str, float],
    echo: Echo,
    *,
    heap: str | None,
    off_heap: str | None,
) -> None:
    echo(f"Importing {report.nodes:,} nodes and {report.relationships:,} relationships...")
    try:
        result = importer.run_import(
            instance, import_files.arguments(), folder, heap=heap, off_heap=off_heap
        )
    except BaseException:
        manager.start(instance, echo=echo)
        raise
    steps["import"] = result.seconds
    report.importer = result.output
    swap = importer.Swap(instance, folder)
    try:
        swap.apply()
        mark = time.monotonic()
        manager.start(instance, echo=echo)
        steps["start"] = time.monotonic() - mark
        mark = time.monotonic()
        echo("Creating constraints and indexes...")
        finished = datetime.now(UTC).isoformat(timespec="milliseconds")
        _after_import(
            connection,
            {
                **run,
                "status": "loaded",
                "rejected": 0,
                "finished": finished,
                "created": report.rows - import_files.claims,
                "changed": 0,
            },
            import_files,
            steps,
        )
        steps["schema"] = time.monotonic() - mark
    except BaseException:
        echo("The new graph could not be completed: putting the database back as it was...")
        manager.stop(instance, echo=echo)
        swap.restore()
        manager.start(instance, echo=echo)
        raise
    swap.commit()
