"""Load rates on one server: our loader, Neo4j's LOAD CSV in transactions, a per-row writer.

Every figure is rows per second of the same generated files on the same server in the same
run; the report gives each as a ratio to LOAD CSV. Our loader runs as `kb load` does: a load
above ``KB_LOAD_STAGED_ABOVE`` input lines is staged (committed batches, published at the
end: docs/loading.md). :func:`staged_small_heap` loads a large size, staged, into a server
instance of its own with a small heap (1 GiB): rows/s and the loader's peak RSS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import neo4j

from kb.load import writer
from kb.load.index import Neo4jGraph
from kb.load.plan import Part, Planner
from kb.load.runner import FileRecords
from kb.load.spool import Row, Spool
from kb.schema import NODE_BY_KIND, RELATION_BY_KIND
from kb.statements import statement
from loaders.files import find_files
from loaders.records import RawRecord

NAIVE_ROWS = 1000  # rows of each part that the one-transaction-per-row writer writes
PER_ROW_RUN = "bench-per-row"  # the run id the per-row writer marks what it creates with


def reset(driver: neo4j.Driver, database: str | None) -> None:
    with driver.session(database=database) as session:
        session.run(statement("load/reset")).consume()


def run_loader(
    folder: Path, *, rust: bool = True, env_extra: dict[str, str] | None = None
) -> dict[str, Any]:
    """``kb load`` in a child process: its report, and its own peak RSS (MB, from wait4)."""
    env = dict(os.environ)
    env["KB_BENCH_NO_RUST"] = "0" if rust else "1"
    env.update(env_extra or {})
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(
            [sys.executable, "-m", "kb.bench.child", str(folder)],
            stdout=subprocess.PIPE,
            stderr=devnull,
            env=env,
        )
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the loader failed (exit {process.returncode})")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    result["rss_mb"] = usage.ru_maxrss / 1024
    return result


def load_csv(
    driver: neo4j.Driver, database: str | None, folder: Path, import_dir: Path, batch: int = 2000
) -> dict[str, float]:
    """Neo4j's own path: LOAD CSV ... CALL { ... } IN TRANSACTIONS, file by file."""
    target = import_dir / folder.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target)
    writer.ensure_schema(driver, database)
    files = sorted(folder.glob("*.csv"))
    result = {"nodes": 0.0, "node_seconds": 0.0, "relations": 0.0, "relation_seconds": 0.0}
    try:
        with driver.session(database=database) as session:
            for part, table in (("node", NODE_BY_KIND), ("relation", RELATION_BY_KIND)):
                for path in files:
                    if path.stem not in table:
                        continue
                    url = f"file:///{folder.name}/{path.name}"
                    params: dict[str, Any] = {}
                    if part == "node":
                        text = statement("bench/load_csv_nodes")
                        params["label"] = NODE_BY_KIND[path.stem].label
                    else:
                        rel_type = RELATION_BY_KIND[path.stem].type
                        text = statement("bench/load_csv_relations").replace("$($type)", rel_type)
                    started = time.monotonic()
                    session.run(text, url=url, batch=batch, **params).consume()
                    result[f"{part}_seconds"] += time.monotonic() - started
                    with path.open(encoding="utf-8") as handle:
                        result[f"{part}s"] += sum(1 for _ in handle) - 1
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return result


def sample_rows(
    driver: neo4j.Driver, database: str | None, folder: Path, count: int = NAIVE_ROWS
) -> tuple[list[tuple[str, Row]], list[tuple[str, Row]]]:
    """The first rows of the load, as the planner makes them: nodes, and relationships.

    Every node is planned (facts need their ends), but only the first ``count`` facts of
    each file.
    """
    source = FileRecords(find_files([folder]))

    def records(part: Part) -> Iterator[RawRecord]:
        if part == "nodes":
            yield from source(part)
            return
        seen: dict[str, int] = {}
        for raw in source(part):
            seen[raw.kind] = seen.get(raw.kind, 0) + 1
            if seen[raw.kind] <= count:
                yield raw

    nodes: list[tuple[str, Row]] = []
    relations: list[tuple[str, Row]] = []
    with Spool() as spool:
        Planner(Neo4jGraph(driver, database), spool).build(records)
        for part, name, rows in spool.batches():
            bucket = nodes if part == "node" else relations
            bucket.extend((name, row) for row in islice(rows, count - len(bucket)))
    return nodes, relations


def naive(
    driver: neo4j.Driver, database: str | None, rows: list[tuple[str, Row]], part: str
) -> float:
    """One managed transaction per row, with the loader's own statements; returns seconds."""
    node_text = statement("load/upsert_nodes")
    started = time.monotonic()
    with driver.session(database=database) as session:
        for name, row in rows:
            text = node_text if part == "node" else writer.relation_statement(name)
            session.execute_write(_one_row, text, row, name)
    return time.monotonic() - started


def _one_row(tx: neo4j.ManagedTransaction, text: str, row: Row, name: str) -> None:
    tx.run(text, rows=[row], label=name, run=PER_ROW_RUN).consume()


def delete_facts(driver: neo4j.Driver, database: str | None, rows: list[tuple[str, Row]]) -> None:
    """Remove a sample of facts, so that the per-row writer creates them again."""
    by_type: dict[str, list[Row]] = {}
    for name, row in rows:
        by_type.setdefault(name, []).append(row)
    for rel_type, batch in by_type.items():
        text = statement("bench/naive_delete").replace("$($type)", rel_type)
        driver.execute_query(text, rows=batch, database_=database)


SMALL_HEAP_INSTANCE = "bench-staged"


def staged_small_heap(
    folder: Path, heap: str = "1g", pagecache: str = "512m", echo: Any = print
) -> dict[str, Any]:
    """A staged ``kb load`` of ``folder`` into an empty server instance of its own
    (``bench-staged``, free ports) with ``heap``: rows/s, loader peak RSS, commit size.
    The instance is stopped at the end (installed once, kept for the next run)."""
    from kb import settings
    from kb.server import manager
    from kb.server.instance import Instance

    instance = Instance(SMALL_HEAP_INSTANCE)
    if not instance.is_installed():
        manager.install(instance, heap=heap, pagecache=pagecache)
    manager.start(instance, auto_ports=True, heap=heap, pagecache=pagecache)
    try:
        uri = f"bolt://127.0.0.1:{instance.config().bolt_port}"
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", instance.password())) as driver:
            reset(driver, None)
            writer.ensure_schema(driver, None)
            records, _, _ = driver.execute_query(statement("bench/memory_settings"))
            memory = {r["name"].split(".")[2]: r["value"] for r in records}
        echo(f"  kb load, staged, into a server with a {memory.get('heap', heap)} heap...")
        env = {k: v for k, v in os.environ.items() if k.startswith("NEO4J_")}
        result = run_loader(
            folder,
            env_extra={
                **dict.fromkeys(env, ""),
                "KB_INSTANCE": instance.name,
                "KB_LOAD_STAGED_ABOVE": "0",
            },
        )
        result["heap"] = memory.get("heap", heap)
        result["commit_rows"] = settings.load_commit_rows()
        return result
    finally:
        manager.stop(instance)
