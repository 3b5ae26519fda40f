"""The bulk path and the guard (issue 14, parts 6 and 7).

- Bulk: the same generated files into an empty graph, by LOAD CSV in transactions and by
  `kb load --bulk` (Neo4j's offline importer), side by side on one managed instance; rows per
  second of the importer alone and of the whole command (checks, files, server stop and start,
  constraints and indexes included).
- Guard: a runaway read (a list of 400 million integers) and a slow one (only time) under a
  5 s timeout: how long until each is stopped, and whether the server answers the next query.

It empties the instance's database: run it on an instance of its own (``make bench`` uses
``KB_INSTANCE=bench-bulk`` with a 2 GiB heap).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kb.api import KnowledgeBase
from kb.bench import loading
from kb.bench.run import data_folder, import_dir
from kb.errors import KBError, QueryStopped
from kb.statements import statement

Echo = Callable[[str], None]
GUARD_TIMEOUT = 5.0  # seconds
GUARD_QUERIES = ("bench/guard_memory", "bench/guard_slow")


def bench_scale(kb: KnowledgeBase, scale: int, seed: int, echo: Echo) -> dict[str, Any]:
    """LOAD CSV, then `kb load --bulk`, of one generated size, each into an empty graph."""
    folder = data_folder(scale, seed)
    echo(f"  emptying the graph; LOAD CSV in transactions ({scale:,} relationships)...")
    loading.reset(kb.driver, kb.database)
    csv = loading.load_csv(kb.driver, kb.database, folder, import_dir())
    echo("  emptying the graph; kb load --bulk...")
    loading.reset(kb.driver, kb.database)
    report = kb.load_bulk(folder, echo=lambda line: echo(f"    {line}"))
    return {
        "load_csv": csv,
        "bulk": {
            "nodes": report.nodes,
            "relationships": report.relationships,
            "seconds": report.seconds,
            "phases": report.phases,
            "importer": report.importer,
        },
    }


def guard(kb: KnowledgeBase, timeout: float = GUARD_TIMEOUT) -> list[dict[str, Any]]:
    """Each runaway read under ``timeout``: seconds until stopped, why, and the next query."""
    out: list[dict[str, Any]] = []
    for name in GUARD_QUERIES:
        started = time.monotonic()
        stopped, why = False, "it finished"
        try:
            kb.cypher(statement(name), timeout=timeout)
        except QueryStopped as exc:
            stopped, why = True, str(exc).splitlines()[0]
        except KBError as exc:  # stopped some other way: say how
            stopped, why = True, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        seconds = time.monotonic() - started
        mark = time.monotonic()
        try:
            alive = kb.cypher(statement("bench/guard_ping"), timeout=30) == [{"n": 1}]
        except KBError:
            alive = False
        out.append(
            {
                "query": name,
                "timeout": timeout,
                "stopped": stopped,
                "seconds": seconds,
                "why": why[:200],
                "next_query_answers": alive,
                "next_query_seconds": time.monotonic() - mark,
            }
        )
    return out
