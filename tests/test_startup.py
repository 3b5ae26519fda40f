"""`kb --help` and `kb query list` start quickly because they import only what they use: the
driver, pydantic and yaml come in when a command needs them (BENCHMARKS.md has the times)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb import library
from kb.catalog import query_infos
from kb.errors import QueryError
from kb.library import load_library
from kb.paths import cypher_dir

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


def _loaded(*args: str, cache: Path | None = None) -> list[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache)) if cache else None
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True, env=env
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("LOADED "), result.stdout
    found: list[str] = json.loads(last.removeprefix("LOADED "))
    return found


@pytest.mark.parametrize("args", [["--help"], ["query", "--help"], ["server", "--help"]])
def test_help_imports_neither_the_driver_nor_pydantic_nor_yaml(args: list[str]) -> None:
    assert _loaded(*args) == []


def test_query_list_does_not_import_the_driver(tmp_path: Path) -> None:
    assert _loaded("query", "list", cache=tmp_path) == ["pydantic", "yaml"]  # parses the files
    assert _loaded("query", "list", cache=tmp_path) == []  # then reads their descriptions


def test_the_cached_descriptions_are_the_parsed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "cypher"
    shutil.copytree(cypher_dir(), folder)
    fresh = query_infos(folder)
    assert list((tmp_path / "cache" / "ai-infra-kb").glob("library-*.json"))
    cached = query_infos(folder)
    assert cached == fresh
    assert list(fresh) == load_library(folder).names
    # an edited file is read again, never answered from the cache
    target = folder / "exposure.cypher"
    target.write_text(target.read_text().replace("title: A country's", "title: One country's"))
    library._load.cache_clear()  # the parsed library is kept in-process too
    assert query_infos(folder)["exposure"].title.startswith("One country's")
    # and a broken one is the library's error, cache or not
    target.write_text("MATCH (n) RETURN n")
    library._load.cache_clear()
    with pytest.raises(QueryError, match="YAML header"):
        query_infos(folder)


def test_an_unwritable_cache_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert list(query_infos()) == load_library().names


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
