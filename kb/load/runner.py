"""One load, start to end: read files, plan, write all or nothing, and record the run."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import neo4j

from kb.errors import LoadError
from kb.load import writer
from kb.load.plan import Entity, EntityIndex, Plan, build_plan
from kb.load.writer import WriteCounts
from kb.schema import ALL_KINDS
from kb.statements import statement
from loaders import opensanctions
from loaders.files import find_files, read_file
from loaders.records import ParseError, RawRecord

ProgressFactory = Callable[[int], Callable[[int], None]]


@dataclass
class LoadReport:
    files: list[Path]
    plan: Plan
    counts: WriteCounts
    dry_run: bool
    seconds: float
    run_id: str

    def rows(self) -> list[dict[str, object]]:
        """A summary table: per label or type, records planned, created, changed."""
        out: list[dict[str, object]] = []
        for label, rows in self.plan.nodes.items():
            out.append({"what": label, "rows": len(rows),
                        "created": self.counts.nodes_created.get(label, 0),
                        "changed": self.counts.nodes_changed.get(label, 0)})
        for rel_type, rows in self.plan.relations.items():
            out.append({"what": rel_type, "rows": len(rows),
                        "created": self.counts.relations_created.get(rel_type, 0),
                        "changed": self.counts.relations_changed.get(rel_type, 0)})
        return out


def read_records(paths: list[Path]) -> tuple[list[Path], list[RawRecord], list[str]]:
    """Every record of every file, and every file-level problem (all files are read)."""
    kinds = set(ALL_KINDS)
    records: list[RawRecord] = []
    problems: list[str] = []
    try:
        files = find_files(paths)
    except ParseError as exc:
        return [], [], [str(exc)]
    for path in files:
        try:
            if opensanctions.is_ban_list(path):
                found = list(opensanctions.read_ban_list(path))
            else:
                found = list(read_file(path, kinds))
            if not found:
                problems.append(f"{path}: the file holds no records")
            records.extend(found)
        except ParseError as exc:
            problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{path}: cannot read: {exc.strerror}")
    if not files:
        problems.append(f"no input files in {', '.join(map(str, paths))}")
    return files, records, problems


def existing_entities(driver: neo4j.Driver, database: str | None) -> EntityIndex:
    records, _, _ = driver.execute_query(
        statement("entity_index"), database_=database, routing_=neo4j.RoutingControl.READ
    )
    return EntityIndex(
        Entity(r["id"], r["label"], r["name"] or r["id"], tuple(r["aliases"])) for r in records
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(
    driver: neo4j.Driver,
    database: str | None,
    paths: list[Path],
    *,
    dry_run: bool = False,
    batch_size: int = 2000,
    progress: ProgressFactory | None = None,
) -> LoadReport:
    """Load files; raises :class:`LoadError` (with every problem) and writes nothing on error."""
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    run_id = f"load-{started_at}-{uuid.uuid4().hex[:8]}"
    files, raws, problems = read_records(paths)
    plan = build_plan(raws, existing_entities(driver, database))
    problems = problems + plan.problems
    run = {
        "id": run_id,
        "started": started_at,
        "files": [str(p.resolve()) for p in files],
        "sha256": [_sha256(p) for p in files],
        "records": sum(plan.records.values()),
    }
    if problems:
        if not dry_run:
            writer.record_failed_run(driver, database, {
                **run, "status": "failed", "rejected": len(problems),
                "problems": problems[:200],
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            })
        raise LoadError(problems)
    if not dry_run:
        writer.ensure_schema(driver, database)
    tick = progress(plan.size) if progress and plan.size > 5000 else None
    if dry_run:
        counts = _dry_run(driver, database, plan, batch_size)
    else:
        counts = writer.write(
            driver, database, plan.nodes, plan.relations,
            {**run, "status": "loaded", "rejected": 0,
             "finished": datetime.now(UTC).isoformat(timespec="seconds")},
            batch_size, tick,
        )
    return LoadReport(files, plan, counts, dry_run, time.monotonic() - started, run_id)


def _dry_run(driver: neo4j.Driver, database: str | None, plan: Plan,
             batch_size: int) -> WriteCounts:
    """Run the writes in a transaction that is rolled back: exact counts, nothing kept."""
    with driver.session(database=database) as session:
        tx = session.begin_transaction()
        try:
            return writer._write_all(tx, plan.nodes, plan.relations, None, batch_size, None)  # type: ignore[arg-type]
        finally:
            tx.rollback()
