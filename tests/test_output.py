"""Answers in the terminal: the list format, wrapped tables, JSON and CSV, control characters.

The CLI runs in a real pseudo-terminal where the terminal's width matters, and through pipes
(click's runner) where it does not.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import run_in_terminal

from kb import KnowledgeBase
from kb.cli import main
from kb.output import render

CATL = ["query", "run", "sites-relying-on-supplier", "-p", "supplier=CATL", "-p", "inherited=true"]
HOSTILE = "\x1b]0;x\x07 real\rFAKE"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_catl_answer_fits_a_100_column_terminal(seeded_graph: KnowledgeBase) -> None:
    code, out = run_in_terminal(CATL, columns=100)
    assert code == 0, out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100, max(lines, key=len)
    # The table would be far wider, so the answer comes as a list: one block per site...
    rows = seeded_graph.query("sites-relying-on-supplier", supplier="CATL", inherited=True)
    assert len(rows) > 10
    assert sum(
        line.startswith(f"{n}.") or line.startswith(f" {n}.")
        for n in range(1, 100)
        for line in lines
    ) == len(rows)
    assert f"({len(rows)} rows)" in out
    # ...with every chain and every quote whole (wrapped, not cut).
    flat = " ".join(" ".join(out.split()).split())
    for row in rows:
        assert " ".join(row["chain"].split()) in flat
        for piece in row["evidence"]:
            assert " ".join(piece["quote"].split()) in flat
    assert "…" not in out


def test_a_table_wraps_to_the_width_instead_of_clipping(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("sites-relying-on-supplier", supplier="CATL", inherited=True)
    for fmt in ("table", "list", "auto"):
        text = render(rows, fmt, width=100)
        assert max(len(line) for line in text.splitlines()) <= 100, fmt
    natural = render(rows, "table")  # piped: the table's natural width, no line wrapped
    lines = natural.splitlines()
    assert all(any(row["chain"] in line for line in lines) for row in rows)
    quotes = [piece["quote"] for row in rows for piece in row["evidence"]]
    assert all(any(quote in line for line in lines) for quote in quotes)


def test_json_is_pretty_on_a_terminal_and_compact_when_piped(seeded_graph: KnowledgeBase) -> None:
    code, out = run_in_terminal([*CATL, "--format", "json", "--limit", "1"], columns=100)
    assert code == 0, out
    assert out.startswith("[\n  {\n")
    page, _, rest = out.partition("\nRows 1-1; 17 more rows. Next page:")  # stderr, after it
    assert len(json.loads(page)) == 1 and "--cursor" in rest
    code, piped, _ = cli(*CATL, "--format", "json")
    assert code == 0
    assert len(piped.strip().splitlines()) == 1
    assert len(json.loads(piped)) == len(
        seeded_graph.query(CATL[2], supplier="CATL", inherited=True)
    )


def test_limit_and_columns(seeded_graph: KnowledgeBase) -> None:
    code, out, _ = cli(*CATL, "--limit", "2", "--columns", "chain,place", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "chain,place"
    assert len(lines) == 3
    code, out, err = cli(*CATL, "--limit", "2", "--columns", "place")
    assert code == 0
    assert "(2 rows)" in out  # a page: the server stopped after it
    assert "Rows 1-2; 16 more rows. Next page:" in err
    code, _, err = cli(*CATL, "--columns", "place,nope")
    assert code == 1
    assert "No column 'nope'" in err and "its columns: place, place_id" in err


def test_an_empty_csv_answer_prints_its_header(seeded_graph: KnowledgeBase) -> None:
    code, out, _ = cli(
        "query", "run", "sites-relying-on-supplier", "-p", "supplier=Nvidia", "--format", "csv"
    )
    assert code == 0
    assert out.splitlines() == [
        "place,place_id,place_type,role,supplier,supplier_restrictions,categories,chain,"
        "confidence,inferred,rules,other_chains,flows,evidence"
    ]


def test_control_characters_in_values_are_shown_escaped(empty_graph: KnowledgeBase) -> None:
    empty_graph.cypher("CREATE (:Probe {name: $name})", {"name": HOSTILE}, write=True)
    for fmt in ("table", "list", "auto"):
        code, out = run_in_terminal(
            ["cypher", "MATCH (p:Probe) RETURN p.name AS name", "--format", fmt], columns=80
        )
        assert code == 0, out
        assert "\x1b]" not in out and "\x07" not in out and "\rFAKE" not in out, fmt
        assert "\\x1b]0;x\\x07 real\\rFAKE" in out, fmt
        code, piped, _ = cli("cypher", "MATCH (p:Probe) RETURN p.name AS name", "--format", fmt)
        assert "\x1b" not in piped and "\\x1b]0;x\\x07 real\\rFAKE" in piped
    # JSON escapes them as JSON does; the value is data, unchanged.
    code, out, _ = cli("cypher", "MATCH (p:Probe) RETURN p.name AS name", "--format", "json")
    assert "\x1b" not in out and json.loads(out) == [{"name": HOSTILE}]


def test_columns_bounds_piped_output(seeded_graph: KnowledgeBase) -> None:
    """Piped with COLUMNS set, no line is wider than COLUMNS, whatever the format; without it,
    a piped table keeps its natural width."""
    runner = CliRunner()
    for fmt in ("auto", "table", "list"):
        result = runner.invoke(main, [*CATL, "--format", fmt], env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert len(lines) > 18, fmt
        assert max(len(line) for line in lines) <= 100, (fmt, max(lines, key=len))
    wide = runner.invoke(main, [*CATL, "--format", "table"], env={"COLUMNS": None})
    assert max(len(line) for line in wide.stdout.splitlines()) > 100
