"""One load, start to end: read files, plan, write all or nothing, and record the run."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import neo4j
import yaml

from kb import db, settings
from kb.decisions import Decisions
from kb.errors import LoadError, cut
from kb.load import staging, writer
from kb.load.entities import OnAmbiguous
from kb.load.index import EntityIndex, Neo4jGraph
from kb.load.plan import Part, Plan, Planner
from kb.load.spool import Spool
from kb.load.writer import WriteCounts
from kb.paths import mappings_dir, state_home
from kb.progress import Phases
from kb.schema import ALL_KINDS, NODE_BY_KIND, RELATION_BY_KIND
from loaders.files import find_files, read_file
from loaders.mapping import MappedFile, MappedRowErrors, Mapping, MappingError, load_mapping
from loaders.mapping import mapping_for as shipped_mapping_for
from loaders.records import ParseError, RawRecord

log = logging.getLogger(__name__)


@dataclass
class LoadReport:
    files: list[Path]
    plan: Plan
    counts: WriteCounts
    dry_run: bool
    seconds: float
    run_id: str
    plan_seconds: float = 0.0
    review_file: Path | None = None  # the candidates of new entities flagged for review

    def rows(self) -> list[dict[str, object]]:
        """A summary table: per label or type, records planned, created, changed."""
        out: list[dict[str, object]] = []
        for label, count in self.plan.nodes.items():
            out.append(
                {
                    "what": label,
                    "rows": count,
                    "created": self.counts.nodes_created.get(label, 0),
                    "changed": self.counts.nodes_changed.get(label, 0),
                }
            )
        if self.plan.claims:
            out.append(
                {
                    "what": "Claim",
                    "rows": self.plan.claims,
                    "created": self.counts.claims_created,
                    "changed": self.counts.claims_changed,
                }
            )
        for rel_type, count in self.plan.relations.items():
            out.append(
                {
                    "what": rel_type,
                    "rows": count,
                    "created": self.counts.relations_created.get(rel_type, 0),
                    "changed": self.counts.relations_changed.get(rel_type, 0),
                }
            )
        return out


def resolve_mapping(name: Path | str) -> Path:
    """A mapping file, or the name of one the package ships (``us-dod-1260h``)."""
    path = Path(name)
    if path.is_file():
        return path
    shipped = mappings_dir() / f"{path.name.removesuffix('.yaml')}.yaml"
    if shipped.is_file():
        return shipped
    known = ", ".join(sorted(p.stem for p in mappings_dir().glob("*.yaml")))
    raise LoadError([f"{name}: no such mapping file, nor a shipped mapping ({known})"])


def _holds(path: Path, part: Part) -> bool:
    """Whether a pass over ``part`` reads the file: one named after a kind holds only that."""
    if path.stem in NODE_BY_KIND:
        return part == "nodes"
    if path.stem in RELATION_BY_KIND:
        return part == "relations"
    # a YAML/JSON mapping of kinds is read by both passes; a CSV of no kind (an error) once
    return part == "nodes" or path.suffix.lower() not in {".csv", ".jsonl"}


class Snapshot:
    """One copy of every input file, taken once, before anything is read: every pass of a
    load reads the same bytes, and the run record keeps the hash of what was read, whatever
    happens to the files meanwhile. Copies keep the file's name (its kind) in a private
    temporary folder, removed by :meth:`close`."""

    def __init__(self, files: list[Path]) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="kb-load-input-")
        self.copies: dict[Path, Path] = {}
        self.sha256: dict[Path, str] = {}
        self.problems: list[str] = []
        self.lines = 0  # lines of every file: what decides whether a load is staged
        for number, path in enumerate(files):
            copy = Path(self.folder.name) / str(number) / path.name
            copy.parent.mkdir()
            digest = hashlib.sha256()
            try:
                with path.open("rb") as source, copy.open("wb") as target:
                    for chunk in iter(lambda: source.read(1 << 20), b""):
                        digest.update(chunk)
                        target.write(chunk)
                        self.lines += chunk.count(b"\n")
            except OSError as exc:
                self.problems.append(f"{path}: cannot read: {exc.strerror}")
                continue
            self.copies[path] = copy
            self.sha256[path] = digest.hexdigest()

    def close(self) -> None:
        shutil.rmtree(self.folder.name, ignore_errors=True)
        self.folder.cleanup()

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class FileRecords:
    """Passes over the records of files, read as streams; each file problem is kept once.

    With a :class:`Snapshot`, every pass reads the snapshot's copies (records and messages
    still name the user's files)."""

    def __init__(
        self, files: list[Path], snapshot: Snapshot | None = None, mapping: Path | None = None
    ) -> None:
        self.files = files
        self.snapshot = snapshot
        self.kinds = set(ALL_KINDS)
        self.problems: dict[str, None] = {}
        self.counts: dict[Path, int] = dict.fromkeys(files, 0)
        if snapshot is not None:
            self.problems.update(dict.fromkeys(snapshot.problems))
        # the mapping of each file: the one given, or a shipped one whose header the CSV has
        self.mappings: dict[Path, tuple[Mapping, Path]] = {}
        for path in files:
            found = mapping or (None if path.stem in self.kinds else _shipped_for(path))
            if found is not None:
                self.mappings[path] = (load_mapping(found), found)

    def _read(self, path: Path, read: Path, part: Part) -> Iterator[RawRecord]:
        if path in self.mappings:
            mapping, mapping_path = self.mappings[path]
            return MappedFile(mapping, mapping_path, read).records(part)
        return read_file(read, self.kinds)

    def __call__(self, part: Part) -> Iterator[RawRecord]:
        for path in self.files:
            read = path
            if self.snapshot is not None:
                if path not in self.snapshot.copies:
                    continue  # unreadable: a problem already
                read = self.snapshot.copies[path]
            if path not in self.mappings and not _holds(path, part):
                continue
            try:
                for raw in self._read(path, read, part):
                    self.counts[path] += 1
                    yield raw if read is path else RawRecord(raw.kind, raw.data, path, raw.where)
            except ParseError as exc:
                self.problems[str(exc).replace(str(read), str(path))] = None
            except MappedRowErrors as exc:
                self.problems.update(
                    dict.fromkeys(p.replace(str(read), str(path)) for p in exc.problems)
                )
            except OSError as exc:
                self.problems[f"{path}: cannot read: {exc.strerror}"] = None

    def file_problems(self) -> list[str]:
        empty = [
            f"{p}: the file holds no records"
            for p, n in self.counts.items()
            if n == 0 and not any(m.startswith(str(p)) for m in self.problems)
        ]
        return list(self.problems) + empty


