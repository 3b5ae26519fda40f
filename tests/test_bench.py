"""The benchmark's data generator: deterministic, and its output loads through `kb load`.

Nothing here times anything; `make bench` measures (BENCHMARKS.md).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kb import KnowledgeBase
from kb.bench.generate import generate
from kb.cli import main
from kb.schema import ALL_KINDS, NODE_BY_KIND


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def test_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", scale=400, seed=7)
    again = generate(tmp_path / "b", scale=400, seed=7)
    generate(tmp_path / "c", scale=400, seed=8)
    assert first == again
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")
    assert set(first) <= set(ALL_KINDS)
    facts = sum(n for kind, n in first.items() if kind not in NODE_BY_KIND)
    assert facts == 400


def test_generated_files_load_and_reload_changes_nothing(
    empty_graph: KnowledgeBase, tmp_path: Path
) -> None:
    rows = generate(tmp_path / "data", scale=300, seed=1)
    runner = CliRunner()
    first = runner.invoke(main, ["load", str(tmp_path / "data")])
    assert first.exit_code == 0, first.output
    assert f"Created {sum(rows.values())} and changed 0" in first.stdout
    facts = empty_graph.cypher("MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS n")[0]["n"]
    assert facts == 300
    again = runner.invoke(main, ["load", str(tmp_path / "data")])
    assert again.exit_code == 0, again.output
    assert "Created 0 and changed 0" in again.stdout


def test_bench_generate_command_writes_the_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["bench", "generate", "--scale", "200", "--seed", "3", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "200 relationships" in result.stdout
    assert (tmp_path / "companies.csv").is_file() and (tmp_path / "relies_on.csv").is_file()


def test_the_benchmark_has_parameters_for_every_library_query() -> None:
    from kb.bench.queries import parameters
    from kb.library import load_library

    anchors = dict.fromkeys(
        ["product", "company", "site", "region", "category", "home", "restricted"], "x"
    )
    assert sorted(parameters(anchors)) == load_library().names


def test_a_paged_query_is_timed_for_its_first_page_and_its_whole_answer(
    seeded_graph: KnowledgeBase,
) -> None:
    from kb.bench import queries, report

    whole = seeded_graph.query("blast-radius", supplier="CATL", inherited=True)
    timed = queries.time_query(
        seeded_graph.driver, None, "blast-radius", {"supplier": "CATL", "inherited": True}
    )
    assert timed["paged"] and timed["runs"] >= 3
    assert timed["rows"] == min(len(whole), queries.PAGE + 1)
    assert timed["full_rows"] == len(whole) and timed["full_ms"] > 0
    table = report.query_table({"1000": {"queries": [timed]}})
    assert "whole answer ms (rows)" in table[0]
    assert f"({len(whole):,})" in table[2]
