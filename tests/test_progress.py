"""Long work shows its phases: a progress bar on a terminal, plain lines when piped."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from conftest import run_in_terminal

from kb import KnowledgeBase
from kb.cli import main
from kb.progress import BarPhases, PlainPhases, reporter

PHASES = ("reading", "validating", "writing", "committing")


def test_a_load_in_a_terminal_shows_its_phases_and_a_total(empty_graph: KnowledgeBase) -> None:
    code, out = run_in_terminal(["load", "seed"], columns=100)
    assert code == 0, out
    records = empty_graph.cypher("MATCH (r:LoadRun) RETURN r.records AS n")[0]["n"]
    # each phase on its own line, in order, finished with its count
    seen = [line for line in out.replace("\r", "\n").splitlines() if "✓" in line]
    finished = [next(p for p in PHASES if p in line) for line in seen]
    assert list(dict.fromkeys(finished)) == list(PHASES), out
    assert re.search(rf"✓ validating +━+ {records}/{records} records", out), out
    assert f"{records:,} records in " in out
    assert "Created " in out


def test_a_piped_load_prints_plain_lines(empty_graph: KnowledgeBase) -> None:
    result = CliRunner().invoke(main, ["load", "seed"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines if ": done" in line] == list(PHASES)
    assert not any("\r" in line or "\x1b" in line for line in lines)
    assert re.search(r"^validating: done, \d[\d,]* records", result.stderr, re.M)
    assert re.search(r"^[\d,]+ records in [\d.]+ s\.$", result.stderr, re.M)


def test_plain_lines_give_count_rate_and_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.progress as progress

    stream = io.StringIO()
    phases = PlainPhases(stream)
    monkeypatch.setattr(progress, "PLAIN_EVERY", 0.0)  # a line at every step
    phases.phase("validating", total=1000)
    phases.advance(250)
    phases.finish("done")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "validating (1,000 records)..."
    assert re.fullmatch(r"validating: 250 of 1,000 records \([\d,]+/s, \d+ s left\)", lines[1])
    assert lines[-1] == "done"


def test_the_form_follows_the_stream() -> None:
    assert isinstance(reporter(io.StringIO()), PlainPhases)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    bar = reporter(Terminal())
    assert isinstance(bar, BarPhases)
    bar.finish()