def _shipped_for(path: Path) -> Path | None:
    return shipped_mapping_for(path, mappings_dir())


def read_records(paths: list[Path]) -> tuple[list[Path], list[RawRecord], list[str]]:
    """Every record of every file, and every file-level problem (small inputs: the seed)."""
    try:
        files = find_files(paths)
    except ParseError as exc:
        return [], [], [str(exc)]
    source = FileRecords(files)
    parts: tuple[Part, Part] = ("nodes", "relations")
    records = [
        raw
        for part in parts
        for raw in source(part)
        if (raw.kind in NODE_BY_KIND) == (part == "nodes")
    ]
    problems = source.file_problems()
    if not files:
        problems.append(f"no input files in {', '.join(map(str, paths))}")
    return files, records, problems


def existing_entities(driver: neo4j.Driver, database: str | None) -> EntityIndex:
    """Every entity of the graph, in memory (for checks on small graphs; `load` never does)."""
    return Neo4jGraph(driver, database).everything()


RECORDED_PROBLEMS = 200  # problems a failed run's record keeps (each cut to PROBLEM_CHARS)


def plan_record(plan: Plan) -> dict[str, Any]:
    """What a LoadRun record keeps of a plan: counts, joins, claims and review (each capped)."""
    return {
        "records": sum(plan.records.values()),
        "joins": plan.joins[:1000],
        "kept_as_claims": plan.kept[:1000],
        "review": [
            f"{r['record']}: {r['name']!r} created as {r['created']}; may be "
            + ", ".join(f"{c['id']} ({c['score']:g}, {c['reason']})" for c in r["candidates"])
            for r in plan.review[:1000]
        ],
    }


def review_dir() -> Path:
    """Where review files go: KB_REVIEW_DIR, default ``~/.local/state/ai-infra-kb/review``."""
    configured = settings.review_folder()
    return Path(configured) if configured else state_home() / "review"


