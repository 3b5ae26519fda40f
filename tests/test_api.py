"""The facade: `KnowledgeBase` does what the CLI does, one method an action (docs/python.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import KnowledgeBase
from kb.api import QueryInfo
from kb.errors import ConnectionFailed, QueryError
from kb.fingerprint import fingerprint
from kb.library import load_library
from kb.server.ports import free_port


def test_server_free_methods_never_connect() -> None:
    """Nothing listens at the address: the library and the seed check answer all the same."""
    kb = KnowledgeBase(f"bolt://127.0.0.1:{free_port()}", "neo4j", "unused")
    queries = kb.queries
    assert list(queries) == load_library().names
    info = kb.describe("firms-relying-on")
    assert isinstance(info, QueryInfo) and queries["firms-relying-on"] == info
    assert [p.name for p in info.params] == [
        p.name for p in load_library().get("firms-relying-on").params
    ]
    assert kb.check_params("blast-radius", {"supplier": "CATL"})["max_hops"] == 4
    with pytest.raises(QueryError, match="did you mean 'blast-radius'"):
        kb.describe("blast-radios")
    result = kb.seed_check()
    assert (result.records, result.facts, result.problems) == (1195, 816, [])
    kb.close()  # never opened: nothing to close


def test_load_export_reset_and_load_back(empty_graph: KnowledgeBase, tmp_path: Path) -> None:
    kb = empty_graph
    dry = kb.load("seed", dry_run=True)
    assert dry.counts.created > 0
    assert kb.cypher("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    batches: list[int] = []
    report = kb.load(["seed"], progress=batches.append)
    assert report.counts.created == dry.counts.created
    assert sum(batches) > 0
    loaded = fingerprint(kb.driver, None)
    assert kb.export(tmp_path / "graph.json") == sum(report.plan.records.values())
    kb.reset()
    assert kb.cypher("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    kb.load(tmp_path / "graph.json")
    assert fingerprint(kb.driver, None) == loaded


def test_resolve_and_query_take_names(seeded_graph: KnowledgeBase) -> None:
    kb = seeded_graph
    assert kb.resolve("CATL").id == "catl"
    assert kb.resolve("Contemporary Amperex Technology", ["Company"]).id == "catl"
    with pytest.raises(QueryError, match="Did you mean"):
        kb.resolve("CATLL")
    # (Chinese firms rely on CUDA only by inference: inherited=true asks for it)
    as_mapping = kb.query("firms-relying-on", {"country": "China", "tech": "CUDA"}, inherited=True)
    as_keywords = kb.query("firms-relying-on", country="China", tech="CUDA", inherited=True)
    mixed = kb.query(
        "firms-relying-on", {"country": "China", "tech": "Android", "inherited": True}, tech="CUDA"
    )
    assert as_mapping == as_keywords == mixed and as_mapping


def test_connect_is_lazy_but_connect_checks_at_once(kb: KnowledgeBase) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    lazy = KnowledgeBase(uri, "neo4j", "whatever")  # no error yet: nothing was asked
    assert lazy.connection.uri == uri
    with pytest.raises(ConnectionFailed, match="does not answer"):
        lazy.cypher("RETURN 1 AS x")
    with KnowledgeBase(kb.connection.uri, kb.connection.user, kb.connection.password) as other:
        assert other.cypher("RETURN $x AS x", {"x": 1}) == [{"x": 1}]
