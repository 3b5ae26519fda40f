"""`kb cypher` and KnowledgeBase.cypher against the test server."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import WriteRefused


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_return_one_as_json(kb: KnowledgeBase) -> None:
    code, out, _ = run_cli("cypher", "RETURN 1 AS x", "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"x": 1}]
    assert out.strip() == '[{"x": 1}]'


def test_parameters_are_passed_to_the_driver_not_pasted(kb: KnowledgeBase) -> None:
    hostile = "x' }) MATCH (n) DETACH DELETE n //"
    code, out, _ = run_cli(
        "cypher",
        "RETURN $v AS v, $n + 1 AS m",
        "-p",
        f"v={hostile}",
        "-p",
        "n=41",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out) == [{"v": hostile, "m": 42}]


def test_write_without_flag_is_refused_and_not_run(empty_graph: KnowledgeBase) -> None:
    code, _, err = run_cli("cypher", "CREATE (:Probe {id: 'p'})")
    assert code == 1
    assert "would write" in err
    assert empty_graph.cypher("MATCH (n:Probe) RETURN count(n) AS n") == [{"n": 0}]
    with pytest.raises(WriteRefused):
        empty_graph.cypher("MERGE (:Probe {id: 'p'})")
    assert empty_graph.cypher("MATCH (n:Probe) RETURN count(n) AS n") == [{"n": 0}]


def test_write_with_flag_runs(empty_graph: KnowledgeBase) -> None:
    code, _, _ = run_cli("cypher", "CREATE (:Probe {id: $id})", "-p", "id=p1", "--write")
    assert code == 0
    assert empty_graph.cypher("MATCH (n:Probe) RETURN n.id AS id") == [{"id": "p1"}]


def test_csv_and_table_formats(kb: KnowledgeBase) -> None:
    code, out, _ = run_cli("cypher", "UNWIND [1, 2] AS x RETURN x, x * 2 AS y", "--format", "csv")
    assert code == 0
    assert out.splitlines() == ["x,y", "1,2", "2,4"]
    code, out, _ = run_cli("cypher", "UNWIND [1, 2] AS x RETURN x", "--format", "table")
    assert code == 0
    assert out.splitlines()[0].strip() == "x"
    assert "(2 rows)" in out


def test_cypher_syntax_error_is_a_clear_message(kb: KnowledgeBase) -> None:
    code, _, err = run_cli("cypher", "RETURN RETURN")
    assert code == 1
    assert err.startswith("Error: Cypher error")
    assert "Traceback" not in err
