"""`kb --help` and `kb query list` start quickly because they import only what they use: the
driver, pydantic and yaml come in when a command needs them (BENCHMARKS.md has the times)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("neo4j", "pydantic", "yaml")

# Runs the CLI in a fresh interpreter, then prints which heavy packages were imported.
PROBE = """
import json, sys
from kb.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"neo4j", "pydantic", "yaml"})
print("\\nLOADED " + json.dumps(loaded))
"""


def _loaded(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("LOADED "), result.stdout
    found: list[str] = json.loads(last.removeprefix("LOADED "))
    return found


@pytest.mark.parametrize("args", [["--help"], ["query", "--help"], ["server", "--help"]])
def test_help_imports_neither_the_driver_nor_pydantic_nor_yaml(args: list[str]) -> None:
    assert _loaded(*args) == []


def test_query_list_does_not_import_the_driver() -> None:
    assert "neo4j" not in _loaded("query", "list")


def test_import_kb_is_light_and_the_facade_comes_on_demand() -> None:
    code = (
        "import sys, kb; light = 'neo4j' not in sys.modules; "
        "from kb import KnowledgeBase, KBError; "
        "print(light, KnowledgeBase.__module__, KBError.__module__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "kb.api", "kb.errors"]
