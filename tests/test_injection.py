"""Hostile input is data, writes need --write, and secrets stay secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import ConnectionFailed, QueryError, WriteRefused
from kb.fingerprint import fingerprint
from kb.load.runner import load
from kb.server.instance import Instance
from kb.settings import Connection

HOSTILE = [
    'O\'Brien "Power" Ltd',
    "`Company` `) DETACH DELETE n",
    "x'}) MATCH (n) DETACH DELETE n //",
    "}]-> CREATE (:Pwned)",
    "// comment CALL db.labels()",
    "CALL dbms.components() YIELD name",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "$param {id: $x}",
    "\\u0027; DROP CONSTRAINT entity_id",
    "СATL",  # Cyrillic С: a look-alike, not CATL
    "ΑΝΔROID",  # Greek capitals
    "宁德时代 (Ningde)",
    "Zero\u200bWidth Corp",
    "Right\u202eto-left Inc",
]


@pytest.fixture
def hostile_graph(seeded_graph: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
    companies = [
        {"id": f"hostile-{i}", "name": name, "aliases": [name + " alias"]}
        for i, name in enumerate(HOSTILE)
    ]
    facts = [
        {
            "subject": name,
            "object": "CN",
            "source": "lee-2026-ai-infrastructure-race",
            "evidence": name,
            "confidence": "implied",
        }
        for name in HOSTILE
    ]
    (tmp_path / "companies.yaml").write_text(
        yaml.safe_dump(companies, allow_unicode=True), encoding="utf-8"
    )
    (tmp_path / "headquartered_in.yaml").write_text(
        yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8"
    )
    load(seeded_graph.driver, None, [tmp_path])
    return seeded_graph


def test_hostile_names_are_stored_and_matched_as_plain_data(hostile_graph: KnowledgeBase) -> None:
    stored = hostile_graph.cypher(
        "MATCH (c:Company)-[r:HEADQUARTERED_IN]->(:Country {id: 'CN'}) "
        "WHERE c.id STARTS WITH 'hostile-' RETURN c.name AS name, r.evidence AS evidence"
    )
    assert sorted(r["name"] for r in stored) == sorted(h.strip() for h in HOSTILE)
    assert all(r["name"] == r["evidence"] for r in stored)
    # nothing the strings spell out happened
    assert hostile_graph.cypher("MATCH (n:Pwned) RETURN count(n) AS n") == [{"n": 0}]
    constraints = hostile_graph.cypher("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS c")
    assert "entity_id" in constraints[0]["c"]
    for i, name in enumerate(HOSTILE):
        rows = hostile_graph.query("entity-profile", entity=name)
        assert rows, name
        assert any(f"hostile-{i}" in str(row) for row in rows), name


def test_look_alikes_do_not_resolve_to_the_real_entity(hostile_graph: KnowledgeBase) -> None:
    rows = hostile_graph.query("entity-profile", entity="СATL")  # Cyrillic С
    assert "hostile-9" in str(rows)
    assert "'catl'" not in str(rows) and '"catl"' not in str(rows)


def test_parameter_values_holding_cypher_are_not_run(seeded_graph: KnowledgeBase) -> None:
    before = fingerprint(seeded_graph.driver, None)
    for value in HOSTILE:
        with pytest.raises(QueryError, match=r"unknown|ambiguous|did you mean|No entity"):
            seeded_graph.query("entity-profile", entity=value)
        assert seeded_graph.cypher("RETURN $v AS v", {"v": value}) == [{"v": value}]
    assert fingerprint(seeded_graph.driver, None) == before


WRITES = [
    "CREATE (:Pwned)",
    "create (:Pwned)",
    "/* read only? */ MERGE (:Pwned {id: 1})",
    "MATCH (c:Company {id: 'catl'}) SET c.name = 'pwned'",
    "MATCH (c:Company {id: 'catl'}) DETACH DELETE c",
    "MATCH (c:Company {id: 'catl'}) CALL (c) { SET c.pwned = true } RETURN 1",
    "UNWIND [1] AS x CALL (x) { CREATE (:Pwned) } RETURN x",
    "CREATE INDEX pwned IF NOT EXISTS FOR (n:Pwned) ON (n.id)",
    "DROP CONSTRAINT entity_id",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "CALL db.labels()",
    "CALL dbms.components() YIELD name RETURN name",
]


@pytest.mark.parametrize("statement", WRITES)
def test_cypher_without_write_refuses_by_plan(seeded_graph: KnowledgeBase, statement: str) -> None:
    before = fingerprint(seeded_graph.driver, None)
    with pytest.raises(WriteRefused):
        seeded_graph.cypher(statement)
    result = CliRunner().invoke(main, ["cypher", statement])
    assert result.exit_code == 1
    assert "nothing was run" in result.stderr
    assert fingerprint(seeded_graph.driver, None) == before
    assert seeded_graph.cypher(
        "SHOW CONSTRAINTS YIELD name WHERE name = 'entity_id' RETURN count(*) AS n"
    ) == [{"n": 1}]


def test_a_parameter_dict_cannot_switch_writing_on(empty_graph: KnowledgeBase) -> None:
    """D10: an app that forwards a user's parameter dict keeps read-only mode. Parameters go
    in their own mapping; ``write`` is keyword-only and must be a real bool."""
    kb = empty_graph
    statement = "CREATE (n:Pwn) RETURN 1 AS x"
    user_params = {"write": 1}
    with pytest.raises(WriteRefused):
        kb.cypher(statement, user_params)  # the way parameters are passed now
    with pytest.raises(WriteRefused):
        kb.cypher(statement, {"write": True})
    with pytest.raises(TypeError, match="write must be True or False"):
        kb.cypher(statement, **user_params)  # the old spelling of the attack
    with pytest.raises(TypeError, match="write must be True or False"):
        kb.cypher(statement, write="yes")  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="no parameter 'write'"):
        kb.query("entity-profile", {"entity": "x", "write": True})
    assert kb.cypher("MATCH (n:Pwn) RETURN count(n) AS n") == [{"n": 0}]
    # the switch itself still works, and parameters reach the statement as data
    assert kb.cypher("CREATE (n:Pwn {w: $write}) RETURN n.w AS w", user_params, write=True) == [
        {"w": 1}
    ]


def test_keywords_inside_strings_are_just_strings(seeded_graph: KnowledgeBase) -> None:
    assert seeded_graph.cypher("RETURN 'CREATE (n) LOAD CSV CALL' AS s") == [
        {"s": "CREATE (n) LOAD CSV CALL"}
    ]


def _connection(password: str | None) -> Connection:
    name = os.environ.get("KB_INSTANCE")
    assert name, "these checks run against the suite's managed server"
    port = Instance(name).config().bolt_port
    return Connection(f"bolt://127.0.0.1:{port}", "neo4j", password or "", None, "test")


def test_unauthenticated_and_wrong_logins_are_refused(kb: KnowledgeBase) -> None:
    import neo4j

    from kb.db import open_driver

    if not os.environ.get("KB_INSTANCE"):
        pytest.fail("run without NEO4J_URI: this checks the managed server's auth")
    connection = _connection("not-the-password")
    with pytest.raises(ConnectionFailed) as info:
        open_driver(connection)
    assert "not-the-password" not in str(info.value)
    driver = neo4j.GraphDatabase.driver(connection.uri, auth=None)
    with pytest.raises(neo4j.exceptions.AuthError):
        driver.verify_connectivity()
    driver.close()


def test_the_password_appears_in_no_log(kb: KnowledgeBase) -> None:
    name = os.environ.get("KB_INSTANCE")
    if not name:
        pytest.fail("run without NEO4J_URI: this checks the managed server's logs")
    instance = Instance(name)
    password = instance.password()
    kb.cypher("RETURN 1 AS x")  # make sure the logs hold some traffic
    CliRunner().invoke(
        main,
        ["cypher", "RETURN 1"],
        env={"NEO4J_URI": _connection(None).uri, "NEO4J_PASSWORD": "wrong-one"},
    )
    logs = list(instance.logs_dir.glob("*.log*"))
    assert logs
    for path in logs:
        assert password not in path.read_text(errors="replace"), path
    status = CliRunner().invoke(main, ["server", "status", "--instance", name])
    assert password not in status.stdout
