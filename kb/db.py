"""Talking to Neo4j through the official driver: connect, read, write, and refuse writes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable

from kb.errors import ConnectionFailed, KBError, WriteRefused
from kb.settings import Connection

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
    return driver


def _tagged(text: str, name: str) -> neo4j.Query:
    return neo4j.Query(text, metadata={"app": "ai-infra-kb", "query": name})  # type: ignore[arg-type]


def query_type(
    driver: neo4j.Driver, database: str | None, text: str, params: Mapping[str, Any]
) -> str:
    """The server's own verdict on a statement ('r', 'rw', 'w', 's'), from its EXPLAIN plan."""
    try:
        result = driver.execute_query(
            _tagged(f"EXPLAIN {text}", "explain"),
            dict(params),
            database_=database,
            routing_=RoutingControl.READ,
        )
    except ClientError as exc:
        raise KBError(f"Cypher error: {exc.message}") from None
    return str(result.summary.query_type)


def run(
    driver: neo4j.Driver,
    database: str | None,
    text: str,
    params: Mapping[str, Any] | None = None,
    *,
    write: bool = False,
    name: str = "ad-hoc",
) -> list[dict[str, Any]]:
    """Run one statement and return its rows as dicts.

    Without ``write`` the statement must be read-only: its plan is checked first and it runs
    in a read transaction, so a write is refused before anything happens.
    """
    params = dict(params or {})
    if not write:
        kind = query_type(driver, database, text, params)
        if kind not in READ_QUERY_TYPES:
            raise WriteRefused(
                f"This statement would write (query type '{kind}'); nothing was run. "
                "Add --write (or write=True) if you mean it."
            )
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
