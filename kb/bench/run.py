"""The benchmark, size by size: generate, load four ways, re-load, time the queries, report.

It empties the database it runs against (a server instance of its own: ``make bench`` uses
``KB_INSTANCE=bench``), and refuses a database that holds data unless told it may wipe it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j

from kb import db, paths
from kb.bench import loading, queries, report
from kb.bench.generate import generate
from kb.errors import KBError
from kb.load import writer
from kb.statements import statement

Echo = Callable[[str], None]


def work_dir() -> Path:
    return paths.data_home() / "bench"


def data_folder(scale: int, seed: int) -> Path:
    """The generated files of one size (made once; the generator is deterministic)."""
    folder = work_dir() / f"rels-{scale}-seed-{seed}"
    stamp = folder / ".complete"
    if not stamp.is_file():
        generate(folder, scale, seed)
        stamp.write_text("ok\n")
    return folder


def import_dir() -> Path:
    from kb import settings
    from kb.server.instance import Instance

    return Instance(settings.instance_name()).home / "import"


def check_empty(driver: neo4j.Driver, database: str | None, wipe: bool) -> None:
    records, _, _ = driver.execute_query(statement("bench/count_nodes"), database_=database)
    if records[0]["n"] and not wipe:
        raise KBError(
            f"The database holds {records[0]['n']} nodes and the benchmark empties it. Run it "
            "on an instance of its own (KB_INSTANCE=bench) with --wipe."
        )


def bench_load(
    driver: neo4j.Driver, database: str | None, folder: Path, echo: Echo
) -> dict[str, Any]:
    """Each way of loading, from an empty graph; ends with the graph our loader wrote."""
    result: dict[str, Any] = {}
    loading.reset(driver, database)
    writer.ensure_schema(driver, database)
    nodes, relations = loading.sample_rows(driver, database, folder)
    echo(f"  per-row writer: {len(nodes)} nodes...")
    node_seconds = loading.naive(driver, database, nodes, "node")
    loading.reset(driver, database)
    echo("  LOAD CSV in transactions...")
    result["load_csv"] = loading.load_csv(driver, database, folder, import_dir())
    echo(f"  per-row writer: {len(relations)} relationships...")
    loading.delete_facts(driver, database, relations)
    rel_seconds = loading.naive(driver, database, relations, "relation")
    result["naive"] = {"rows": len(nodes) + len(relations), "seconds": node_seconds + rel_seconds}
    for label, rust in (("no_rust", False), ("ours", True)):
        loading.reset(driver, database)
        echo(f"  kb load{' (driver without its Rust extension)' if not rust else ''}...")
        result[label] = loading.run_loader(folder, rust=rust)
    echo("  kb load again (no change)...")
    result["reload"] = loading.run_loader(folder)
    return result


def bench_staged(
    driver: neo4j.Driver,
    database: str | None,
    scale: int,
    seed: int,
    heap: str,
    out: Path,
    echo: Echo,
) -> dict[str, Any]:
    """The staged load of one size into a server instance of its own with a small heap."""
    results_file = work_dir() / "results.json"
    results: dict[str, Any] = json.loads(results_file.read_text()) if results_file.is_file() else {}
    echo(f"{scale:,} relationships (seed {seed}), staged, {heap} heap:")
    entry = results.setdefault(str(scale), {})
    entry["staged"] = loading.staged_small_heap(data_folder(scale, seed), heap=heap, echo=echo)
    results_file.write_text(json.dumps(results, indent=1))
    report.write(out, results, report.environment(driver, database))
    return results


def bench(
    driver: neo4j.Driver,
    database: str | None,
    scales: list[int],
    seed: int,
    *,
    load: bool,
    query: bool,
    wipe: bool,
    out: Path,
    echo: Echo,
) -> dict[str, Any]:
    check_empty(driver, database, wipe)
    results_file = work_dir() / "results.json"
    results: dict[str, Any] = json.loads(results_file.read_text()) if results_file.is_file() else {}
    for scale in scales:
        echo(f"{scale:,} relationships (seed {seed}):")
        folder = data_folder(scale, seed)
        entry = results.setdefault(str(scale), {})
        if load:
            entry["load"] = bench_load(driver, database, folder, echo)
            results_file.write_text(json.dumps(results, indent=1))
        elif query:
            loading.reset(driver, database)
            loading.run_loader(folder)
        if query:
            echo("  queries...")
            db.refresh_plans(driver, database)  # as a load leaves it: no plan of a smaller graph
            entry["queries"] = queries.run_all(driver, database, scale)
        results_file.write_text(json.dumps(results, indent=1))
        report.write(out, results, report.environment(driver, database))
    return results
