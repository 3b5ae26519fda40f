"""Query latency: every library query, warm, timed at the client, with its plan checked.

Each query runs as ``kb query run`` runs it (parameters resolved from names, then the query in a
read transaction; here with a server-side time limit, ``TIMEOUT``), against the
generated graph, with parameters that name entities of that graph: a busy company (the top 2%
by number), a product, a category, a region, a site.

A paged query is timed as ``kb query run NAME --limit 100`` asks it: its first page (100 rows,
and one more to know whether the answer goes on); that is what the targets (p50 <= 20 ms,
p95 <= 100 ms at 10^6) are about. Its whole answer is timed beside, a few runs
(``FULL_RUNS``), as ``kb query run NAME`` without --limit asks it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

import neo4j
from neo4j.exceptions import Neo4jError

from kb import library
from kb.bench.generate import Sizes
from kb.statements import statement

RUNS, WARMUP = 30, 3
BUDGET = 30.0  # seconds per query; a slower query stops early and says how many runs it had
TIMEOUT = 10.0  # seconds: a run that takes longer is ended by the server and reported so
SEEKS = ("NodeUniqueIndexSeek", "NodeIndexSeek")
PAGE = 100  # the first page a paged query is timed for
FULL_RUNS = 3  # runs of a paged query's whole answer


def anchors(driver: neo4j.Driver, database: str | None, scale: int) -> dict[str, str]:
    n = Sizes(scale)
    found = {
        "company": f"co-{n.companies // 50}",
        "product": f"pr-{n.products // 50}",
        "category": f"cat-{n.categories // 10}",
        "region": f"rg-{n.regions // 50}",
        "site": f"st-{n.sites // 50}",
    }
    records, _, _ = driver.execute_query(
        statement("bench/home_country"),
        company=found["company"],
        database_=database,
    )
    found["home"] = records[0]["home"] if records else "CN"
    records, _, _ = driver.execute_query(statement("bench/restricted_company"), database_=database)
    found["restricted"] = records[0]["id"] if records else found["company"]
    return found


def parameters(a: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The parameters each library query runs with; None for a query that names no entity."""
    return {
        "firms-relying-on": {"country": "CN", "tech": a["product"], "inherited": True},
        "sites-relying-on-supplier": {"country": "US", "supplier": a["company"]},
        "dependency-paths": {"a": a["site"], "b": a["company"]},
        "exposure": {"country": "US", "supplier_country": "CN"},
        "restricted-vendors-reaching": {"country": "US", "issuer": "US"},
        "mutual-dependence": {"level": "company", "entity": a["company"]},
        "builders-by-country": {"place": a["region"]},
        "where-company-builds": {"company": a["company"]},
        "foreign-operators": {"home": "DE"},
        "blast-radius": {"supplier": a["company"]},
        "entity-profile": {"entity": a["company"]},
        "statistic-trend": {"statistic": "series-0"},
        "evidence-between": {"a": a["company"], "b": a["home"]},
        "restrictions-on-entity": {"entity": a["restricted"]},
        "suppliers-of-category": {"category": a["category"]},
        "statistics-list": {"about": "CN"},
        "depends-on": {"entity": a["company"]},
        "restricted": {"issuer": "US", "country": "CN"},
        "common": {"places": [a["region"], a["home"]], "match": "any"},
    }


def _operators(plan: Any) -> Iterator[tuple[str, str]]:
    yield plan["operatorType"].split("@")[0], str(plan.get("args", {}).get("Details", ""))
    for child in plan.get("children", []):
        yield from _operators(child)


def anchor_seek(
    driver: neo4j.Driver, database: str | None, query: library.Query, bound: dict[str, Any]
) -> str:
    """The index seek on the named entity in the EXPLAIN plan (or what stands there)."""
    entity_params = [p.name for p in query.params if p.type == "entity" and bound[p.name]]
    result = driver.execute_query(f"EXPLAIN {query.body}", bound, database_=database)
    plan = result.summary.plan
    seeks = [(op, details) for op, details in _operators(plan) if op.startswith(SEEKS)]
    if not entity_params:
        return "no anchor (the query names no entity)"
    hits = [op for op, details in seeks if any(f"${p}" in details for p in entity_params)]
    return hits[0] if hits else f"NO SEEK on ${', $'.join(entity_params)}"


def _run_once(
    driver: neo4j.Driver,
    database: str | None,
    query: library.Query,
    params: dict[str, Any],
    page: bool = True,
) -> int:
    """What ``kb query run`` does (resolve names, run in a read transaction), with a time limit;
    for a paged query its first page (``--limit 100``) unless ``page`` is false."""
    bound = library.resolved_params(driver, database, query, params)
    if query.header.paged and page:
        bound.update(skip=0, limit=PAGE + 1)
    records, _, _ = driver.execute_query(
        neo4j.Query(query.body, timeout=TIMEOUT),
        bound,
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    )
    return len(records)


def time_query(
    driver: neo4j.Driver, database: str | None, name: str, params: dict[str, Any]
) -> dict[str, Any]:
    query = library.load_library().get(name)
    bound = library.resolved_params(driver, database, query, params)
    seek = anchor_seek(driver, database, query, bound)
    times: list[float] = []
    rows, timed_out = 0, False
    started = time.monotonic()
    for run in range(WARMUP + RUNS):
        begin = time.perf_counter()
        try:
            rows = _run_once(driver, database, query, params)
        except Neo4jError:
            timed_out = True
            break
        elapsed = time.perf_counter() - begin
        if run >= WARMUP or elapsed > 1.0:  # a slow query is warm after one run
            times.append(elapsed)
        if time.monotonic() - started > BUDGET and len(times) >= 3:
            break
    full = _time_full(driver, database, query, params) if query.header.paged else {}
    if not times:
        return {
            **full,
            "query": name,
            "params": params,
            "rows": None,
            "runs": 0,
            "seek": seek,
            "timed_out": True,
            "p50_ms": 1000 * TIMEOUT,
            "p95_ms": 1000 * TIMEOUT,
        }
    times.sort()
    return {
        **full,
        "query": name,
        "params": params,
        "rows": rows,
        "runs": len(times),
        "seek": seek,
        "timed_out": timed_out,
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
    }


def _time_full(
    driver: neo4j.Driver, database: str | None, query: library.Query, params: dict[str, Any]
) -> dict[str, Any]:
    """A paged query's whole answer: the median of ``FULL_RUNS`` runs (one when slow)."""
    times: list[float] = []
    rows: int | None = None
    for _ in range(FULL_RUNS):
        begin = time.perf_counter()
        try:
            rows = _run_once(driver, database, query, params, page=False)
        except Neo4jError:
            return {"paged": True, "full_ms": 1000 * TIMEOUT, "full_rows": None}
        times.append(time.perf_counter() - begin)
        if times[-1] > 2.0:
            break
    return {"paged": True, "full_ms": 1000 * statistics.median(times), "full_rows": rows}


def run_all(driver: neo4j.Driver, database: str | None, scale: int) -> list[dict[str, Any]]:
    params = parameters(anchors(driver, database, scale))
    return [
        time_query(driver, database, name, params[name]) for name in library.load_library().names
    ]
