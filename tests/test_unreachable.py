"""A server that is down or unreachable: every command says so, naming the address."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import ConnectionFailed
from kb.server.ports import free_port

# How to call each command that talks to the database (commands that do not: server, seed).
CALLS = {
    "cypher": ["cypher", "RETURN 1"],
    "load": ["load", "seed"],
    "reset": ["reset", "--yes"],
    "export": ["export", "{tmp}/out.json"],
    "query": ["query", "run", "entity-profile", "-p", "entity=CATL"],
    "demo": ["demo"],
    "viz": ["viz", "entity-profile", "-p", "entity=CATL", "--out", "{tmp}/x.html"],
    "browser": ["browser", "--query", "entity-profile", "-p", "entity=CATL"],
    "unload": ["unload", "--source", "some-list"],
    "resolve": ["resolve", "candidates"],
}
# server and seed need no database; bench starts a server instance of its own.
NO_DATABASE = {"server", "seed", "bench"}


def test_every_database_command_is_covered() -> None:
    commands = set(main.commands)
    assert commands - NO_DATABASE <= set(CALLS), commands - NO_DATABASE - set(CALLS)


@pytest.mark.parametrize("name", [n for n, call in CALLS.items() if call])
def test_a_closed_port_is_a_clear_message(name: str, tmp_path: Path) -> None:
    if name not in main.commands:
        pytest.fail(f"`kb {name}` is listed here but is not a command")
    port = free_port()  # nothing listens there
    uri = f"bolt://127.0.0.1:{port}"
    args = [a.replace("{tmp}", str(tmp_path)) for a in CALLS[name] or []]
    result = CliRunner().invoke(main, args, env={"NEO4J_URI": uri, "NEO4J_PASSWORD": "whatever"})
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"Neo4j at {uri} does not answer" in result.stderr, result.stderr


def test_python_api_gives_the_same_error() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    with pytest.raises(ConnectionFailed, match=f"Neo4j at {uri} does not answer"):
        KnowledgeBase.connect(uri, "neo4j", "whatever")