def write_review(path: Path, run_id: str, plan: Plan) -> Path:
    """The new entities that may be others, with their candidates and the commands to decide."""
    items = []
    for item in plan.review:
        created = item["created"]
        items.append(
            {
                **item,
                "decide": [f"kb resolve same {c['id']} {created}" for c in item["candidates"][:3]]
                + [f"kb resolve different {c['id']} {created}" for c in item["candidates"][:3]],
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Entities of load {run_id} created new but that may be others: look at the\n"
        "# candidates, then decide (kb resolve same KEPT OTHER merges; kb resolve different\n"
        "# keeps them apart). Every later load honours the decisions.\n"
    )
    body = yaml.safe_dump({"run": run_id, "review": items}, sort_keys=False, allow_unicode=True)
    path.write_text(header + body, encoding="utf-8")
    return path


def load(
    driver: neo4j.Driver,
    database: str | None,
    paths: list[Path],
    *,
    dry_run: bool = False,
    batch_size: int = 2000,
    progress: writer.Progress | None = None,
    mapping: Path | None = None,
    on_ambiguous: OnAmbiguous = "review",
    decisions: Decisions | None = None,
    review_to: Path | None = None,
    staged: bool | None = None,
    commit_rows: int | None = None,
) -> LoadReport:
    """Load files; raises :class:`LoadError` (with every problem) and keeps nothing on error.

    Memory stays flat as the input grows: the files are read in passes, and the validated
    rows go, batch by batch, to the server while planning goes on. A small load (input lines
    at most :func:`settings.load_staged_above`, or ``staged=False``) writes in ONE transaction
    committed only for a complete plan without problems (:class:`~writer.StreamedWrite`); a
    larger one (or ``staged=True``) is staged: written in committed transactions of
    ``commit_rows`` rows, hidden from readers until published in one small transaction, and
    removed if anything fails (:class:`~writer.StagedWrite`, :mod:`kb.load.staging`). One
    load writes at a time; each first removes the runs that loaders which died left staging.
    """
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    run_id = f"load-{started_at}-{uuid.uuid4().hex[:8]}"
    phases = progress if isinstance(progress, Phases) else Phases()
    phases.phase("reading", unit="records")
    try:
        files = find_files(paths)
        FileRecords(files, mapping=mapping)  # every mapping is checked before a file is read
    except ParseError as exc:
        phases.finish()
        raise LoadError([str(exc)]) from None
    except MappingError as exc:
        phases.finish()
        raise LoadError([f"{exc.path}:{p}" for p in exc.problems]) from None
    log.info("run %s: %d file(s)%s", run_id, len(files), " (dry run)" if dry_run else "")
    lock = None
    if not dry_run:
        # Constraints first (the writes go on while planning does); then the one load lock,
        # and the runs that dead loaders left staging go before anything is read.
        writer.ensure_schema(driver, database)
        lock = staging.LoadLock(driver, database, run_id)
    try:
        if lock is not None:
            staging.cleanup(driver, database)
        with Spool(batch_size) as spool, Snapshot(files) as snapshot:
            if staged is None:
                staged = snapshot.lines > settings.load_staged_above()
            return _load(
                driver,
                database,
                paths,
                files,
                spool,
                snapshot,
                run_id,
                started,
                started_at,
                phases,
                dry_run=dry_run,
                progress=progress,
                mapping=mapping,
                on_ambiguous=on_ambiguous,
                decisions=decisions,
                review_to=review_to,
                staged=staged,
                commit_rows=commit_rows or settings.load_commit_rows(),
            )
    finally:
        if lock is not None:
            lock.release()


def _load(
    driver: neo4j.Driver,
    database: str | None,
    paths: list[Path],
    files: list[Path],
    spool: Spool,
    snapshot: Snapshot,
    run_id: str,
    started: float,
    started_at: str,
    phases: Phases,
    *,
    dry_run: bool,
    progress: writer.Progress | None,
    mapping: Path | None,
    on_ambiguous: OnAmbiguous,
    decisions: Decisions | None,
    review_to: Path | None,
    staged: bool,
    commit_rows: int,
) -> LoadReport:
    source = FileRecords(files, snapshot, mapping)
    # Only a reporter that shows a total pays for counting the records first.
    total = _count(source, phases) if type(phases) is not Phases else None
    phases.phase("validating", total=total)
    planner = Planner(
        Neo4jGraph(driver, database),
        spool,
        run=run_id,
        decisions=decisions if decisions is not None else Decisions.load(),
        on_ambiguous=on_ambiguous,
    )
    run: dict[str, object] = {
        "id": run_id,
        "started": started_at,
        "files": [str(p.resolve()) for p in files],
        "sha256": [snapshot.sha256.get(p, "") for p in files],
        "mappings": sorted({str(m.resolve()) for _, m in source.mappings.values()}),
        "staged": staged,
    }

    def doomed() -> bool:
        return bool(planner.plan.problems or source.problems)

    stream: writer.StreamedWrite | writer.StagedWrite | None = None
    if not dry_run and staged:
        stream = writer.StagedWrite(
            driver, database, spool, run, progress, doomed, commit_rows=commit_rows
        )
    elif not dry_run:
        stream = writer.StreamedWrite(driver, database, spool, run_id, progress, doomed)
    try:
        plan = planner.build(_counted(source, phases))
        problems = source.file_problems() + plan.problems
        if not files:
            problems.append(f"no input files in {', '.join(map(str, paths))}")
        run.update(plan_record(plan))
        review_file = None
        if plan.review and on_ambiguous == "review" and not problems:
            review_file = (review_to or review_dir()) / f"{run_id.replace(':', '')}.yaml"
            run["review_file"] = str(review_file)
        planned = time.monotonic() - started
        log.info(
            "run %s: planned %s records in %.1f s, %d problem(s)",
            run_id,
            run["records"],
            planned,
            len(problems),
        )
        if problems:
            phases.finish(f"{len(problems):,} problem(s): nothing written.")
            raise LoadError(problems)
        phases.phase("writing", total=spool.rows, unit="rows", done=phases.written)
        if stream is None:
            counts = _dry_run(driver, database, spool, run_id)
        else:
            finished = datetime.now(UTC).isoformat(timespec="milliseconds")
            counts = stream.finish({**run, "rejected": 0, "finished": finished, "status": "done"})
            if counts.created or counts.changed:
                db.refresh_plans(driver, database)
    except BaseException as exc:
        phases.finish()
        if stream is not None:
            _fail(driver, database, stream, run, exc)
        raise
    log.info("run %s: %d created, %d changed", run_id, counts.created, counts.changed)
    if review_file is not None:
        write_review(review_file, run_id, plan)
    seconds = time.monotonic() - started
    phases.finish(f"{run['records']:,} records in {seconds:.1f} s.")
    return LoadReport(files, plan, counts, dry_run, seconds, run_id, planned, review_file)


def _fail(
    driver: neo4j.Driver,
    database: str | None,
    stream: writer.StreamedWrite | writer.StagedWrite,
    run: dict[str, object],
    exc: BaseException,
) -> None:
    """A load that fails keeps nothing: the one transaction is rolled back, or the staged
    run's writes are removed; the run is recorded as failed, with its problems. Should the
    server be gone, a staged run stays staging (hidden) until the next start removes it."""
    problems = exc.problems if isinstance(exc, LoadError) else [f"{type(exc).__name__}: {exc}"]
    record = {
        **run,
        "status": "failed",
        "rejected": len(problems),
        "problems": [cut(p) for p in problems[:RECORDED_PROBLEMS]],
        "finished": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
    stream.abandon()
    try:
        if isinstance(stream, writer.StagedWrite):
            stream.fail(record)
        elif isinstance(exc, LoadError):
            writer.record_failed_run(driver, database, record)
    except Exception as cleanup_error:  # the load's own error is the one to report
        log.warning("run %s: could not record the failure: %s", run["id"], cleanup_error)


def _count(source: FileRecords, phases: Phases) -> int:
    """How many records the files hold (the reading phase: one pass, nothing validated)."""
    total = 0
    parts: tuple[Part, Part] = ("nodes", "relations")
    for part in parts:
        for _ in source(part):
            total += 1
            if total % 500 == 0:
                phases.advance(500)
    phases.advance(total % 500)
    return total


def _counted(source: FileRecords, phases: Phases) -> Callable[[Part], Iterator[RawRecord]]:
    """The passes of ``source``, each record counted as validated (by the hundred)."""

    def passes(part: Part) -> Iterator[RawRecord]:
        n = 0
        for raw in source(part):
            yield raw
            n += 1
            if n == 100:
                phases.advance(n)
                n = 0
        phases.advance(n)

    return passes


def _dry_run(driver: neo4j.Driver, database: str | None, spool: Spool, run_id: str) -> WriteCounts:
    """Run the writes in a transaction that is rolled back: exact counts, nothing kept."""
    with driver.session(database=database) as session:
        tx = session.begin_transaction()
        try:
            return writer._write_all(tx, spool, run_id, None, None)
        finally:
            tx.rollback()
