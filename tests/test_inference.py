"""Inference is explicit: every rule a query names is in kb/inference.py with its confidence;
opt-in rules run only when asked; the table and docs/inference.md agree."""

from __future__ import annotations

import re
from pathlib import Path

from kb.inference import RULE_BY_NAME, RULES
from kb.paths import cypher_dir

ROUTE = re.compile(r"'(?P<route>[^']+)' AS route, .*? '(?P<cap>\w+)' AS cap")
FROM_FACTS = {"direct", "own product"}


def test_every_route_a_query_infers_is_a_rule_with_its_confidence() -> None:
    text = (cypher_dir() / "firms-relying-on.cypher").read_text(encoding="utf-8")
    routes = {(m["route"], m["cap"]) for m in ROUTE.finditer(text)}
    assert {route for route, _ in routes} == FROM_FACTS | {"maker ecosystem", "country -> firm"}
    for route, cap in routes:
        if route in FROM_FACTS:
            assert cap == "stated"
        else:
            assert RULE_BY_NAME[route].confidence == cap
            assert "firms-relying-on" in RULE_BY_NAME[route].queries


def test_opt_in_rules_run_only_when_asked() -> None:
    text = (cypher_dir() / "firms-relying-on.cypher").read_text(encoding="utf-8")
    header = text[: text.index("*/")]
    assert re.search(r"name: inherited\n    type: boolean\n    default: false", header)
    # each UNION branch that returns an opt-in rule's route is guarded by $inherited
    for branch in re.split(r"\bUNION\b", text[text.index("*/") :]):
        for rule in (r for r in RULES if r.opt_in):
            if f"'{rule.name}' AS route" in branch:
                assert "$inherited" in branch, (rule.name, branch)


def test_the_docs_list_every_rule() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "inference.md").read_text(
        encoding="utf-8"
    )
    for rule in RULES:
        assert f"| `{rule.name}` |" in docs
        for query in rule.queries:
            assert (cypher_dir() / f"{query}.cypher").is_file(), (rule.name, query)
