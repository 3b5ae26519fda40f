"""Talking to Neo4j through the official driver: connect, read, write, and refuse writes."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable

from kb.errors import ConnectionFailed, KBError, QueryStopped, WriteRefused
from kb.settings import DEFAULT_TIMEOUT, Connection, redact_uri
from kb.statements import statement
from loaders.records import MAX_DEPTH, brief, depth

log = logging.getLogger(__name__)
READ_QUERY_TYPES = {"r"}

# The driver logs its retries ("Transaction failed and will be retried in ...") as warnings;
# without a handler of its own, Python's last-resort handler prints them on the terminal.
logging.getLogger("neo4j").addHandler(logging.NullHandler())
logging.getLogger("neo4j").propagate = False


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
            f"Neo4j at {redact_uri(connection.uri)} refused the login of user '{connection.user}' "
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
            f"Neo4j at {redact_uri(connection.uri)} does not answer ({type(exc).__name__}). {hint}"
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
# Administration commands plan as reads, yet TERMINATE TRANSACTIONS ends other sessions' work
# and SHOW SETTINGS / SHOW TRANSACTIONS reveal paths, memory, and other sessions' queries with
# their parameters. Read-only mode allows only the SHOW commands a reader of the schema needs.
READER_SHOW_COMMANDS = frozenset(
    {"ShowIndexes", "ShowConstraints", "ShowFunctions", "ShowProcedures"}
)
ADMIN_PREFIXES = ("Show", "Terminate")


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
    for operator in sorted(plan.operators):
        if operator.startswith(ADMIN_PREFIXES) and operator not in READER_SHOW_COMMANDS:
            command = re.sub(r"(?<!^)(?=[A-Z])", " ", operator).upper()
            raise WriteRefused(
                f"{command} is an administration command, which read-only mode refuses (it "
                "reveals settings or other sessions, or ends their work); nothing was run. "
                "Add --write (or write=True) if you mean it."
            )


INT64 = (-(2**63), 2**63 - 1)  # what a Cypher integer holds


def check_params(params: Mapping[str, Any]) -> None:
    """Refuse, with a clear message, parameter values the driver cannot send: integers beyond
    64 bits and lists or maps nested deeper than :data:`MAX_DEPTH` levels."""
    for name, value in params.items():
        if depth(value) > MAX_DEPTH:
            raise KBError(f"Parameter '{name}' is nested more than {MAX_DEPTH} levels deep.")
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, (list, tuple)):
                stack.extend(item)
            elif isinstance(item, int) and not INT64[0] <= item <= INT64[1]:
                raise KBError(
                    f"Parameter '{name}': {brief(item, 40)} is out of range: a Cypher integer "
                    "has 64 bits (-9223372036854775808 to 9223372036854775807); pass it as "
                    "text or a float."
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
    timeout: float | None = DEFAULT_TIMEOUT,
) -> list[dict[str, Any]]:
    """Run one statement and return its rows as dicts.

    Without ``write`` the statement must be read-only: its plan is checked first and it runs
    in a read transaction, so a write is refused before anything happens. A ``shipped``
    statement (the query library's, the resolver's) skips the plan check, a round trip: it is
    read-only by test, and the read transaction still makes the server refuse any write.

    A read runs for at most ``timeout`` seconds (None: no limit) and within the server's
    transaction memory cap; either stops it with a :class:`QueryStopped` that says how to
    narrow it. A read is not retried: a query that ran out of time or memory would again.
    """
    params = dict(params or {})
    check_params(params)
    log.debug("running %s (%s)", name, "write" if write else "read")
    if not write and not shipped:
        check_read_only(driver, database, text, params)
    try:
        if write:
            # An auto-commit transaction, so that CALL { ... } IN TRANSACTIONS works too.
            with driver.session(database=database) as session:
                records = list(session.run(_tagged(text, name), params))
        else:
            records = _read_retrying(driver, database, _tagged(text, name), params, timeout)
    except Neo4jError as exc:
        raise _explained(exc, timeout) from None
    return [record.data() for record in records]


READ_ATTEMPTS = 4


def _read_retrying(
    driver: neo4j.Driver,
    database: str | None,
    query: neo4j.Query,
    params: dict[str, Any],
    timeout: float | None,
) -> list[neo4j.Record]:
    """A read, tried again on a transient error (a concurrent write made it outdated, a
    deadlock), but never after running out of memory: it would again."""
    for attempt in range(1, READ_ATTEMPTS + 1):
        try:
            return _read(driver, database, query, params, timeout)
        except neo4j.exceptions.TransientError as exc:
            code = exc.code or ""
            if attempt == READ_ATTEMPTS or any(part in code for part in _MEMORY_CODES):
                raise
            time.sleep(0.1 * attempt)
    raise AssertionError("unreachable")


def _read(
    driver: neo4j.Driver,
    database: str | None,
    query: neo4j.Query,
    params: dict[str, Any],
    timeout: float | None,
) -> list[neo4j.Record]:
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        tx = session.begin_transaction(metadata=query.metadata, timeout=timeout)
        try:
            records = list(tx.run(query.text, params))
            tx.commit()
        finally:
            tx.close()
    return records


NARROW = (
    "narrow it with a named entity, fewer hops, a LIMIT, or aggregates instead of lists "
    "(kb query show NAME lists a query's filters)"
)
_MEMORY_CODES = ("MemoryPoolOutOfMemoryError", "TransactionMemoryLimit", "OutOfMemory")
_LIMIT = re.compile(r"the limit ([\d.]+) ([KMG]i?B)")


def _explained(exc: Neo4jError, timeout: float | None) -> KBError:
    """A server error as a message that says what happened and what to do."""
    code = exc.code or ""
    message = exc.message or str(exc)
    if "TransactionTimedOut" in code:
        took = f"{timeout:g} s" if timeout else "its time limit"
        return QueryStopped(
            f"The query took more than {took} and was stopped; {NARROW}, "
            "or allow more time with --timeout SECONDS (timeout= in Python)."
        )
    if any(part in code for part in _MEMORY_CODES) or "memory" in message.lower():
        limit = _LIMIT.search(message)
        cap = f"{limit.group(1).removesuffix('.0')} {limit.group(2)}" if limit else "the memory"
        return QueryStopped(
            f"The query needed more than the {cap} the server allows a transaction and was "
            f"stopped (the server is still up); {NARROW}."
        )
    if isinstance(exc, ClientError):
        return KBError(f"Cypher error: {message}")
    return KBError(f"Neo4j error ({code}): {message}")


def refresh_plans(driver: neo4j.Driver, database: str | None) -> None:
    """After a load: indexes sampled again and cached plans dropped, so the next queries are
    planned for the graph as it is now. Best effort: a server that refuses the procedures (a
    hosted one may) refreshes its plans by itself, later."""
    for name in ("load/resample_indexes", "load/clear_query_caches"):
        try:
            driver.execute_query(statement(name), database_=database)
        except Neo4jError as exc:
            log.info("%s refused (%s): plans refresh later", name, exc.code)


@contextmanager
def connected(connection: Connection) -> Iterator[neo4j.Driver]:
    driver = open_driver(connection)
    try:
        yield driver
    finally:
        driver.close()
