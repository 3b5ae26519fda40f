"""Staged loads: written in committed batches, hidden until published, removed if they fail.

A staged load first commits its ``(:LoadRun {status: 'staging'})`` with what identifies the
loading process (host, pid and the process's start, a heartbeat renewed with every batch).
Every node, claim and fact it creates carries ``created_run``; readers leave out whatever a
run still staging created. Changes to what existed before are kept by the loader and applied
when it publishes the run (status ``done``) in one small transaction. A load that fails
removes what it wrote, in batches (hidden meanwhile), and records the run as ``failed``; a
run left staging by a loader or a server that died is removed the same way at the next start
(:func:`cleanup`), once its process is really gone.

One load writes at a time (:class:`LoadLock`), so a run's new nodes are only ever used by
its own facts, and removing a run never takes another load's writes with it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import neo4j

from kb import settings
from kb.statements import statement

if TYPE_CHECKING:
    from kb.server.instance import Instance

log = logging.getLogger(__name__)

DISCARD_STEPS = ("load/discard_facts", "load/discard_claims", "load/discard_entities")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), so that a pid the
    system gave to another process since is not taken for the loader; None if unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def identity() -> dict[str, Any]:
    """What identifies this loading process in its run record."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "process_start": process_start(pid)}


@dataclass(frozen=True)
class StagingRun:
    id: str
    host: str | None
    pid: int | None
    process_start: str | None
    heartbeat: str | None

    def gone(self, stale_after: float) -> bool:
        """Whether the process that wrote the run is gone: on this host, its pid is not alive
        (or is another process now); elsewhere, no heartbeat for ``stale_after`` seconds."""
        if self.host == socket.gethostname() and self.pid is not None:
            started = process_start(self.pid)
            if started is None:
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    return True
                except PermissionError:
                    return False
                return False
            return self.process_start is not None and started != self.process_start
        if self.heartbeat is None:
            return True
        try:
            beat = datetime.fromisoformat(self.heartbeat)
        except ValueError:
            return True
        return datetime.now(UTC) - beat > timedelta(seconds=stale_after)


def staging_runs(driver: neo4j.Driver, database: str | None) -> list[StagingRun]:
    records, _, _ = driver.execute_query(statement("load/staging_runs"), database_=database)
    return [
        StagingRun(r["id"], r["host"], r["pid"], r["process_start"], r["heartbeat"])
        for r in records
    ]


def begin(driver: neo4j.Driver, database: str | None, run: dict[str, Any]) -> None:
    """Commit the run record, status 'staging': from now on what the run writes is hidden."""
    record = {**run, **identity(), "status": "staging", "heartbeat": now()}
    driver.execute_query(statement("load/record_run"), run=record, database_=database)


def update(driver: neo4j.Driver, database: str | None, run: dict[str, Any]) -> None:
    driver.execute_query(statement("load/update_run"), run=run, database_=database)


def discard(driver: neo4j.Driver, database: str | None, run: dict[str, Any]) -> None:
    """Remove everything run ``run["id"]`` created, in batches of committed transactions
    (hidden meanwhile: the run stays 'staging'), then record ``run`` (status 'failed')."""
    with driver.session(database=database) as session:
        for step in DISCARD_STEPS:
            session.run(statement(step), run=run["id"]).consume()
    update(driver, database, {"status": "failed", "finished": now(), **run})


def cleanup(driver: neo4j.Driver, database: str | None) -> list[str]:
    """Remove the runs left staging by loaders (or servers) that died; their ids.

    A run whose process still lives is left alone: it is being written."""
    stale_after = settings.load_stale_seconds()
    removed = []
    for run in staging_runs(driver, database):
        if not run.gone(stale_after):
            continue
        log.warning("removing load run %s: its loader is gone (pid %s on %s)", *_who(run))
        discard(
            driver,
            database,
            {
                "id": run.id,
                "problems": [
                    f"the loader (pid {run.pid} on {run.host}) stopped before it published; "
                    "what it wrote was removed"
                ],
            },
        )
        removed.append(run.id)
    return removed


def cleanup_managed(instance: Instance) -> list[str]:
    """:func:`cleanup` on a managed server just started (``kb server start``); a server that
    cannot be reached is left to the next load (its own start cleans up too)."""
    try:
        config = instance.config()
        auth = ("neo4j", instance.password())
        address = f"bolt://127.0.0.1:{config.bolt_port}"
        with neo4j.GraphDatabase.driver(address, auth=auth) as driver:
            return cleanup(driver, None)
    except Exception as exc:  # the server started; cleaning up is for the next load then
        log.warning("could not look for load runs left staging: %s", exc)
        return []


def _who(run: StagingRun) -> tuple[str, Any, Any]:
    return run.id, run.pid, run.host


class LoadLock:
    """The write lock every load holds from its start to its end (one load writes at a time).

    Held by a transaction of its own that is never committed: when the loader ends it is
    rolled back; when the loader is killed, its connection drops and the server rolls it back.
    """

    def __init__(self, driver: neo4j.Driver, database: str | None, run_id: str) -> None:
        self.session = driver.session(database=database)
        self.tx: neo4j.Transaction | None = None
        try:
            self.tx = self.session.begin_transaction()
            self.tx.run(statement("load/load_lock"), run=run_id).consume()
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        with contextlib.suppress(Exception):
            if self.tx is not None and not self.tx.closed():
                self.tx.rollback()
        with contextlib.suppress(Exception):
            self.session.close()

    def __enter__(self) -> LoadLock:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
