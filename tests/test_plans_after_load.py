"""A load leaves no plan cached for the graph as it was before (kb.db.refresh_plans): a plan
made just after a first load, before the new indexes were sampled, read 40x more than a fresh
one (blast-radius at 10^4: 5.3 M db hits against 128 k)."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import wipe

from kb import KnowledgeBase
from kb.load.runner import load

CLEAR = "CALL db.clearQueryCaches()"


def _clear(kb: KnowledgeBase) -> str:
    [row] = kb.driver.execute_query(CLEAR, database_=kb.database).records
    return str(row["value"])


def test_a_load_drops_the_plans_cached_before_it(kb: KnowledgeBase, tmp_path: Path) -> None:
    wipe(kb)
    (tmp_path / "companies.yaml").write_text(
        yaml.safe_dump([{"id": "plan-a", "name": "Plan A"}, {"id": "plan-b", "name": "Plan B"}]),
        encoding="utf-8",
    )
    count = "MATCH (c:Company) RETURN count(c) AS n"
    assert kb.cypher(count) == [{"n": 0}]  # a plan for the empty graph, cached
    assert _clear(kb).startswith("Query caches successfully cleared")
    assert kb.cypher(count) == [{"n": 0}]
    load(kb.driver, kb.database, [tmp_path])
    assert _clear(kb) == "Query cache already empty."
    assert kb.cypher(count) == [{"n": 2}]
