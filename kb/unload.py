"""Take a source (or one load) back out: `kb unload --source ID` or `--run RUN_ID`.

In one transaction: the facts the source contributed (or the load created), the values it kept
beside other sources' entities (its claims), and the entities it set that nothing else uses.
An entity it introduced that another source's fact still uses stays (and is reported). Loading
a source and unloading it gives back the graph of before: `kb export` is the same, byte for
byte. With ``--run``, values that the load changed on entities or facts it did not create keep
their new values (only a source's own reload changes them).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import neo4j

from kb.errors import KBError
from kb.statements import statement


class UnloadError(KBError):
    """Nothing to unload by that name."""


@dataclass
class UnloadReport:
    what: str
    facts: int = 0
    claims: int = 0
    entities: int = 0
    kept: list[str] = field(default_factory=list)  # entities still used by other sources
    seconds: float = 0.0
    run_id: str = ""

    @property
    def removed(self) -> int:
        return self.facts + self.claims + self.entities


def _unload(
    tx: neo4j.ManagedTransaction, source: str | None, run: str | None, report: UnloadReport
) -> None:
    params = {"source": source, "run": run}
    if run is not None and run in _staging(tx):
        raise UnloadError(
            f"Load run {run!r} is still staging: a load in progress (it publishes or removes its "
            "own writes when it ends) or one whose loader died (`kb load --cleanup` removes it). "
            "Unload a run once it is done."
        )
    report.facts = tx.run(statement("load/unload_facts"), params).single(strict=True)["facts"]
    report.claims = tx.run(statement("load/unload_claims"), params).single(strict=True)["claims"]
    report.entities, report.kept = 0, []
    for name in ("load/unload_entities", "load/unload_sources"):
        row = tx.run(statement(name), params).single(strict=True)
        report.entities += row["entities"]
        report.kept += sorted(row["kept"])
    if report.removed == 0:
        raise UnloadError(
            f"Nothing in the graph comes from {report.what}: no fact, claim or entity. "
            "A source is the id in a fact's `source`; a run id is what `kb load` printed "
            "(the graph's LoadRun nodes keep them all)."
        )
    finished = datetime.now(UTC).isoformat(timespec="milliseconds")
    tx.run(
        statement("load/record_run"),
        run={
            "id": report.run_id,
            "started": finished,
            "finished": finished,
            "status": "unloaded",
            "unloaded_source": source,
            "unloaded_run": run,
            "facts": report.facts,
            "claims": report.claims,
            "entities": report.entities,
            "kept": report.kept[:1000],
        },
    ).consume()


def _staging(tx: neo4j.ManagedTransaction) -> set[str]:
    return {row["id"] for row in tx.run(statement("load/staging_runs"))}


def unload(
    driver: neo4j.Driver, database: str | None, *, source: str | None = None, run: str | None = None
) -> UnloadReport:
    """Remove what ``source`` (or the load ``run``) brought, in one transaction."""
    if (source is None) == (run is None):
        raise UnloadError("Say what to unload: a source id (--source) or a load's run id (--run).")
    started = time.monotonic()
    what = f"source {source!r}" if source is not None else f"load run {run!r}"
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
    report = UnloadReport(what, run_id=f"unload-{stamp}-{uuid.uuid4().hex[:8]}")
    with driver.session(database=database) as session:
        session.execute_write(_unload, source, run, report)
    report.seconds = time.monotonic() - started
    return report
