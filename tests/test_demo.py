"""`kb demo` (what `make demo` runs): seed loaded, headline answers with evidence, address."""

from __future__ import annotations

from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main


def test_demo_answers_the_headline_questions(empty_graph: KnowledgeBase) -> None:
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Which Chinese firms rely on CUDA?" in out
    for firm in ("Alibaba", "Baidu", "ByteDance", "Tencent"):
        assert f"firm: {firm};" in out
    assert "heavily dependent on CUDA" in out
    assert "Which U.S. sites, regions and builders rely on CATL batteries?" in out
    assert "Texas -LOCATED_IN-> United States" in out
    assert "Neo4j Browser: http://127.0.0.1:" in out or "Database:" in out
    nexts = out.split("\nNext")[1].splitlines()[1:]
    assert len(nexts) == 3 and all(line.startswith("  kb ") for line in nexts), out
    for line in nexts:  # each one a real command with real arguments
        args = line.split("#")[0].split()[1:]
        assert CliRunner().invoke(main, [*args, "--help"]).exit_code == 0, line
    again = CliRunner().invoke(main, ["demo"])
    assert "0 created, 0 changed" in again.stdout
