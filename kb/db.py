"""Talking to Neo4j through the official driver: connect, read, write, and refuse writes."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable

from kb.errors import ConnectionFailed, KBError, WriteRefused
from kb.settings import Connection

log = logging.getLogger(__name__)
READ_QUERY_TYPES = {"r"}


def ping(uri: str, user: str, password: str) -> bool:
    """True when the server answers a login (used while waiting for start-up)."""
    try:
        with GraphDatabase.driver(uri, auth=(user, password), connection_timeout=2) as driver:
            driver.verify_connectivity()
        return True
    except (ServiceUnavailable, OSError, Neo4jError):
        return False


def open_driver(connection: Connection) -> neo4j.Driver:
    """A verified driver, or a clear error naming the address."""
    driver = GraphDatabase.driver(
        connection.uri,
        auth=(connection.user, connection.password),
        connection_timeout=5,
        max_transaction_retry_time=15,
        user_agent="ai-infra-kb",
        notifications_min_severity="OFF",
    )
    try:
        driver.verify_connectivity()
    except AuthError:
        driver.close()
        raise ConnectionFailed(
            f"Neo4j at {connection.uri} refused the login of user '{connection.user}' "
            f"(settings from {connection.origin}). Check NEO4J_USERNAME / NEO4J_PASSWORD."
        ) from None
    except (ServiceUnavailable, OSError) as exc:
        driver.close()
        hint = (
            "Start it with `kb server start`."
            if connection.origin.startswith("managed")
            else "Check that it runs and that NEO4J_URI is right."
        )
        raise ConnectionFailed(
            f"Neo4j at {connection.uri} does not answer ({type(exc).__name__}). {hint}"
        ) from None
    log.debug("connected to %s", connection.describe())
    return driver


def _tagged(text: str, name: str) -> neo4j.Query:
    return neo4j.Query(text, metadata={"app": "ai-infra-kb", "query": name})


@dataclass(frozen=True)
class Plan:
    """What the server says a statement would do, before it runs."""

    query_type: str  # 'r', 'rw', 'w' or 's'
    operators: frozenset[str]  # plan operator names without the '@neo4j' suffix


# Read-only mode also refuses these: file and network access, and procedures (which may write
# or reach outside the database whatever their declared mode).
REFUSED_WHEN_READ_ONLY = {"LoadCSV": "LOAD CSV", "ProcedureCall": "a procedure call"}


def _operators(plan: Mapping[str, Any] | None) -> set[str]:
    if not plan:
        return set()
    found = {str(plan.get("operatorType", "")).split("@")[0]}
    for child in plan.get("children", []):
        found |= _operators(child)
    return found


def explain(
    driver: neo4j.Driver, database: str | None, text: str, params: Mapping[str, Any]
) -> Plan:
    """The server's own verdict on a statement, from its EXPLAIN plan (nothing runs)."""
    try:
        result = driver.execute_query(
            _tagged(f"EXPLAIN {text}", "explain"),
            dict(params),
            database_=database,
            routing_=RoutingControl.READ,
        )
    except ClientError as exc:
        raise KBError(f"Cypher error: {exc.message}") from None
    return Plan(str(result.summary.query_type), frozenset(_operators(result.summary.plan)))


def query_type(
    driver: neo4j.Driver, database: str | None, text: str, params: Mapping[str, Any]
) -> str:
    """The server's verdict on a statement: 'r', 'rw', 'w' or 's'."""
    return explain(driver, database, text, params).query_type


def check_read_only(
    driver: neo4j.Driver, database: str | None, text: str, params: Mapping[str, Any]
) -> None:
    """Refuse, before it runs, a statement that would write, load files or call procedures."""
    plan = explain(driver, database, text, params)
    log.debug("plan: query type %s, operators %s", plan.query_type, sorted(plan.operators))
    if plan.query_type not in READ_QUERY_TYPES:
        raise WriteRefused(
            f"This statement would write (query type '{plan.query_type}'); nothing was run. "
            "Add --write (or write=True) if you mean it."
        )
    for operator, what in REFUSED_WHEN_READ_ONLY.items():
        if operator in plan.operators:
            raise WriteRefused(
                f"This statement uses {what}, which read-only mode refuses; nothing was run. "
                "Add --write (or write=True) if you mean it."
            )


def run(
    driver: neo4j.Driver,
    database: str | None,
    text: str,
    params: Mapping[str, Any] | None = None,
    *,
    write: bool = False,
    shipped: bool = False,
    name: str = "ad-hoc",
) -> list[dict[str, Any]]:
    """Run one statement and return its rows as dicts.

    Without ``write`` the statement must be read-only: its plan is checked first and it runs
    in a read transaction, so a write is refused before anything happens. A ``shipped``
    statement (the query library's, the resolver's) skips the plan check, a round trip: it is
    read-only by test, and the read transaction still makes the server refuse any write.
    """
    params = dict(params or {})
    log.debug("running %s (%s)", name, "write" if write else "read")
    if not write and not shipped:
        check_read_only(driver, database, text, params)
    try:
        if write:
            # An auto-commit transaction, so that CALL { ... } IN TRANSACTIONS works too.
            with driver.session(database=database) as session:
                records = list(session.run(_tagged(text, name), params))
        else:
            records, _, _ = driver.execute_query(
                _tagged(text, name), params, database_=database, routing_=RoutingControl.READ
            )
    except ClientError as exc:
        raise KBError(f"Cypher error: {exc.message}") from None
    return [record.data() for record in records]


@contextmanager
def connected(connection: Connection) -> Iterator[neo4j.Driver]:
    driver = open_driver(connection)
    try:
        yield driver
    finally:
        driver.close()
